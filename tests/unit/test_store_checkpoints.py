"""Background checkpoints (library/store/checkpoints.py), on real SQLite files: the commits of
a store the user waits on do not checkpoint, and the WAL is still checkpointed and kept small."""

from __future__ import annotations

import sqlite3

from tests.support.waiting import eventually
from tiktune_tui.core.models import Song
from tiktune_tui.library.store import Store
from tiktune_tui.library.store.checkpoints import COMMIT_CHECKPOINT_PAGES, COMMITS_PER_CHECKPOINT

BURSTS = 12


def wal_size(path) -> int:
    return path.with_name(path.name + "-wal").stat().st_size


def save_burst(store: Store, burst: int) -> None:
    """As many saves as there are commits between two checkpoints, of big rows."""
    for n in range(COMMITS_PER_CHECKPOINT):
        store.save_song(Song(f"{burst}-{n}", "t" * 500, "a" * 500), tags=("cooking",))


def test_the_wal_is_checkpointed_off_the_commits_and_stays_small(tmp_path):
    grown, kept = tmp_path / "grown.sqlite3", tmp_path / "kept.sqlite3"
    with Store(grown) as store:  # the same writes, never checkpointed: what the WAL grows to
        store._db.execute("PRAGMA wal_autocheckpoint=0")
        for burst in range(BURSTS):
            save_burst(store, burst)
        unchecked = wal_size(grown)
    with Store(kept) as store:
        store.checkpoint_in_background()
        assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == COMMIT_CHECKPOINT_PAGES
        checkpoints = store._checkpoints
        for burst in range(BURSTS):  # a user's pace: the checkpoint is done before the next burst
            save_burst(store, burst)
            eventually(lambda b=burst: checkpoints.done > b, what=f"checkpoint {burst + 1}")
        assert wal_size(kept) < unchecked / 3
        assert len(store.saved_songs()) == BURSTS * COMMITS_PER_CHECKPOINT
    # Closed: everything is in the database file itself.
    with sqlite3.connect(kept) as db:
        assert db.execute("SELECT count(*) FROM saved_songs").fetchone()[0] == BURSTS * COMMITS_PER_CHECKPOINT
