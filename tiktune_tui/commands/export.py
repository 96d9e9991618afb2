"""`tiktune export`: lay a song over a video, headless."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from tiktune_tui.errors import TiktuneError, UsageError
from tiktune_tui.stop_signals import on_stop_signals


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from tiktune_tui.commands.args import add_global_options

    parser = subparsers.add_parser(
        "export",
        help="put a song over your video and write a file you can post",
        description=(
            "Put a song over a video. The video is copied untouched (no re-encoding) when the output "
            "container allows it, the audio is encoded to AAC, and the output is exactly as long as "
            "the video. The input video is never modified."
        ),
        epilog="examples:\n"
        "  tiktune export --video clip.mp4 --song 6812345678901234567\n"
        "  tiktune export --video clip.mp4 --audio song.mp3 --mode mix --offset 0:15 --fade 2\n"
        "  tiktune export --video clip.webm --audio song.m4a --loop --out posted.mkv --force --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--video", required=True, metavar="IN", help="the video to put the song over")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--song", metavar="MUSIC_ID", help="a song tiktune knows (its audio must be cached)")
    source.add_argument("--audio", metavar="FILE", help="a local audio file to use as the song")
    parser.add_argument(
        "--mode",
        choices=("replace", "mix"),
        default="replace",
        help="replace the video's sound (default) or mix with it",
    )
    parser.add_argument(
        "--offset",
        default="0:00",
        metavar="M:SS",
        help="where in the song to start (default 0:00); 'auto': the start of its most energetic "
        "stretch as long as the video",
    )
    parser.add_argument("--loop", action="store_true", help="repeat the song when the video is longer")
    parser.add_argument("--fade", default="0", metavar="SECONDS", help="fade the song out over the last seconds")
    parser.add_argument("--fade-in", default="0", metavar="SECONDS", help="fade the song in over the first seconds")
    parser.add_argument("--song-volume", default="100", metavar="PCT", help="song volume in %% (default 100)")
    parser.add_argument(
        "--original-volume", metavar="PCT", help="the video's own sound in %%, with --mode mix only (default 100)"
    )
    parser.add_argument(
        "--loudness",
        default="-14",
        metavar="LUFS",
        help="bring the sound to this integrated loudness, true peak <= -1 dBTP (default -14, "
        "what short-video platforms play at); 'off' leaves it as it is",
    )
    parser.add_argument(
        "--duck",
        metavar="DB",
        help="with --mode mix: turn the song down this far while the video's own sound plays "
        "(default 12; 0 turns it off)",
    )
    parser.add_argument(
        "--out", metavar="OUT", help="output file (default: <video stem>.<song>.mp4 beside the video; .mkv for VP8)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists (else a -2, -3... suffix)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--no-open", action="store_true", help="do not open the result in a desktop player")
    group = parser.add_argument_group("data")
    group.add_argument("--catalog", metavar="PATH", help="a CSV in the bundled catalog's schema")
    group.add_argument("--data-dir", metavar="DIR", help="where the database and audio cache live ($TIKTUNE_DATA_DIR)")
    from tiktune_tui.commands.args import add_store_option

    add_store_option(group)
    add_global_options(parser)


def find_song(music_id: str, data_dir: str | None = None, catalog: str | None = None):
    """The song with this TikTok music id: from the database when present, else the catalog."""
    from tiktune_tui.library.catalog import load_catalog
    from tiktune_tui.library.store import open_store, store_exists, store_location

    path = store_location(data_dir)
    if store_exists(path):  # never create an empty database just to look a song up
        with open_store(path) as store:
            song = store.song(music_id)
        if song is not None:
            return song, "store"
    for video in load_catalog(catalog).videos:
        if video.song.id == music_id:
            return video.song, "catalog"
    raise TiktuneError(f"no song with music id {music_id} in the database or the catalog")


def song_audio(music_id: str, data_dir: str | None = None, catalog: str | None = None):
    """(song, audio path): the cached audio, else downloaded from the song's play URL."""
    from tiktune_tui.playback.audio_cache import AudioCache, AudioUnavailable
    from tiktune_tui.playback.song_audio import NoPreview, find_audio

    song, where = find_song(music_id, data_dir, catalog)
    try:
        path, _ = find_audio(song, AudioCache.default(data_dir))
    except NoPreview:
        origin = "the bundled catalog has no audio" if where == "catalog" and not catalog else "no audio link is known"
        raise TiktuneError(
            f"no audio for song {music_id}: {origin}; pass --audio FILE or play it once with a TikTok token configured"
        ) from None
    except AudioUnavailable as exc:
        raise TiktuneError(f"no audio for song {music_id}: {exc}; pass --audio FILE instead") from None
    return song, path


def run(args: argparse.Namespace) -> int:
    from tiktune_tui.export import options as export
    from tiktune_tui.export.exporter import Exporter
    from tiktune_tui.export.probe import probe_video
    from tiktune_tui.text import file_size, format_clock, terminal_safe, write_json

    try:
        auto_offset = args.offset.strip().lower() == "auto"
        offset = 0.0 if auto_offset else export.parse_clock(args.offset)
        fade = export.parse_seconds(args.fade, "--fade")
        fade_in = export.parse_seconds(args.fade_in, "--fade-in")
        song_volume = export.parse_percent(args.song_volume, "--song-volume")
        original_volume = export.parse_percent(args.original_volume or "100", "--original-volume")
        loudness = export.parse_loudness(args.loudness, "--loudness")
        duck = export.parse_decibels(args.duck, "--duck") if args.duck is not None else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if duck is not None and args.mode != "mix":
        raise UsageError("--duck only applies with --mode mix (replace has no voice to duck under)")
    if args.original_volume is not None and args.mode != "mix":
        # In replace mode the video's own sound is dropped: a volume for it would do nothing.
        raise UsageError("--original-volume only applies with --mode mix (replace drops the video's sound)")

    video_path = Path(args.video).expanduser()
    # The default output's container depends on the video's codec; with --out the exporter
    # probes the video itself, side by side with a speculative start of ffmpeg.
    video = None if args.out else probe_video(video_path)
    song = None
    if args.song:
        song, audio_path = song_audio(args.song, args.data_dir, args.catalog)
        label = song.title or song.id
    else:
        audio_path = Path(args.audio).expanduser()
        label = audio_path.stem
    if auto_offset:
        from tiktune_tui.export.best_part import find_best_part
        from tiktune_tui.export.probe import probe_audio

        video = video or probe_video(video_path)
        probe_audio(audio_path)  # a clear error for a file that is not audio, before decoding it
        best = find_best_part(audio_path, video.duration_s)
        offset = best.offset_s
        print(
            f"tiktune: --offset auto: the song starts at {format_clock(offset)} "
            f"(its most energetic {format_clock(best.length_s)} of {format_clock(best.song_s)})",
            file=sys.stderr,
        )
    if args.out:
        output = Path(args.out).expanduser()
    else:
        output = export.default_output(video_path, label, video.video_codec)
    taken = None  # the name asked for, already in use: said only once the export has gone ahead
    # The input itself (or the song's file) is never renamed around: validate refuses it (exit 2).
    is_input = any(export.same_file(output, path) for path in (video_path, audio_path))
    if output.exists() and not args.force and not is_input and output.suffix.lower() in export.OUTPUT_FORMATS:
        renamed = export.unique_path(output)
        if not output.is_dir():
            taken = output
        output = renamed
    options = export.ExportOptions(
        video=video_path,
        audio=audio_path,
        output=output,
        mode=args.mode,
        offset_s=offset,
        loop=args.loop,
        fade_s=fade,
        fade_in_s=fade_in,
        song_volume=song_volume,
        original_volume=original_volume,
        overwrite=args.force,
        loudness_lufs=loudness,
        duck_db=(export.DEFAULT_DUCK_DB if duck is None else duck) if args.mode == "mix" else 0.0,
    )
    show_progress = sys.stderr.isatty() and not args.json
    cancel = threading.Event()
    try:
        # SIGTERM and SIGHUP cancel as Ctrl-C does: ffmpeg stopped, the part file removed.
        with on_stop_signals(lambda signum: cancel.set()) as caught:
            result = Exporter().run(options, _print_progress if show_progress else None, cancel)
    except export.BadRequest as exc:  # what the arguments alone settle is a usage error (exit 2)
        raise UsageError(str(exc)) from None
    except export.ExportCancelled:
        if not caught:
            raise
        print(f"tiktune: export stopped by {signal.Signals(caught[0]).name}; nothing was written", file=sys.stderr)
        return 128 + caught[0]
    finally:
        if show_progress:
            sys.stderr.write("\r\x1b[K")
    if taken is not None:
        print(
            f"tiktune: {terminal_safe(str(taken))} exists; wrote {terminal_safe(result.output.name)}", file=sys.stderr
        )
    for warning in result.warnings:
        print(f"tiktune: warning: {terminal_safe(warning)}", file=sys.stderr)
    if args.json:
        data = result.as_dict()
        data["song_id"] = song.id if song else None
        data["offset_s"] = offset
        write_json(data, sys.stdout)
        return 0
    video_note = "video copied" if result.video_copied else "video re-encoded to H.264"
    print(
        f"wrote {terminal_safe(str(result.output))} ({format_clock(result.duration_s)}, "
        f"{video_note}, AAC audio{' copied' if result.audio_copied else ''}{_sound_note(result)}, "
        f"{file_size(result.size_bytes)} in {result.elapsed_s:.1f} s)"
    )
    if not args.no_open and sys.stdout.isatty():
        _show(result.output)
    return 0


def _sound_note(result) -> str:
    note = ""
    if result.loudness_lufs is not None and result.measured_lufs is not None:
        note += f", loudness {result.measured_lufs:.1f} -> {result.loudness_lufs:g} LUFS"
    if result.duck_db:
        note += f", song ducked {result.duck_db:g} dB under the video's sound"
    return note


def _print_progress(progress) -> None:
    from tiktune_tui.text import format_clock

    eta = f"  ETA {format_clock(progress.eta_s)}" if progress.eta_s is not None else ""
    doing = "measuring loudness" if progress.phase == "loudness" else "exporting"
    sys.stderr.write(
        f"\r\x1b[K{doing} {progress.fraction:4.0%}  {format_clock(progress.done_s)} / {format_clock(progress.total_s)}{eta}"
    )
    sys.stderr.flush()


def _show(path: Path) -> None:
    """Open the result on a desktop; over SSH offer to copy its path to the local clipboard."""
    from tiktune_tui.export import opener

    if opener.has_desktop():
        try:
            opener.open_path(path)
        except opener.OpenError as exc:
            from tiktune_tui.text import terminal_safe

            print(f"tiktune: warning: {terminal_safe(str(exc))}", file=sys.stderr)
        return
    if not sys.stdin.isatty():
        return
    try:
        answer = input("No display to open it on. Copy the path to your clipboard? [y/N] ")
    except EOFError:
        return
    if answer.strip().lower() in ("y", "yes"):
        opener.copy_to_clipboard(str(path))
