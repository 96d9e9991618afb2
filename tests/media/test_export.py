"""The exporter and `tiktune export`, with real ffmpeg on media generated here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.support.export_media import (
    SONG_TONE_HZ,
    VIDEO_TONE_HZ,
    Media,
    make_media,
    put_in_cache,
    sha256,
    streams,
    tone_level_db,
    video_packet_hashes,
)
from tiktune_tui import cli
from tiktune_tui.core.models import Song
from tiktune_tui.export.exporter import Exporter
from tiktune_tui.export.options import (
    ExportCancelled,
    ExportError,
    ExportOptions,
    OutputExists,
    default_output,
    parse_clock,
    parse_percent,
    slug,
)
from tiktune_tui.export.probe import probe, probe_video
from tiktune_tui.text import format_clock

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> Media:
    return make_media(tmp_path_factory.mktemp("media"))


@pytest.fixture
def workdir(tmp_path, media) -> Path:
    """A folder with its own copy of the inputs, so each test sees only its own outputs."""
    for path in (media.mp4, media.song):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def options(video: Path, audio: Path, output: Path, **kw) -> ExportOptions:
    return ExportOptions(video=video, audio=audio, output=output, **kw)


def assert_valid_export(output: Path, video: Path) -> dict:
    info = streams(output)
    kinds = [s["codec_type"] for s in info["streams"]]
    assert kinds.count("video") == 1 and kinds.count("audio") == 1
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert audio["codec_name"] == "aac"
    assert abs(float(info["format"]["duration"]) - probe_video(video).duration_s) <= 0.05
    return info


# -- container and stream copy ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "suffix", "codec"),
    [("mp4", ".mp4", "h264"), ("mov", ".mp4", "h264"), ("webm", ".mkv", "vp8"), ("vp9_webm", ".mp4", "vp9")],
)
def test_export_copies_the_video_packets_and_matches_its_length(media, tmp_path, name, suffix, codec):
    video = getattr(media, name)
    before = sha256(video)
    output = default_output(tmp_path / video.name, "My Song", probe_video(video).video_codec)
    assert output.suffix == suffix  # VP8 cannot be copied into MP4: Matroska instead
    result = Exporter().run(options(video, media.long_song, output, loop=True, fade_s=0.5))
    assert result.output == output and result.video_copied and result.video_codec == codec
    assert_valid_export(output, video)
    assert video_packet_hashes(output) == video_packet_hashes(video)
    assert sha256(video) == before


def test_an_aac_song_needing_no_processing_is_copied_else_encoded(media, tmp_path):
    # clip.mov's sound is AAC and exactly as long as silent.mp4: nothing to do but copy it.
    copied = Exporter().run(options(media.silent, media.mov, tmp_path / "copy.mp4"))
    assert copied.audio_copied
    assert_valid_export(tmp_path / "copy.mp4", media.silent)
    faded = Exporter().run(options(media.silent, media.mov, tmp_path / "fade.mp4", fade_s=0.5))
    assert not faded.audio_copied
    assert_valid_export(tmp_path / "fade.mp4", media.silent)


def test_explicit_mp4_for_vp8_reencodes_the_video_and_says_so(media, tmp_path):
    result = Exporter().run(options(media.webm, media.song, tmp_path / "out.mp4"))
    assert not result.video_copied
    assert any("re-encoded to H.264" in w for w in result.warnings)
    info = assert_valid_export(tmp_path / "out.mp4", media.webm)
    assert info["streams"][0]["codec_name"] == "h264"


def test_mov_output_gets_faststart_layout(media, tmp_path):
    Exporter().run(options(media.mp4, media.song, tmp_path / "out.mov"))
    data = (tmp_path / "out.mov").read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # +faststart: playable while it downloads


def test_short_song_without_loop_is_padded_with_silence_to_the_video_length(media, tmp_path):
    result = Exporter().run(options(media.mp4, media.song, tmp_path / "out.mp4"))
    assert any("runs out" in w for w in result.warnings)
    assert_valid_export(tmp_path / "out.mp4", media.mp4)
    audio = next(s for s in streams(tmp_path / "out.mp4")["streams"] if s["codec_type"] == "audio")
    assert abs(float(audio["duration"]) - 2.0) <= 0.05


def test_video_without_audio_exports_and_mix_falls_back_to_the_song(media, tmp_path):
    result = Exporter().run(options(media.silent, media.long_song, tmp_path / "out.mp4", mode="mix"))
    assert result.mode == "replace" and any("no sound of its own" in w for w in result.warnings)
    assert_valid_export(tmp_path / "out.mp4", media.silent)


# -- what the audio holds -----------------------------------------------------------------


def test_replace_drops_the_original_sound_and_mix_keeps_it(media, tmp_path):
    Exporter().run(options(media.mp4, media.long_song, tmp_path / "replace.mp4"))
    Exporter().run(options(media.mp4, media.long_song, tmp_path / "mix.mp4", mode="mix"))
    replaced_voice = tone_level_db(tmp_path / "replace.mp4", VIDEO_TONE_HZ)
    mixed_voice = tone_level_db(tmp_path / "mix.mp4", VIDEO_TONE_HZ)
    assert mixed_voice > replaced_voice + 20
    assert tone_level_db(tmp_path / "mix.mp4", SONG_TONE_HZ) > -35  # the song is there too


def test_mix_volumes_scale_each_source(media, tmp_path):
    Exporter().run(options(media.mp4, media.long_song, tmp_path / "a.mp4", mode="mix"))
    Exporter().run(
        options(media.mp4, media.long_song, tmp_path / "b.mp4", mode="mix", song_volume=0.25, original_volume=2.0)
    )
    song_a, song_b = (tone_level_db(tmp_path / n, SONG_TONE_HZ) for n in ("a.mp4", "b.mp4"))
    voice_a, voice_b = (tone_level_db(tmp_path / n, VIDEO_TONE_HZ) for n in ("a.mp4", "b.mp4"))
    assert song_b == pytest.approx(song_a - 12.0, abs=1.5)  # 25 % is -12 dB
    assert voice_b == pytest.approx(voice_a + 6.0, abs=1.5)  # 200 % is +6 dB


def test_fade_out_silences_the_end(media, tmp_path):
    Exporter().run(options(media.mp4, media.long_song, tmp_path / "fade.mp4", fade_s=1.0))
    tail = tmp_path / "tail.wav"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-sseof", "-0.15", "-i", str(tmp_path / "fade.mp4"), "-vn", str(tail)],
        check=True,
    )
    assert tone_level_db(tail, SONG_TONE_HZ) < tone_level_db(tmp_path / "fade.mp4", SONG_TONE_HZ) - 15


def test_offset_past_the_end_of_the_song_is_refused(media, tmp_path):
    with pytest.raises(ExportError, match=r"offset 0:07 is past the end of the song \(0:06\)"):
        Exporter().run(options(media.mp4, media.long_song, tmp_path / "o.mp4", offset_s=7))
    assert list(tmp_path.iterdir()) == []


# -- bad inputs -----------------------------------------------------------------------------


def test_audio_only_file_as_the_video_is_a_clear_error(media, tmp_path):
    with pytest.raises(ExportError, match="has no video stream"):
        Exporter().run(options(media.song, media.long_song, tmp_path / "o.mp4"))


@pytest.mark.parametrize("which", ["text", "missing", "directory"])
def test_unreadable_inputs_are_clear_errors(media, tmp_path, which):
    target = {"text": media.text, "missing": tmp_path / "nope.mp4", "directory": tmp_path}[which]
    message = {"text": "not a media file", "missing": "no such file", "directory": "is a directory"}[which]
    with pytest.raises(ExportError, match=message):
        probe(target)


def test_video_as_the_song_has_audio_and_works(media, tmp_path):
    # A video file is a fine audio source: only its sound is used.
    Exporter().run(options(media.silent, media.mp4, tmp_path / "o.mp4"))
    assert_valid_export(tmp_path / "o.mp4", media.silent)


@pytest.mark.parametrize("suffix", [".webm", ".avi", ""])
def test_output_containers_that_cannot_hold_aac_or_are_unknown_are_refused(media, tmp_path, suffix):
    with pytest.raises(ExportError, match="must end in one of"):
        Exporter().run(options(media.mp4, media.song, tmp_path / f"o{suffix}"))


# -- nothing lost ---------------------------------------------------------------------------


def test_the_input_video_is_never_the_output(workdir):
    video = workdir / "clip.mp4"
    before = sha256(video)
    for overwrite in (False, True):
        with pytest.raises(ExportError, match="never overwrites"):
            Exporter().run(options(video, workdir / "song.m4a", video, overwrite=overwrite))
    link = workdir / "link.mp4"
    link.symlink_to(video)
    with pytest.raises(ExportError, match="never overwrites"):
        Exporter().run(options(video, workdir / "song.m4a", link, overwrite=True))
    assert sha256(video) == before


def test_existing_output_is_kept_unless_overwrite(workdir):
    out = workdir / "out.mp4"
    out.write_bytes(b"precious")
    with pytest.raises(OutputExists):
        Exporter().run(options(workdir / "clip.mp4", workdir / "song.m4a", out))
    assert out.read_bytes() == b"precious"
    Exporter().run(options(workdir / "clip.mp4", workdir / "song.m4a", out, overwrite=True))
    assert_valid_export(out, workdir / "clip.mp4")
    assert sorted(p.name for p in workdir.iterdir()) == ["clip.mp4", "out.mp4", "song.m4a"]


def test_awkward_names_work_and_no_shell_is_involved(media, tmp_path):
    folder = tmp_path / "my videos; $(touch pwned)"
    folder.mkdir()
    video = folder / "-clip 'quoted' \"twice\" été 🎵 a:b.mp4"
    song = folder / "-song $HOME `x`.m4a"
    shutil.copy(media.mp4, video)
    shutil.copy(media.song, song)
    output = default_output(video, "Ça -va? / 🎶", "h264")
    assert output.name == "-clip 'quoted' \"twice\" été 🎵 a:b.ça-va.mp4"
    Exporter().run(options(video, song, output))
    assert_valid_export(output, video)
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_output_permissions_follow_the_umask_which_the_export_never_changes(workdir, monkeypatch):
    # os.umask is the only way to read the umask, and it sets it for every thread meanwhile
    # (SQLite's -wal files, the audio cache...): an export must not call it.
    def no_umask(mask):
        raise AssertionError("the export changed the process umask")

    previous = os.umask(0o027)
    try:
        with monkeypatch.context() as patch:
            patch.setattr(os, "umask", no_umask)
            Exporter().run(options(workdir / "clip.mp4", workdir / "song.m4a", workdir / "o.mp4"))
    finally:
        os.umask(previous)
    assert (workdir / "o.mp4").stat().st_mode & 0o777 == 0o640


def test_cancel_stops_ffmpeg_and_leaves_no_file(media, tmp_path):
    cancel = threading.Event()
    seen = []

    def on_progress(progress):
        seen.append(progress)
        cancel.set()

    # Re-encoding (VP8 -> MP4) keeps ffmpeg busy long enough to be stopped mid-way.
    with pytest.raises(ExportCancelled):
        Exporter().run(options(media.noise_webm, media.long_song, tmp_path / "o.mp4"), on_progress, cancel)
    assert seen and list(tmp_path.iterdir()) == []


def test_progress_reaches_the_end(workdir):
    seen = []
    Exporter().run(options(workdir / "clip.mp4", workdir / "song.m4a", workdir / "o.mp4"), seen.append)
    assert seen[-1].fraction == 1.0 and seen[-1].eta_s == 0
    assert all(0 <= p.fraction <= 1 for p in seen)


@pytest.fixture
def tmpfs(tmp_path):
    """A tiny real file system of our own (needs root to mount; skipped otherwise)."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_is_a_clear_error_and_leaves_nothing(media, tmpfs):
    with pytest.raises(ExportError, match="not enough free space"):
        Exporter().run(options(media.mp4, media.long_song, tmpfs / "o.mp4"))
    # Past the estimate, ffmpeg itself runs out of space: same message, nothing left behind.
    with pytest.raises(ExportError, match="disk holding .* is full"):
        Exporter(check_space=False).run(options(media.mp4, media.long_song, tmpfs / "o.mp4"))
    assert list(tmpfs.iterdir()) == []


def test_read_only_folder_is_a_clear_error(media, tmpfs):
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    with pytest.raises(ExportError, match="read-only file system"):
        Exporter().run(options(media.mp4, media.song, tmpfs / "o.mp4"))


# -- small parsers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"), [("0:15", 15), ("1:02", 62), ("75", 75), ("0:07.5", 7.5), ("1:00:01", 3601)]
)
def test_parse_clock(text, seconds):
    assert parse_clock(text) == seconds


@pytest.mark.parametrize("text", ["", "1:5", "1:60", "-3", "abc", "1::2"])
def test_parse_clock_refuses_nonsense(text):
    with pytest.raises(ValueError):
        parse_clock(text)


def test_format_clock_and_percent_and_slug():
    assert format_clock(75.9) == "1:15" and format_clock(3723) == "1:02:03"
    assert parse_percent("80%", "x") == 0.8
    with pytest.raises(ValueError):
        parse_percent("500", "x")
    assert slug("  Hello, World!! ") == "hello-world" and slug("???") == "song"


# -- the CLI ------------------------------------------------------------------------------


def test_cli_json_export_and_suffix_instead_of_overwrite(workdir, capsys):
    args = ["export", "--video", str(workdir / "clip.mp4"), "--audio", str(workdir / "song.m4a"), "--json"]
    assert cli.main([*args, "--mode", "mix", "--loop", "--fade", "0.5", "--offset", "0:00.5"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["output"] == str(workdir / "clip.song.mp4") and first["video_copied"] and first["mode"] == "mix"
    before = sha256(workdir / "clip.song.mp4")
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["output"] == str(workdir / "clip.song-2.mp4")
    assert "exists" in captured.err
    assert sha256(workdir / "clip.song.mp4") == before
    assert cli.main([*args, "--force"]) == 0
    assert json.loads(capsys.readouterr().out)["output"] == str(workdir / "clip.song.mp4")
    assert_valid_export(workdir / "clip.song.mp4", workdir / "clip.mp4")


def test_cli_errors_are_one_line(workdir, capsys):
    assert cli.main(["export", "--video", str(workdir / "song.m4a"), "--audio", str(workdir / "song.m4a")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tiktune: error: ") and "has no video stream" in err and err.count("\n") == 1
    assert cli.main(["export", "--video", str(workdir / "clip.mp4"), "--audio", "x.mp3", "--offset", "1:99"]) == 2
    assert cli.main(["export", "--video", str(workdir / "clip.mp4")]) == 2  # --song or --audio is required
    capsys.readouterr()
    # What the arguments alone settle is a usage error: a wrong output type, the input itself.
    song = str(workdir / "song.m4a")
    assert cli.main(["export", "--video", str(workdir / "clip.mp4"), "--audio", song, "--out", "x.txt"]) == 2
    assert "must end in one of" in capsys.readouterr().err
    assert (
        cli.main(
            [
                "export",
                "--video",
                str(workdir / "clip.mp4"),
                "--audio",
                song,
                "--out",
                str(workdir / "clip.mp4"),
                "--force",
            ]
        )
        == 2
    )
    assert "never overwrites" in capsys.readouterr().err
    assert list(p.name for p in workdir.iterdir() if p.suffix == ".mp4") == ["clip.mp4"]


def test_cli_song_from_the_catalog_without_audio_says_what_to_do(workdir, capsys):
    from tiktune_tui.library.catalog import load_catalog

    song = next(v.song for v in load_catalog().videos if not v.song.play_url)
    assert cli.main(["export", "--video", str(workdir / "clip.mp4"), "--song", song.id]) == 1
    err = capsys.readouterr().err
    assert f"no audio for song {song.id}: the bundled catalog has no audio; pass --audio FILE" in err


def test_cli_song_uses_the_audio_cache(workdir, capsys):
    from tiktune_tui.library.catalog import load_catalog
    from tiktune_tui.playback.audio_cache import AudioCache

    song: Song = next(v.song for v in load_catalog().videos if v.song.title)
    put_in_cache(AudioCache.default(), song, workdir / "song.m4a")
    assert cli.main(["export", "--video", str(workdir / "clip.mp4"), "--song", song.id, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["song_id"] == song.id and Path(result["output"]).name == f"clip.{slug(song.title)}.mp4"
    assert_valid_export(Path(result["output"]), workdir / "clip.mp4")


def test_cli_unknown_song(workdir, capsys):
    assert cli.main(["export", "--video", str(workdir / "clip.mp4"), "--song", "no-such-song"]) == 1
    assert "no song with music id no-such-song" in capsys.readouterr().err


# -- a damaged video ------------------------------------------------------------------------


def test_a_truncated_mp4_whose_index_survived_is_exported_with_a_warning_naming_its_real_length(
    media, tmp_path, capsys
):
    from tests.support.export_media import make_truncated_mp4

    cut = make_truncated_mp4(tmp_path)
    assert probe_video(cut).duration_s == pytest.approx(10, abs=0.1)  # what the index claims
    end = probe_video(cut).video_end_s
    assert end is not None and 1.0 <= end <= 4.0
    result = Exporter().run(options(cut, media.long_song, tmp_path / "o.mp4", loop=True))
    [warning] = [w for w in result.warnings if "damaged" in w]
    assert f"stop at {format_clock(end)} of 0:10" in warning
    # The CLI says so on stderr; a whole video gets no such warning.
    assert (
        cli.main(["export", "--video", str(cut), "--audio", str(media.long_song), "--out", str(tmp_path / "c.mp4")])
        == 0
    )
    err = capsys.readouterr().err
    assert f"tiktune: warning: the video is damaged: its pictures stop at {format_clock(end)} of 0:10" in err
    assert probe_video(media.mp4).video_end_s is None
    assert not any("damaged" in w for w in Exporter().run(options(media.mp4, media.song, tmp_path / "w.mp4")).warnings)


# -- file names that are not UTF-8 ------------------------------------------------------------


@pytest.fixture
def non_utf8_folder(tmp_path, media) -> Path:
    """A folder and a video whose names are bytes that are not UTF-8 (as os.fsdecode gives them)."""
    folder = Path(os.fsdecode(os.fsencode(tmp_path) + b"/clips\xff\xfe"))
    try:
        folder.mkdir()
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    shutil.copy(media.mp4, folder / os.fsdecode(b"v\xe9.mp4"))
    return folder


def test_a_video_named_in_bytes_that_are_not_utf8_exports(non_utf8_folder, media):
    video = non_utf8_folder / os.fsdecode(b"v\xe9.mp4")
    output = non_utf8_folder / os.fsdecode(b"out\xff.mp4")
    Exporter().run(options(video, media.song, output))
    assert os.fsencode(output).endswith(b"/clips\xff\xfe/out\xff.mp4") and output.exists()
    assert_valid_export(output, video)
    assert video_packet_hashes(output) == video_packet_hashes(video)


def test_cli_exports_a_video_named_in_bytes_that_are_not_utf8(non_utf8_folder, media, capsys):
    video = non_utf8_folder / os.fsdecode(b"v\xe9.mp4")
    assert cli.main(["export", "--video", str(video), "--audio", str(media.song), "--no-open"]) == 0
    captured = capsys.readouterr()
    assert "Error" not in captured.err and "\udce9" not in captured.out  # the name is shown escaped
    written = non_utf8_folder / os.fsdecode(b"v\xe9.song.mp4")
    assert_valid_export(written, video)
