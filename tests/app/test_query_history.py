"""Past queries survive the session: written whole, merged, capped, never fatal."""

from __future__ import annotations

import os

from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tiktune_tui.library.history import QueryHistory


def test_queries_are_kept_in_order_without_repeats_and_capped(tmp_path):
    history = QueryHistory(tmp_path / "sub" / "history.txt", limit=3)
    assert history.load() == []
    for query in ("fyp", "fyp", "cooking  diy", "a\nb", "dance", "cat"):
        history.add(query)
    assert history.load() == ["a b", "dance", "cat"]  # one line each, the oldest dropped
    assert (tmp_path / "sub" / "history.txt").read_text(encoding="utf-8") == "a b\ndance\ncat\n"
    assert os.listdir(tmp_path / "sub") == ["history.txt"]  # no temporary file left behind


def test_two_writers_keep_both_queries(tmp_path):
    first, second = QueryHistory(tmp_path / "h.txt"), QueryHistory(tmp_path / "h.txt")
    first.add("cooking")
    second.add("dance")
    assert first.load() == ["cooking", "dance"]


def test_a_folder_where_the_file_should_be_loses_the_history_not_the_app(tmp_path):
    (tmp_path / "h.txt").mkdir()
    history = QueryHistory(tmp_path / "h.txt")
    history.add("fyp")
    assert history.load() == []


async def test_the_app_recalls_the_last_session_queries(tmp_path):
    catalog = write_catalog(tmp_path / "catalog.csv")
    app = make_app(catalog)
    async with app.run_test() as pilot:
        await pilot.press(*"cooking", "enter")
        await wait_for_search(pilot)
    app = make_app(catalog)
    async with app.run_test() as pilot:
        app.tag_input.focus()
        await pilot.press("up")
        assert app.tag_input.value == "cooking"
