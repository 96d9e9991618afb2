"""The app on live TikTok (a fake tab answering from the fixtures): searches share one loop."""

from __future__ import annotations

import asyncio
import threading

from tests.support.tiktok_fakes import cooking
from tests.support.ui_catalog import live_app, wait_for_search
from tests.support.waiting import until


async def test_two_live_searches_run_on_the_same_loop_and_rank_songs(monkeypatch, tmp_path):
    loops = []

    def respond(path, query):
        loops.append(asyncio.get_running_loop())
        return cooking(path, query)

    app = live_app(monkeypatch, tmp_path, respond)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        assert app.search_state == "done"
        assert app.recommendation.rows[0].song.title == "Sizzle Beat"
        first = len(loops)
        app.table.focus()
        await pilot.press("ctrl+r")
        await wait_for_search(pilot)
        assert app.search_state == "done" and len(loops) > first
    # Playwright objects belong to one loop: every request of both searches ran on it.
    assert len(set(map(id, loops))) == 1


async def test_partial_results_show_in_the_active_mode_while_a_tag_is_still_loading(monkeypatch, tmp_path):
    released = threading.Event()

    async def respond(path, query):
        if query.get("challengeName") == "slowtag":
            while not released.is_set():  # answers only once the test has seen the partial rows
                await asyncio.sleep(0.01)
        return cooking(path, query)

    app = live_app(monkeypatch, tmp_path, respond, tags=["cooking", "slowtag"], mode="fit")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await until(pilot, lambda: app.table.rows)
            assert app.search_state == "searching"
            assert app.table.rows and {row.mode for row in app.table.rows} == {"fit"}
            scores = [row.score for row in sorted(app.table.rows, key=lambda row: row.rank)]
            assert scores == sorted(scores, reverse=True) and isinstance(scores[0], float)  # fit's scores
            assert app.table.rows[0].explanation.tags[0].tag == "cooking"
            released.set()
            await wait_for_search(pilot)
            assert app.search_state == "done" and app.recommendation.rows[0].mode == "fit"
    finally:
        released.set()
