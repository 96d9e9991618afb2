"""The details pane's trend chart: the selected song's videos per day within the query's tags and
its summed plays per snapshot, the numbers `tiktune trend` counts (Recommendation.song_trend)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Sparkline

from tests.app.test_ui_modes import text_of
from tests.support.ui_catalog import FIXED_NOW, live_app, make_app, wait_for_search, write_catalog
from tests.support.waiting import until
from tiktune_tui.config import Settings
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.sources import SourceOptions
from tiktune_tui.library.store import Store
from tiktune_tui.paths import database_path
from tiktune_tui.ui.app import TiktuneApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]
SONGS = (Song("s1", title="Steady Hit", author="Bob", duration_s=60), Song("s2", title="Rising Tune", author="Ann"))


def stored_app(data_dir, tags=("cooking",)) -> TiktuneApp:
    """Two songs, 40 videos posted over 40 days, three daily snapshots whose plays grow."""
    videos = [
        Video(
            f"v{i}",
            SONGS[i % 2],
            ("cooking",) if i % 3 else ("cooking", "diy"),
            Stats(play=1000 * i, digg=10 * i),
            create_time=FIXED_NOW - timedelta(days=(i * 7) % 40, hours=i),
        )
        for i in range(40)
    ] + [Video("elsewhere", SONGS[0], ("dance",), Stats(play=5), create_time=FIXED_NOW - timedelta(days=90))]
    with Store(database_path(str(data_dir))) as store:
        for day in range(3):
            store.save_videos(
                [
                    Video(
                        v.id,
                        v.song,
                        v.hashtags,
                        Stats(play=v.stats.play * (day + 1), digg=v.stats.digg),
                        create_time=v.create_time,
                    )
                    for v in videos
                ],
                fetched_at=FIXED_NOW - timedelta(days=3 - day),
            )
    return TiktuneApp(
        tags=list(tags),
        source=SourceOptions(kind="store", data_dir=str(data_dir)),
        settings=Settings(),
        clock=lambda: FIXED_NOW,
        audio_output="dummy",
    )


async def wait_for_chart(pilot) -> None:
    """Until the chart shows the selected song's trend (bounded by iterations, not by time)."""
    app = pilot.app
    for _ in range(500):
        row = app.table.current_row
        if row is not None and app._trends and row.song.id in app._trends:
            break
        await pilot.pause(0.01)
    await pilot.pause()
    assert app._trends and app.table.current_row.song.id in app._trends


async def test_the_chart_shows_the_stores_numbers(tmp_path):
    app = stored_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        for _ in range(2):  # the first song, then the next one
            await wait_for_chart(pilot)
            music_id = app.table.current_row.song.id
            with Store(database_path(str(tmp_path))) as store:
                unit, series = store.song_trend(music_id, ["cooking"]).series()
                plays = store.song_trend(music_id, ["cooking"]).plays
            assert list(app.query_one("#trend-posts", Sparkline).data) == [n for _, n in series]
            assert list(app.query_one("#trend-plays", Sparkline).data) == [p for _, p in plays]
            assert len(plays) == 3 and sum(n for _, n in series) == 20  # the #dance video is not counted
            label = text_of(app.query_one("#trend-posts-label"))
            assert label.startswith(f"videos/{unit} ") and f"max {max(n for _, n in series)}" in label
            assert "at 3 snapshots" in text_of(app.query_one("#trend-plays-label"))
            app.table.focus()
            await pilot.press("j")


async def test_a_catalog_song_charts_its_posts_without_plays(tmp_path):
    app = make_app(write_catalog(tmp_path / "c.csv"), tags=["cooking", "diy"])
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        await wait_for_chart(pilot)
        row = app.table.current_row
        expected = app.recommendation.song_trend(row.song.id, lambda: None)
        assert list(app.query_one("#trend-posts", Sparkline).data) == [n for _, n in expected.series()[1]]
        assert not app.query_one("#trend-plays", Sparkline).display  # one snapshot: nothing to draw


async def test_the_list_keeps_its_rows_at_80x24(tmp_path):
    app = stored_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_search(pilot)
        await wait_for_chart(pilot)
        details = app.query_one("#details")
        assert details.size.height == 4 and app.table.size.height >= 10
        chart = app.query_one("#trend")
        assert chart.region.right <= details.region.right and chart.region.height == 4


@pytest.mark.parametrize("size", SIZES)
def test_details_pane_with_a_chart(snap_compare, tmp_path, size):
    async def run_before(pilot):
        pilot.app.tag_input.cursor_blink = False
        await wait_for_search(pilot)
        await wait_for_chart(pilot)

    assert snap_compare(stored_app(tmp_path), terminal_size=size, run_before=run_before)


async def test_the_stored_figure_shows_beside_the_niches_uses_offline(tmp_path):
    app = stored_app(tmp_path)
    with Store(database_path(str(tmp_path))) as store:
        store.save_song_reach({"s2": 1_234_567}, FIXED_NOW - timedelta(hours=5))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        await until(pilot, lambda: app.reach)
        await pilot.pause()
        assert app.table.current_row.song.id == "s2"
        body = text_of(app.query_one("#details-body"))
        assert "20 videos use it · #cooking\n1,234,567 videos on all of TikTok (fetched 5 h ago)" in body
        app.table.focus()
        await pilot.press("j")  # a song with no figure: nothing said
        assert "on all of TikTok" not in text_of(app.query_one("#details-body"))


async def test_a_live_search_shows_its_results_before_asking_for_the_figures(monkeypatch, tmp_path):
    import asyncio
    import threading

    from tests.support.tiktok_fakes import cooking, music_detail

    released = threading.Event()
    asked: list[str] = []

    async def respond(path, query):
        if path != "/api/music/detail/":
            return cooking(path, query)
        asked.append(query["musicId"])
        while not released.is_set():
            await asyncio.sleep(0.01)
        return 200, music_detail(query["musicId"], 4321)

    app = live_app(monkeypatch, tmp_path, respond)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        await until(pilot, lambda: asked)
        assert app.table.row_count > 10 and asked  # the rows are out while TikTok is being asked
        assert "on all of TikTok" not in text_of(app.query_one("#details-body"))
        released.set()
        await until(pilot, lambda: "on all of TikTok" in text_of(app.query_one("#details-body")))
        assert "4,321 videos on all of TikTok (fetched just now)" in text_of(app.query_one("#details-body"))
        assert sorted(set(asked)) == sorted(row.song.id for row in app.recommendation.rows[:10])
