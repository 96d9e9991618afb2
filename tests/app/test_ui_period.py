"""The app's period key: `t` cycles all / 120 d / 30 d / 7 d, says so in the status line, and
only videos posted in the period count (the app's clock is fixed: tests.support.ui_catalog)."""

from __future__ import annotations

import csv
from datetime import timedelta

from tests.app.test_ui_modes import text_of
from tests.support.ui_catalog import COLUMNS, FIXED_NOW, make_app, wait_for_search


def dated_catalog(path):
    """Song 1 big and 200 days old, song 2 posted 20 days ago, song 3 two days ago."""
    rows = [("1", "1", 1_000_000, 200), ("2", "2", 5_000, 20), ("3", "3", 1_000, 2)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for video, music, plays, days in rows:
            posted = (FIXED_NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
            writer.writerow([video, "bread", music, f"Song {music}", "Artist", "", "", plays, 0, 0, 0, posted])
    return path


async def test_t_cycles_the_period_and_reranks(tmp_path):
    app = make_app(dated_catalog(tmp_path / "c.csv"), tags=["bread"])
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        assert app.table.song_ids() == ["1", "2", "3"] and "posted in" not in text_of(app.status)
        for period, songs in (("120d", ["2", "3"]), ("30d", ["2", "3"]), ("7d", ["3"]), (None, ["1", "2", "3"])):
            await pilot.press("t")
            await wait_for_search(pilot)
            assert app.since_period == period
            assert app.table.song_ids() == songs
            status = text_of(app.status)
            assert (f"posted in the last {period}" in status) if period else ("posted in" not in status)
