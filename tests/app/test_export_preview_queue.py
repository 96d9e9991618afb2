"""An export's preview inside the real app is a one-off: it does not lose the user's queue.

Real ffmpeg renders the preview, real libVLC (dummy output) plays a 3-song queue and then the
preview; after the preview (played to its end, or stopped with play/pause) the queue is the same
3 songs with the same current song, paused where it was, and the queue panel showed them all along.
"""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from textual.widgets import Input, Label

from tests.support.export_media import make_clip, put_in_cache
from tests.support.player_support import make_tone
from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tests.support.waiting import until
from tiktune_tui.core.models import Song
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.playback.player import PlayerState
from tiktune_tui.ui.screens.export_screen import ExportScreen

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")

QUEUE_IDS = ("11", "12", "14")  # the #cooking songs of the catalog (ui_catalog.VIDEOS)


def label(app, selector: str) -> str:
    content = app.query_one(selector, Label).content
    return getattr(content, "plain", str(content))


def queue_of(app) -> tuple[tuple[str, ...], int | None, str | None]:
    status = app.music_bar.status
    return tuple(s.id for s in status.songs), status.index, status.song.id if status.song else None


@pytest.fixture
def setup(tmp_path):
    (tmp_path / "media").mkdir()
    video = make_clip(tmp_path / "media" / "six seconds.mp4", 6)
    data = tmp_path / "data"
    cache = AudioCache.default(str(data))
    for n, song_id in enumerate(QUEUE_IDS):
        tone = make_tone(tmp_path / "media" / f"tone {song_id}.mp3", 30, 330 + 110 * n)
        put_in_cache(cache, Song(id=song_id, title=""), tone)
    app = make_app(write_catalog(tmp_path / "catalog.csv"), tags=["cooking"])
    app.source = replace(app.source, data_dir=str(data))
    return app, video


async def play_queue_and_preview(pilot, app, video):
    await wait_for_search(pilot)
    await pilot.press("u")  # the queue panel, shown all along
    app.table.focus()
    await pilot.press("home", "enter")  # the 3 songs of the list, from the first
    await until(pilot, lambda: app.music_bar.status.state == PlayerState.PLAYING, what="the queue playing")
    await until(pilot, lambda: app.music_bar.status.position_s > 0.3, what="the queue's song under way")
    before = queue_of(app)
    assert sorted(before[0]) == sorted(QUEUE_IDS) and before[1] == 0
    app.table.move_to_song("12")
    await pilot.press("e")
    await until(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export modal")
    screen = app.screen
    await until(pilot, lambda: screen.audio_info is not None, what="the song's audio")
    screen.query_one("#export-video", Input).value = str(video)
    await until(pilot, lambda: screen.video_info is not None, what="the video probed")
    screen.query_one("#export-output", Input).value = ""
    await pilot.press("ctrl+l")
    await until(pilot, lambda: screen.preview_state in ("playing", "failed"), what="the preview rendered")
    assert screen.preview_state == "playing"
    await until(pilot, lambda: app.music_bar.status.one_off, what="the preview playing")
    # During the preview the queue is still the queue, and the panel shows it.
    assert queue_of(app)[:2] == before[:2]
    assert label(app, "#bar-title").startswith("Preview: ")
    assert label(app, "#bar-place") == ""  # the preview is no place in the queue
    panel = app.queue_panel
    assert (tuple(s.id for s in panel._songs), panel._current) == before[:2]
    return screen, before


async def test_a_preview_that_plays_to_its_end_gives_the_queue_back(setup):
    app, video = setup
    async with app.run_test(size=(120, 36)) as pilot:
        _screen, before = await play_queue_and_preview(pilot, app, video)
        await until(pilot, lambda: not app.music_bar.status.one_off, what="the preview's end")
        status = app.music_bar.status
        assert queue_of(app) == before
        assert status.state == PlayerState.PAUSED and status.position_s > 0.3  # where it was
        assert label(app, "#bar-state") == "⏸"
        await pilot.press("escape")  # the modal closes; the queue panel still shows the queue
        await until(pilot, lambda: not isinstance(app.screen, ExportScreen), what="the modal closed")
        panel = app.queue_panel
        assert panel.display and (tuple(s.id for s in panel._songs), panel._current) == before[:2]
        assert label(app, "#bar-place") == "1/3"
        # Space (play/pause) resumes the queue's song, whatever row the table is on: it does not
        # play the table's list from its cursor instead, as it does once a queue has played out.
        app.table.move_to_song("14")
        app.action_play_pause()
        await until(pilot, lambda: app.music_bar.status.state == PlayerState.PLAYING, what="the queue again")
        assert queue_of(app) == before


async def test_play_pause_during_a_preview_stops_it_and_gives_the_queue_back(setup):
    app, video = setup
    async with app.run_test(size=(120, 36)) as pilot:
        _screen, before = await play_queue_and_preview(pilot, app, video)
        app.action_play_pause()  # the space key
        await until(pilot, lambda: not app.music_bar.status.one_off, what="the preview stopped")
        assert queue_of(app) == before
        assert app.music_bar.status.state == PlayerState.PAUSED
