"""Remembered settings across a restart, with real SQLite, real libVLC (dummy) and Pilot."""

from __future__ import annotations

import json

from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tests.support.waiting import until
from tiktune_tui.library.state import AppState, load_state, save_state, state_path
from tiktune_tui.playback.player import PlayerState
from tiktune_tui.playback.queue import Repeat


async def test_a_restart_restores_theme_volume_mute_sort_mode_shuffle_and_repeat(tmp_path):
    catalog = write_catalog(tmp_path / "ui.csv")
    first = make_app(catalog, tags=["cooking"])
    async with first.run_test() as pilot:
        await wait_for_search(pilot)
        bar = first.music_bar
        await until(pilot, lambda: bar.status.state == PlayerState.IDLE)
        first.table.focus()
        first.theme = "nord"
        await pilot.press("minus", "minus", "m", "s", "s", "r", "o", "z", "x", "x")
        await until(
            pilot,
            lambda: (
                bar.status.volume == 70 and bar.status.muted and bar.status.shuffle and bar.status.repeat == Repeat.ONE
            ),
        )
        sort = (first.table.sort_column, first.table.sort_reverse)
        mode = first.rank_mode
        await pilot.press("q")
    saved = json.loads(state_path().read_text(encoding="utf-8"))
    assert saved["theme"] == "nord" and saved["volume"] == 70 and saved["repeat"] == "one"

    second = make_app(catalog)
    async with second.run_test() as pilot:
        bar = second.music_bar
        await until(
            pilot,
            lambda: (
                bar.status.volume == 70 and bar.status.muted and bar.status.shuffle and bar.status.repeat == Repeat.ONE
            ),
        )
        assert second.theme == "nord"
        assert (second.table.sort_column, second.table.sort_reverse) == sort
        assert second.rank_mode == mode != "popular"

    # `--rank popular` asked for at start wins over the remembered mode, though it is the default.
    third = make_app(catalog, mode="popular")
    async with third.run_test() as pilot:
        await until(pilot, lambda: third._state_restored)
        assert third.rank_mode == "popular"


async def test_a_damaged_state_file_is_ignored_with_a_warning(tmp_path):
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"theme": "nord", "volume": ', encoding="utf-8")
    app = make_app(write_catalog(tmp_path / "ui.csv"), tags=["cooking"])
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()  # said at once (before a slow machine lets the pop-up expire)
        assert any("damaged" in n.message for n in app._notifications), [n.message for n in app._notifications]
        await wait_for_search(pilot)
        assert app.theme != "nord" and app.search_state == "done"


def test_state_file_values_of_the_wrong_type_are_dropped_one_by_one(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"volume": True, "theme": 3, "muted": True, "repeat": "all"}), encoding="utf-8")
    state, warning = load_state(path)
    assert warning is None and state == AppState(muted=True, repeat="all")
    save_state(path, AppState(volume=55))
    assert json.loads(path.read_text()) == {"volume": 55}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp file left behind
