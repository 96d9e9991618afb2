"""Offset "auto" (Best part) in the export modal: an export or a preview started before the best
part has been found waits for it, instead of starting the song at 0:00 (real ffmpeg)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.app.test_export_screen import Host
from tests.support.export_media import H264, _testsrc, ffmpeg
from tests.support.waiting import until
from tiktune_tui.export.exporter import Exporter
from tiktune_tui.ui.screens.export_screen import ExportScreen

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")

LOUD_AT_S = 4.0  # the song is quiet but for 4 s to 6 s: its best part over a 2-s video starts there


class RecordingExporter(Exporter):
    """The real exporter, keeping the options each export and preview was started with."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list = []
        self.previews: list = []

    def run(self, options, **kwargs):
        self.runs.append(options)
        return super().run(options, **kwargs)

    def preview(self, options, target, **kwargs):
        self.previews.append(options)
        return super().preview(options, target, **kwargs)


@pytest.fixture
def inputs(tmp_path) -> tuple[Path, Path]:
    video = tmp_path / "clip.mp4"
    ffmpeg(*_testsrc(2), *H264, str(video))
    song = tmp_path / "song.mp3"
    ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=600:duration=8,volume='if(between(t,4,6),0.8,0.02)':eval=frame", str(song)
    )  # fmt: skip
    return video, song


async def fill_in(pilot, screen: ExportScreen, video: Path, song: Path, output: Path | None) -> None:
    screen.query_one("#export-video", Input).value = str(video)
    screen.query_one("#export-audio", Input).value = str(song)
    await until(pilot, lambda: screen.video_info is not None and screen.audio_info is not None, what="the probes")
    screen.query_one("#export-output", Input).value = str(output) if output else ""
    screen.query_one("#export-loudness", Input).value = "off"
    await pilot.pause()


async def test_an_export_started_right_after_best_part_starts_at_the_best_part(tmp_path, inputs):
    video, song = inputs
    exporter = RecordingExporter()
    screen = ExportScreen(None, exporter_service=exporter)
    async with Host(screen).run_test(size=(120, 36)) as pilot:
        await fill_in(pilot, screen, video, song, tmp_path / "out.mp4")
        assert screen.ready and screen.best_part is None
        # Best part, then Export in the same moment: the best part has not answered yet.
        screen.pick_best_part()
        screen.run_export()
        assert screen.state == "running"
        await until(pilot, lambda: screen.state != "running", what="the export")
        assert screen.state == "done", screen.query_one("#export-message").render()
        [options] = exporter.runs
        assert abs(options.offset_s - LOUD_AT_S) <= 0.5
        assert screen.query_one("#export-offset", Input).value == "0:04"  # what was used is shown


async def test_a_preview_started_right_after_best_part_previews_the_best_part(tmp_path, inputs):
    video, song = inputs
    exporter = RecordingExporter()
    played: list = []
    screen = ExportScreen(None, exporter_service=exporter, play_preview=lambda path, title: played.append(path))
    async with Host(screen).run_test(size=(120, 36)) as pilot:
        await fill_in(pilot, screen, video, song, None)
        screen.pick_best_part()
        screen.run_preview()
        await until(pilot, lambda: screen.preview_state in ("playing", "failed"), what="the preview")
        assert screen.preview_state == "playing" and len(played) == 1
        [options] = exporter.previews
        assert abs(options.offset_s - LOUD_AT_S) <= 0.5
        message = str(screen.query_one("#export-message").render())
        assert "from 0:04 of the song" in message
