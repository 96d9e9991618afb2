"""The creator's workflow through Pilot, real SQLite and real libVLC (dummy output): the
shortlist, now playing, the queue, shuffle and repeat, find within results."""

from __future__ import annotations

import pytest

from tests.support.player_support import make_tone, serve_directory
from tests.support.ui_catalog import COOKING_DIY_ORDER, make_app, wait_for_search, write_catalog
from tests.support.waiting import until
from tiktune_tui.library.store import Store
from tiktune_tui.paths import database_path
from tiktune_tui.playback.player import PlayerState
from tiktune_tui.playback.queue import Repeat


@pytest.fixture
def catalog(tmp_path):
    return write_catalog(tmp_path / "ui.csv")


async def test_save_unsave_marks_and_the_shortlist_view(catalog, tmp_path):
    app = make_app(catalog, tags=["cooking", "diy"])
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        app.table.focus()
        await pilot.press("j", "b")  # save the second song
        second = COOKING_DIY_ORDER[1]
        assert app.saved_ids == {second}
        assert "★" in app.table.render_line(2).text  # marked in the results
        assert "★" not in app.table.render_line(1).text
        with Store(database_path(None)) as store:  # kept in the database, with the query's tags
            (saved,) = store.saved_songs()
        assert saved.song.id == second and saved.tags == ("cooking", "diy")
        await pilot.press("s", "s")  # sorting keeps the mark on its song
        row = app.table.index_of(second)
        assert "★" in app.table.render_line(row + 1).text
        await pilot.press("B")  # the shortlist view
        assert app.view == "saved" and app.table.song_ids() == [second]
        assert "shortlist" in app.status.parts["results"].plain
        # A new search does not reach the shortlist view unasked; leaving it shows the results.
        await pilot.press("B")
        assert app.view == "results" and sorted(app.table.song_ids()) == sorted(COOKING_DIY_ORDER)
        await pilot.press("B")
        await pilot.press("b")  # unsave from the shortlist itself
        assert app.table.song_ids() == [] and app.saved_ids == frozenset()


async def test_find_filters_by_title_and_drops_excluded_tags(catalog):
    app = make_app(catalog, tags=["cooking", "diy"])
    async with app.run_test() as pilot:
        await wait_for_search(pilot)
        app.table.focus()
        await pilot.press("f")
        assert app.focused.id == "find"
        await pilot.press(*"alpha")
        assert app.table.song_ids() == ["11"]
        assert app.search_state == "done" and app.query_tags == ["cooking", "diy"]  # no search fired
        await pilot.press("escape")
        assert len(app.table.song_ids()) == 4 and app.focused is app.table
        await pilot.press("f", *"-diy")  # songs whose matching videos all carry #diy go
        assert "13" not in app.table.song_ids() and "12" in app.table.song_ids()
        await pilot.press("escape", "F")  # match all: only songs matched by every tag
        assert sorted(app.table.song_ids()) == ["11", "14"]
        await pilot.press("F")
        assert len(app.table.song_ids()) == 4


@pytest.fixture(scope="module")
def tone_url(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tones")
    for name in ("a", "b", "c", "d"):
        make_tone(directory / f"{name}.mp3", 30, 440)
    with serve_directory(directory) as url:
        yield url


def playable_catalog(path, url):
    import csv

    from tests.support.ui_catalog import COLUMNS

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n, name in enumerate(("a", "b", "c", "d")):
            writer.writerow(
                [
                    str(100 + n),
                    "mix",
                    str(10 + n),
                    f"Tone {name}",
                    "ffmpeg",
                    "30",
                    f"{url}{name}.mp3",
                    1000 - n * 100,
                    0,
                    0,
                    0,
                    "2025-05-01T10:00:00Z",
                ]
            )
    return path


async def play_from_the_top(pilot):
    """Enter on the first row of the search's results; the music bar once it plays."""
    app = pilot.app
    await wait_for_search(pilot)
    app.table.focus()
    await pilot.press("enter")
    bar = app.music_bar
    await until(pilot, lambda: bar.status and bar.status.state == PlayerState.PLAYING)
    return bar


async def test_now_playing_queue_shuffle_and_repeat_with_real_libvlc(tmp_path, tone_url):
    app = make_app(playable_catalog(tmp_path / "p.csv", tone_url), tags=["mix"])
    async with app.run_test(size=(80, 24)) as pilot:
        bar = await play_from_the_top(pilot)
        await until(pilot, lambda: app.table.playing_id == "10")
        assert "▶" in app.table.render_line(1).text
        await pilot.press("r")  # reverse sort: the mark follows the song
        await until(pilot, lambda: app.table.index_of("10") == 3)
        assert "▶" in app.table.render_line(4).text
        await pilot.press("g", "i")  # jump to the playing song
        assert app.table.current_song_id == "10"
        # The queue: open it, move the last song up, remove one.
        await pilot.press("u")
        panel = app.queue_panel
        assert panel.display and app.focused is panel and panel.song_count == 4
        await pilot.press("end", "K")  # the last song one up
        await until(pilot, lambda: [s.id for s in bar.status.songs] == ["10", "11", "13", "12"])
        await pilot.press("d")  # the cursor moved with it: it goes
        await until(pilot, lambda: [s.id for s in bar.status.songs] == ["10", "11", "12"])
        # A new search does not replace what plays.
        app.start_search(["mix"])
        await wait_for_search(pilot)
        assert bar.status.song.id == "10" and len(bar.status.songs) == 3
        await pilot.press("escape")  # back to the list
        assert app.focused is app.table and not panel.display
        await pilot.press("z", "x")
        await until(pilot, lambda: bar.status.shuffle and bar.status.repeat == Repeat.ALL)
        place = str(bar.query_one("#bar-place").render())
        assert "shuffle" in place and "repeat all" in place
        await pilot.press("x", "x", "z")
        await until(pilot, lambda: not bar.status.shuffle and bar.status.repeat == Repeat.OFF)
        app.table.move_to_song("13")
        await pilot.press("a")  # the removed song, added back at the end
        await until(pilot, lambda: [s.id for s in bar.status.songs] == ["10", "11", "12", "13"])
        await pilot.press("A")  # already queued: moves to play next, not twice
        await until(pilot, lambda: [s.id for s in bar.status.songs] == ["10", "13", "11", "12"])


async def test_links_in_the_details_and_copied(catalog):
    from tiktune_tui.core.links import song_link, video_link
    from tiktune_tui.core.models import Song, Video

    assert song_link(Song("11")) == "https://www.tiktok.com/music/sound-11"
    assert video_link(Video("5", Song("1"), author="ann.b")) == "https://www.tiktok.com/@ann.b/video/5"
    assert video_link(Video("5", Song("1"), author="\x1b[31m")) == "https://m.tiktok.com/v/5.html"
    app = make_app(catalog, tags=["cooking"])
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        app.table.focus()
        from tiktune_tui.ui.widgets.details import describe_song

        group = describe_song(app.table.current_row, app.weights, app.videos_by_id)
        assert any("https://www.tiktok.com/music/sound-12" in getattr(part, "plain", "") for part in group.renderables)
        await pilot.press("c")
        assert app.last_copied == "https://www.tiktok.com/music/sound-12"
        await pilot.press("C")
        assert app.last_copied == "https://m.tiktok.com/v/1002.html"


async def test_what_the_player_says_as_the_app_closes_is_dropped(tmp_path, tone_url):
    """Quitting stops the player, whose last status arrives as the widgets go: it must be
    dropped, not fail on a list that is no longer there (a traceback at every such quit)."""
    from tiktune_tui.ui.widgets.music_bar import MusicBar

    app = make_app(playable_catalog(tmp_path / "p.csv", tone_url), tags=["mix"])
    async with app.run_test(size=(80, 24)) as pilot:
        bar = await play_from_the_top(pilot)
        last = bar.status
    assert app.return_code in (None, 0)
    app.on_music_bar_queue_changed(MusicBar.QueueChanged(last))  # as it lands after the close
    app.on_music_bar_quiet_note(MusicBar.QuietNote("no audio device"))


async def test_a_landed_search_settles_the_garbage_collector(catalog):
    """After the results are drawn the app runs the full collection itself (ui/garbage.py),
    so that a view opened later does not pay for one."""
    import gc

    gc.unfreeze()
    try:
        app = make_app(catalog, tags=["cooking", "diy"])
        async with app.run_test() as pilot:
            await wait_for_search(pilot)
            await until(pilot, lambda: gc.get_freeze_count() > 0, what="the collector settled")
            assert app.table.row_count == len(COOKING_DIY_ORDER)
    finally:
        gc.unfreeze()
