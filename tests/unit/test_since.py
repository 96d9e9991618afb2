"""`--since`: only videos posted in the period count, checked against the bundled catalog's CSV
read on its own, for the in-memory ranking and the store's SQL alike."""

from __future__ import annotations

import asyncio
import csv
import gzip
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest

from tiktune_tui.cli import main
from tiktune_tui.commands.args import since_from
from tiktune_tui.core import modes
from tiktune_tui.core.period import PeriodError, next_since, parse_since
from tiktune_tui.core.query import Query
from tiktune_tui.errors import UsageError
from tiktune_tui.library.catalog import load_catalog
from tiktune_tui.library.recommend import catalog_corpus, recommend
from tiktune_tui.library.sources import SourceOptions
from tiktune_tui.library.store import Store

NOW = datetime(2025, 6, 20, tzinfo=UTC)
CUTOFFS = [datetime(2025, 5, 1, tzinfo=UTC), datetime(2025, 5, 25, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)]
TAGS = ["fyp", "dance", "viral"]


def reference_counts(tags, since):
    """Matching videos posted from `since` on, per music id, straight from the CSV."""
    path = resources.files("tiktune_tui.library.data") / "tiktok_videos.csv.gz"
    seen, counts = set(), {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            posted = row["create_time"]
            if not posted or datetime.fromisoformat(posted.replace("Z", "+00:00")) < since:
                continue
            if row["video_id"] in seen or not set(row["hashtags"].split()) & set(tags):
                continue
            seen.add(row["video_id"])
            counts[row["music_id"]] = counts.get(row["music_id"], 0) + 1
    return counts


@pytest.mark.parametrize("since", CUTOFFS)
def test_since_keeps_exactly_the_videos_posted_in_the_window(since, tmp_path):
    expected = reference_counts(TAGS, since)
    assert expected  # the window holds videos: the check is not vacuous
    query = Query(tuple(TAGS), mode="uses", since=since)
    answer = asyncio.run(recommend(query, SourceOptions(kind="catalog")))
    assert {row.song.id: row.videos for row in answer.rows} == expected
    catalog = load_catalog()
    with Store(tmp_path / "db.sqlite3") as store:
        store.save_videos(catalog.videos, fetched_at=NOW)
        for mode in modes.MODE_NAMES:
            stored = store.rank_modes(TAGS, mode, since=since)
            kept = [v for v in store.videos_with_any(TAGS) if v.create_time and v.create_time >= since]
            reference = modes.rank(kept, TAGS, mode, corpus=store.corpus(TAGS))
            assert [(r.song.id, r.score, r.videos) for r in stored] == [
                (r.song.id, r.score, r.videos) for r in reference
            ]
        assert {r.song.id: r.videos for r in store.rank_modes(TAGS, "uses", since=since)} == expected
    # The in-memory path ranks the same videos with the catalog's corpus.
    popular = asyncio.run(recommend(Query(tuple(TAGS), mode="fit", since=since), SourceOptions(kind="catalog")))
    kept = [v for v in catalog.videos if v.create_time and v.create_time >= since]
    assert [r.song.id for r in popular.rows] == [
        r.song.id for r in modes.rank(kept, TAGS, "fit", corpus=catalog_corpus(catalog))
    ]


def test_periods_parse():
    assert parse_since("7d", NOW) == NOW - timedelta(days=7)
    assert parse_since("120d", NOW) == NOW - timedelta(days=120)
    assert parse_since("2025-03-02", NOW) == datetime(2025, 3, 2, tzinfo=UTC)
    assert parse_since("all", NOW) is None and parse_since(None, NOW) is None
    for bad in ("2025-13-01", "7", "soon"):
        with pytest.raises(PeriodError):
            parse_since(bad, NOW)
    with pytest.raises(UsageError, match="--since"):
        since_from("yesterday")
    assert [next_since(p) for p in (None, "120d", "30d", "7d", "3d")] == ["120d", "30d", "7d", None, None]


def test_recommend_since_on_the_command_line(capsys):
    assert main(["recommend", "dance", "--source", "catalog", "--since", "2025-06-01"]) == 0
    assert "videos posted since 2025-06-01 00:00 UTC" in capsys.readouterr().out
    assert main(["recommend", "dance", "--source", "catalog", "--since", "later"]) == 2
    assert "--since: 'later' is not a period" in capsys.readouterr().err
