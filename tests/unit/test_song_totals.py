"""A recommendation knows how many songs match, not just how many rows `limit` let through:
the store counts them in the ranking's SQL, the catalog path ranks them all."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.factories import video, write_catalog
from tests.unit.test_store_modes import fetches, reference, stamp
from tiktune_tui.config import Settings
from tiktune_tui.core import modes
from tiktune_tui.core.query import Query
from tiktune_tui.library.recommend import recommend
from tiktune_tui.library.sources import SourceOptions
from tiktune_tui.library.store import Store
from tiktune_tui.paths import database_path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fetches,
    st.lists(st.sampled_from(["a", "b", "c", "z"]), min_size=1, max_size=3, unique=True),
    st.sampled_from(modes.MODE_NAMES),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 3)),
)
def test_the_store_counts_every_song_the_ranking_holds(
    tmp_path_factory, make_store, saves, tags, mode, require_all, limit
):
    with make_store(tmp_path_factory.mktemp("t") / "db.sqlite3") as store:
        for day, videos in saves:
            store.save_videos(videos, fetched_at=stamp(day))
        rows, total = store.rank_modes_counted(tags, mode, require_all=require_all, limit=limit)
        everything = reference(store, tags, mode, require_all=require_all)
        assert total == len(everything)
        assert [r.song.id for r in rows] == [r.song.id for r in everything[:limit]]


# Five songs over twenty videos; only song 100's videos (5, 10, 15, 20) carry #u too.
SONGS = [video(str(i), f"10{i % 5}", "t u" if i % 5 == 0 else "t", play=i) for i in range(1, 21)]


def answer(tags, *, source_kind=None, catalog=None, data_dir=None, **query):
    options = SourceOptions(kind=source_kind, catalog=catalog, data_dir=data_dir)
    return asyncio.run(recommend(Query(tuple(tags), **query), options, settings=Settings()))


def test_the_engine_carries_the_total_past_the_limit_from_the_store(tmp_path):
    with Store(database_path(str(tmp_path))) as store:
        store.save_videos(SONGS)
    for mode in modes.MODE_NAMES:
        outcome = answer(["t"], source_kind="store", data_dir=str(tmp_path), limit=2, mode=mode)
        assert (len(outcome.rows), outcome.total) == (2, 5)
    outcome = answer(["t", "u"], source_kind="store", data_dir=str(tmp_path), limit=2, require_all=True)
    assert [r.song.id for r in outcome.rows] == ["100"] and outcome.total == 1


def test_the_engine_carries_the_total_past_the_limit_from_a_catalog(tmp_path):
    catalog = str(write_catalog(tmp_path / "c.csv", SONGS))
    for mode in modes.MODE_NAMES:
        outcome = answer(["t"], catalog=catalog, limit=2, mode=mode)
        assert (len(outcome.rows), outcome.total) == (2, 5)
        assert [r.rank for r in outcome.rows] == [1, 2]
    assert answer(["t"], catalog=catalog).total == 5
    outcome = answer(["t", "u"], catalog=catalog, limit=2, require_all=True)
    assert [r.song.id for r in outcome.rows] == ["100"] and outcome.total == 1
