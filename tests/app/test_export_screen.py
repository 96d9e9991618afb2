"""The export modal driven end to end with Pilot, real ffmpeg underneath, no real desktop opener."""

from __future__ import annotations

import asyncio
import shutil
import stat
from pathlib import Path

import pytest
from textual.app import App
from textual.geometry import Region
from textual.widgets import Button, Input, Static

from tests.support.export_media import Media, make_media, put_in_cache, sha256, streams, video_packet_hashes
from tests.support.waiting import until as wait_for
from tiktune_tui.core.models import Song
from tiktune_tui.export.exporter import Exporter, ExportResult
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.text import format_clock
from tiktune_tui.ui.screens.export_screen import ConfirmOverwrite, ExportScreen

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")

TCSS = Path(__file__).resolve().parents[2] / "tiktune_tui" / "ui" / "tiktune.tcss"
SONG = Song(id="7001", title="Sunny Day", author="Band")


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Media:
    return make_media(tmp_path_factory.mktemp("media"))


class Host(App):
    CSS_PATH = TCSS

    def __init__(self, screen: ExportScreen) -> None:
        super().__init__()
        self.export_screen = screen
        self.results: list[ExportResult | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.export_screen, self.results.append)


def note(screen: ExportScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def slow_export(media: Media, tmp_path: Path, pid_log: Path | None = None) -> tuple[Path, ExportScreen]:
    """A copy of the test clip in its own folder, and an export modal whose ffmpeg is the real
    one reading at real-time speed (time to cancel or stop it), noting its pid in `pid_log`
    (exec keeps it)."""
    note_pid = f'echo $$ >> "{pid_log}"\n' if pid_log else ""
    slow = tmp_path / "slow-ffmpeg"
    slow.write_text(f'#!/bin/sh\n{note_pid}exec {shutil.which("ffmpeg")} -re "$@"\n')
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    work = tmp_path / "work"
    work.mkdir()
    video = work / "clip.mp4"
    shutil.copy(media.mp4, video)
    return video, ExportScreen(None, exporter_service=Exporter(ffmpeg_cmd=str(slow)), desktop=False)


async def type_into(pilot, selector: str, text: str) -> None:
    """Focus the input and type `text` (all but the last few keys pasted in: Pilot types slowly)."""
    await pilot.click(selector)
    widget = pilot.app.screen.query_one(selector, Input)
    widget.value = text[:-3]
    widget.cursor_position = len(widget.value)
    await pilot.press(*text[-3:])


async def test_export_modal_end_to_end(media, tmp_path):
    video = tmp_path / "my clip.mp4"
    shutil.copy(media.mp4, video)
    before = sha256(video)
    cache = AudioCache(tmp_path / "cache")
    put_in_cache(cache, SONG, media.long_song)
    opened: list[Path] = []
    screen = ExportScreen(SONG, audio_cache=cache, desktop=True, open_file=opened.append)
    app = Host(screen)
    async with app.run_test(size=(110, 50)) as pilot:
        await wait_for(pilot, lambda: screen.audio_info is not None)
        assert "ready" in str(screen.query_one("#export-audio-status", Static).render())
        assert not screen.ready

        await type_into(pilot, "#export-video", str(video))
        await wait_for(pilot, lambda: screen.video_info is not None)
        assert screen.query_one("#export-output", Input).value == str(tmp_path / "my clip.sunny-day.mp4")
        assert "0:02" in note(screen, "#export-video-note")

        await pilot.click("#export-mode-mix")
        assert not screen.query_one("#export-original-volume", Input).disabled
        await type_into(pilot, "#export-offset", "1:99")
        assert "not a time" in note(screen, "#export-timing-note")
        assert not screen.ready
        await type_into(pilot, "#export-offset", "0:09")
        assert "past the end of the song" in note(screen, "#export-timing-note")
        await type_into(pilot, "#export-offset", "0:01")
        await type_into(pilot, "#export-fade", "0.5")
        await type_into(pilot, "#export-original-volume", "50")
        await pilot.click("#export-loop")
        assert note(screen, "#export-timing-note") == ""
        assert screen.ready

        await pilot.click("#export-run")
        await wait_for(pilot, lambda: screen.state == "done")
        output = tmp_path / "my clip.sunny-day.mp4"
        assert "Saved" in str(screen.query_one("#export-message", Static).render())
        await pilot.pause()  # the buttons of the done state are laid out before they are clicked
        await pilot.click("#export-open")
        await wait_for(pilot, lambda: opened == [output])
        await pilot.click("#export-close")
        await pilot.pause()

    [result] = app.results
    assert result is not None and result.output == output and result.mode == "mix" and result.video_copied
    info = streams(output)
    assert [s["codec_name"] for s in info["streams"]] == ["h264", "aac"]
    assert abs(float(info["format"]["duration"]) - 2.0) <= 0.05
    assert video_packet_hashes(output) == video_packet_hashes(video)
    assert sha256(video) == before


async def test_missing_song_audio_asks_for_a_local_file_picked_in_the_picker(media, tmp_path):
    video = tmp_path / "clip.mp4"
    shutil.copy(media.mp4, video)
    (tmp_path / "clip.song.mp4").write_bytes(b"older export")  # named after the audio picked below
    screen = ExportScreen(SONG, audio_cache=AudioCache(tmp_path / "cache"), desktop=False)
    app = Host(screen)
    async with app.run_test(size=(110, 50)) as pilot:
        status = str(screen.query_one("#export-audio-status", Static).render())
        assert "not available" in status and "Pick a local audio file" in status
        await type_into(pilot, "#export-video", str(video))
        await wait_for(pilot, lambda: screen.video_info is not None)
        assert "pick an audio file" in note(screen, "#export-audio-note")
        assert not screen.ready

        await pilot.click("#export-browse-audio")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "FilePicker")
        picker = app.screen
        path_input = picker.query_one("#picker-path", Input)
        assert path_input.value == str(tmp_path)  # starts beside the video
        path_input.value = str(media.song)
        await pilot.click("#picker-path")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.audio_info is not None)
        assert screen.query_one("#export-audio", Input).value == str(media.song)
        # The output is named after the audio the user chose (song.m4a), as the CLI names it.
        assert screen.query_one("#export-output", Input).value == str(tmp_path / "clip.song.mp4")

        assert "asked before" in note(screen, "#export-output-note")
        await pilot.click("#export-run")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmOverwrite")
        await pilot.click("#overwrite-no-button")
        await pilot.pause()
        assert (tmp_path / "clip.song.mp4").read_bytes() == b"older export"
        assert screen.state == "form"

        await pilot.click("#export-run")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmOverwrite")
        await pilot.click("#overwrite-yes")
        await wait_for(pilot, lambda: screen.state == "done")
        # No display: the path is shown in full and "Copy path" is offered first.
        assert str(tmp_path / "clip.song.mp4") in str(screen.query_one("#export-message", Static).render())
        assert not screen.query_one("#export-open", Button).display
        # The done state moves the focus once it is laid out (after the confirm modal hands focus back).
        await wait_for(pilot, lambda: app.focused is screen.query_one("#export-copy", Button))
        await pilot.pause()
        await pilot.click("#export-copy")
        assert app.clipboard == str(tmp_path / "clip.song.mp4")
    assert streams(tmp_path / "clip.song.mp4")["streams"][1]["codec_name"] == "aac"


def shown_text(app) -> str:
    """What the current screen's texts say, unwrapped (the inputs are checked on their own).

    Each text's content, not the wrapped screen lines: where a long path wraps depends on the
    length of the temp folder, and a line break inside "no folder" would fail a test that is
    about escaping. That nothing raw reaches the terminal is checked on the drawn lines too.
    """
    texts, drawn = [], []
    for widget in app.screen.query(Static):
        if widget.display and widget.size.area:
            texts.append(str(widget.render()))
            drawn += [strip.text for strip in widget.render_lines(Region(0, 0, *widget.size))]
    for line in drawn:
        assert "\x1b" not in line and "\x07" not in line and "\x9b" not in line, line
    return "\n".join(texts)


async def test_hostile_titles_and_file_names_reach_the_terminal_escaped(media, tmp_path):
    hostile = Song(id="7002", title="\x1b[31mX", author="\x1b]0;pwned\x07Band")
    folder = tmp_path / "clips\x1b[2J"
    folder.mkdir()
    video = folder / "clip.mp4"
    shutil.copy(media.mp4, video)
    screen = ExportScreen(hostile, audio_cache=AudioCache(tmp_path / "cache"), desktop=False)
    app = Host(screen)
    async with app.run_test(size=(110, 50)) as pilot:
        screen.query_one("#export-video", Input).value = str(video)
        await wait_for(pilot, lambda: screen.video_info is not None)
        screen.query_one("#export-output", Input).value = str(folder / "gone\x1b[5m" / "out.mp4")
        await pilot.pause()
        shown = shown_text(app)
        assert "\\x1b[31mX" in shown and "\\x1b]0;pwned\\x07Band" in shown
        assert "no folder" in shown and "gone\\x1b[5m" in shown
        assert "\x1b" not in shown and "\x07" not in shown
        # The inputs hold the exact paths but draw each control character as one visible cell.
        video_input = screen.query_one("#export-video", Input)
        assert video_input.value == str(video)
        for field in (video_input, screen.query_one("#export-output", Input)):
            assert "\x1b" not in field.render_line(0).text  # what fits of the path
            assert "\x1b" not in field._value.plain and "clips␛[2J" in field._value.plain  # all of it

        screen._finished(
            ExportResult(
                output=folder / "out.mp4",
                duration_s=2.0,
                container="mp4",
                video_codec="h264",
                video_copied=True,
                audio_codec="aac",
                audio_copied=False,
                mode="replace",
                size_bytes=1000,
                elapsed_s=0.1,
                warnings=("odd \x1b[1m warning",),
            )
        )
        await pilot.pause()
        shown = shown_text(app)
        assert "Saved" in shown and "clips\\x1b[2J" in shown and "odd \\x1b[1m warning" in shown
        assert "\x1b" not in shown

        await app.push_screen(ConfirmOverwrite(folder / "out.mp4"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmOverwrite))
        shown = shown_text(app)
        assert "Replace the existing file?" in shown and "\\x1b[2J/out.mp4" in shown
        assert "\x1b" not in shown


async def test_cancel_in_the_modal_stops_ffmpeg_and_leaves_no_file(media, tmp_path):
    # ffmpeg reading its input at real-time speed, so there is time to cancel: still the real ffmpeg.
    video, screen = slow_export(media, tmp_path)
    app = Host(screen)
    async with app.run_test(size=(110, 50)) as pilot:
        await type_into(pilot, "#export-video", str(video))
        await type_into(pilot, "#export-audio", str(media.song))
        await wait_for(pilot, lambda: screen.video_info is not None and screen.audio_info is not None)
        await pilot.click("#export-run")
        await wait_for(pilot, lambda: "/" in str(screen.query_one("#export-progress-label", Static).render()))
        assert screen.state == "running"
        await pilot.click("#export-close")
        await wait_for(pilot, lambda: screen.state == "form")
        assert "Cancelled" in str(screen.query_one("#export-message", Static).render())
        await asyncio.sleep(0)
    assert sorted(p.name for p in video.parent.iterdir()) == ["clip.mp4"]


async def test_e_in_the_app_opens_the_modal_for_the_selected_song(tmp_path):
    from tests.support.ui_catalog import make_app, wait_for_search, write_catalog

    app = make_app(write_catalog(tmp_path / "ui.csv"), tags=["cooking"])
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_search(pilot)
        app.table.focus()
        await pilot.press("down")
        selected = app.table.songs_in_view_order()[app.table.cursor_row]
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert app.screen.song == selected
        assert selected.display_title in str(app.screen.query_one("#export-song", Static).render())
        clip = tmp_path / "clip.mp4"
        clip.write_bytes(b"not probed here")
        app.screen.query_one("#export-video", Input).value = str(clip)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportScreen))
        # Open again (another song, usually the same clip): the video is filled in.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
        assert app.screen.query_one("#export-video", Input).value == str(clip)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportScreen))


def test_export_modal_snapshot(snap_compare, media, tmp_path, monkeypatch):
    # Relative paths in a tmp cwd, so the picture is the same on every run; no progress bar (no clock).
    monkeypatch.chdir(tmp_path)
    shutil.copy(media.mp4, tmp_path / "clip.mp4")
    cache = AudioCache(tmp_path / "cache")
    put_in_cache(cache, SONG, media.long_song)
    screen = ExportScreen(SONG, audio_cache=cache, desktop=False)
    app = Host(screen)

    async def run_before(pilot) -> None:
        for field in screen.query(Input):
            field.cursor_blink = False
        await wait_for(pilot, lambda: screen.audio_info is not None)
        screen.query_one("#export-video", Input).value = "clip.mp4"
        await wait_for(pilot, lambda: screen.video_info is not None)
        screen.query_one("#export-output", Input).value = "clip.sunny-day.mp4"
        await pilot.click("#export-mode-mix")
        screen.query_one("#export-video", Input).focus()
        await pilot.pause()
        assert screen.ready

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


async def test_a_truncated_video_is_flagged_beside_the_video_field(tmp_path):
    from tests.support.export_media import make_truncated_mp4
    from tiktune_tui.export.probe import probe_video

    cut = make_truncated_mp4(tmp_path)
    end = probe_video(cut).video_end_s
    assert end is not None
    screen = ExportScreen(None, desktop=False)
    app = Host(screen)
    async with app.run_test(size=(110, 50)) as pilot:
        screen.query_one("#export-video", Input).value = str(cut)
        await wait_for(pilot, lambda: screen.video_info is not None)
        text = note(screen, "#export-video-note")
        assert "damaged" in text and f"stop at {format_clock(end)} of 0:10" in text
        assert screen.query_one("#export-video-note", Static).has_class("-error")


async def test_sigterm_of_the_app_mid_export_cancels_it_stops_ffmpeg_and_leaves_no_part_file(media, tmp_path):
    import os
    import signal

    from tiktune_tui.ui.signals import exit_on_signals

    log = tmp_path / "ffmpeg-pids"
    video, screen = slow_export(media, tmp_path, pid_log=log)
    app = Host(screen)
    with exit_on_signals(app):
        async with app.run_test(size=(110, 50)) as pilot:
            await type_into(pilot, "#export-video", str(video))
            await type_into(pilot, "#export-audio", str(media.song))
            await wait_for(pilot, lambda: screen.video_info is not None and screen.audio_info is not None)
            await pilot.click("#export-run")
            await wait_for(pilot, lambda: "/" in str(screen.query_one("#export-progress-label", Static).render()))
            assert screen.state == "running" and any(p.name.endswith(".tiktune-part") for p in video.parent.iterdir())
            os.kill(os.getpid(), signal.SIGTERM)  # what `kill` or a closing terminal (SIGHUP) sends
            await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 128 + signal.SIGTERM
    assert sorted(p.name for p in video.parent.iterdir()) == ["clip.mp4"]  # no part file, no output
    for pid in (int(line) for line in log.read_text().split()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


async def test_the_window_names_and_answers_the_users_keys(tmp_path):
    keymap = {"export-cancel": "f7", "export-preview": "f6"}
    screen = ExportScreen(None, desktop=False, keymap=keymap)
    app = Host(screen)
    app.set_keymap(keymap)
    async with app.run_test(size=(110, 50)) as pilot:
        await pilot.pause()
        box = screen.query_one("#export")
        assert str(box.border_subtitle) == "f6 previews · ctrl+s exports · f7 cancels"
        assert "Preview  f6" in str(screen.query_one("#export-preview", Button).label)
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.results == [None], what="the window closed")
