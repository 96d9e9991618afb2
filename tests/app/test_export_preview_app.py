"""The export modal's preview inside the real app: ctrl+l renders the mix and the music bar plays it
(real ffmpeg, real libVLC with its dummy output), and nothing is written beside the user's video."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace

import pytest
from textual.widgets import Input, Label, Static

from tests.support.export_media import make_clip, make_media, put_in_cache
from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tiktune_tui.core.models import Song
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.ui.screens.export_screen import ExportScreen

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")

# The catalog's first song for #cooking (ui_catalog.VIDEOS): "[bold red]x[/]" by Markup Max.
SONG = Song(id="12", title="[bold red]x[/]", author="Markup Max")


async def until(pilot, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "never got there"
        await pilot.pause(0.05)


def label(app, selector: str) -> str:
    content = app.query_one(selector, Label).content
    return getattr(content, "plain", str(content))


async def test_ctrl_l_plays_a_preview_in_the_music_bar_and_writes_nothing_beside_the_video(tmp_path):
    (tmp_path / "media").mkdir()
    media = make_media(tmp_path / "media")
    folder = tmp_path / "my videos"
    folder.mkdir()
    video = make_clip(folder / "clip.mp4", 6)  # its preview plays long enough to be seen playing
    data = tmp_path / "data"
    put_in_cache(AudioCache.default(str(data)), SONG, media.long_song)
    app = make_app(write_catalog(tmp_path / "catalog.csv"), tags=["cooking"])
    app.source = replace(app.source, data_dir=str(data))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        app.table.focus()
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen))
        screen = app.screen
        assert "ctrl+l previews" in str(screen.query_one("#export").border_subtitle)
        await until(pilot, lambda: screen.audio_info is not None)
        screen.query_one("#export-video", Input).value = str(video)
        await until(pilot, lambda: screen.video_info is not None)
        screen.query_one("#export-output", Input).value = ""  # a preview needs no output
        before = sorted(folder.iterdir())

        await pilot.press("ctrl+l")
        await until(pilot, lambda: screen.preview_state in ("playing", "failed"))
        message = str(screen.query_one("#export-message", Static).render())
        assert screen.preview_state == "playing", message
        assert "Preview playing in the music bar" in message
        await until(pilot, lambda: label(app, "#bar-state") == "▶")
        assert label(app, "#bar-title") == "Preview: [bold red]x[/] — Markup Max"  # literally, no markup
        playing = app.music_bar.status.song
        assert playing is not None and playing.play_url is not None
        preview = app.previews.current
        assert preview is not None and str(preview) == playing.play_url and preview.is_relative_to(data)
        assert sorted(folder.iterdir()) == before

        await pilot.press("ctrl+l")  # again: the new preview replaces the last one
        await until(pilot, lambda: app.previews.current not in (None, preview) and screen.preview_state == "playing")
        assert not preview.exists()
        preview = app.previews.current
        player = app.music_bar.player
    assert player.threads == []
    assert not preview.exists()  # removed at exit
    assert sorted(folder.iterdir()) == before


async def test_a_preview_of_a_chosen_audio_file_is_named_after_it_and_says_what_is_missing_first(tmp_path):
    from tests.app.test_export_screen import Host

    (tmp_path / "media").mkdir()
    media = make_media(tmp_path / "media")
    played: list[tuple[str, str]] = []
    screen = ExportScreen(None, play_preview=lambda path, title: played.append((str(path), title)))
    app = Host(screen)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+l")  # nothing picked yet: it says so, and renders nothing
        await pilot.pause()
        assert str(screen.query_one("#export-message", Static).render()).startswith("Not ready to preview:")
        screen.query_one("#export-video", Input).value = str(media.mp4)
        screen.query_one("#export-audio", Input).value = str(media.long_song)
        await until(pilot, lambda: screen.video_info is not None and screen.audio_info is not None)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: screen.preview_state in ("playing", "failed"))
        preview = screen.previews.current
        assert played == [(str(preview), "Preview: long song")]
    assert not preview.exists()  # without the app's, the modal's own previews go when it closes
