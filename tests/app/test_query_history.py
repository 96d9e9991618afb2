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


def test_four_processes_adding_at_once_lose_no_query(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    path = tmp_path / "history.txt"
    code = (
        "import sys; from tiktune_tui.library.history import QueryHistory;"
        "h = QueryHistory(__import__('pathlib').Path(sys.argv[1]));"
        "sys.stdin.readline();"  # all four start adding at the same moment
        "[h.add(f'{sys.argv[2]} query {i}') for i in range(100)]"
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    writers = [
        subprocess.Popen([sys.executable, "-c", code, str(path), f"app{n}"], stdin=subprocess.PIPE, env=env, text=True)
        for n in range(4)
    ]
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        writer.stdin.close()
        assert writer.wait(timeout=120) == 0
    kept = QueryHistory(path).load()
    assert len(kept) == 400 and len(set(kept)) == 400
    for n in range(4):  # each app's queries in the order it added them
        assert [q for q in kept if q.startswith(f"app{n} ")] == [f"app{n} query {i}" for i in range(100)]
    assert sorted(os.listdir(tmp_path)) == ["history.txt"]


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
