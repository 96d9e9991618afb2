"""The WAL's checkpoints off the writer's thread: `BackgroundCheckpoints`.

In WAL mode with synchronous=NORMAL a commit only appends to the -wal file; the cost comes
at the checkpoint, which copies the WAL into the database and syncs it, and which SQLite
runs inside whichever commit takes the WAL past 1,000 pages: 20-40 ms on a busy disk, paid
by one key press in some hundreds (`b` in the app, saving a song). A store whose writes a
user waits on has the checkpoint run here instead, on a thread with its own connection, in
PASSIVE mode: readers and the writer go on meanwhile. Its own commits checkpoint only when
writes come too fast for that (COMMIT_CHECKPOINT_PAGES).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

# Commits between two checkpoints: a few pages each, so the WAL stays around a megabyte.
COMMITS_PER_CHECKPOINT = 64
# A checkpoint that writes go on beside never finishes the WAL, which then cannot start over
# and grows: past this many pages a commit checkpoints itself, as SQLite does at 1,000.
COMMIT_CHECKPOINT_PAGES = 8000


class BackgroundCheckpoints:
    def __init__(self, path: Path, every: int = COMMITS_PER_CHECKPOINT) -> None:
        self.path = path
        self.every = every
        self.done = 0
        self._commits = 0
        self._thread: threading.Thread | None = None

    def after_commit(self) -> None:
        """Count a commit; every `every` commits start a checkpoint unless one still runs."""
        self._commits += 1
        if self._commits < self.every or (self._thread is not None and self._thread.is_alive()):
            return
        self._commits = 0
        self._thread = threading.Thread(target=self._checkpoint, name="tiktune-wal-checkpoint", daemon=True)
        self._thread.start()

    def _checkpoint(self) -> None:
        try:
            db = sqlite3.connect(self.path, timeout=10)
        except sqlite3.Error:
            return  # the next one will try again; closing the store checkpoints anyway
        try:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.done += 1
        except sqlite3.Error:
            pass
        finally:
            db.close()

    def wait(self) -> None:
        """Until a checkpoint under way has finished (before the store closes)."""
        if self._thread is not None:
            self._thread.join()


__all__ = ["COMMITS_PER_CHECKPOINT", "COMMIT_CHECKPOINT_PAGES", "BackgroundCheckpoints"]
