"""The store's schema on SQLite: its bookkeeping, and what is checked before a file is touched.

The migrations are `schema.MIGRATIONS` (the shared ones in SQLite's words). The schema
carries a version (PRAGMA user_version) and is migrated forward step by step. Before anything is changed (not even the switch to WAL, which rewrites the
file's header) the file is read to make sure it is tiktune's: an SQLite file of
another application, a corrupt one or one from a newer tiktune is reported and left
exactly as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tiktune_tui.library.store.schema import MIGRATIONS, SCHEMA_VERSION, StoreError

# The tables of the first schema: every tiktune store has them, whatever its version.
# A file whose user_version is set but lacks them belongs to another application
# (user_version is free for any application to use, and many set it to 1 or 2).
CORE_TABLES = frozenset({"songs", "videos", "hashtags", "video_hashtags", "stats_snapshots", "tag_fetches"})
UNTOUCHED = "it was left untouched; move it aside or choose another --data-dir"


def check(db: sqlite3.Connection, path: Path) -> int:
    """The schema version of the tiktune store in `db` (0: a new, empty file), read without
    writing anything; a StoreError when the file is not one this tiktune may use."""
    try:
        # One statement, one snapshot: another connection may be creating the schema now.
        # fetchall, not fetchone: a statement left unfinished keeps its read lock, and
        # switching to WAL afterwards would then deadlock with another opener (SQLITE_BUSY at once).
        ((version, objects, tables),) = db.execute(
            "SELECT (SELECT user_version FROM pragma_user_version),"
            " (SELECT count(*) FROM sqlite_master),"
            " (SELECT group_concat(name, char(31)) FROM sqlite_master WHERE type = 'table')"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a readable tiktune database ({exc}); {UNTOUCHED}") from None
    names = set((tables or "").split("\x1f"))
    if (version == 0 and objects) or (version != 0 and not CORE_TABLES <= names):
        raise StoreError(f"{path} is an SQLite file but not a tiktune database; {UNTOUCHED}")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer tiktune (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade tiktune or choose another --data-dir"
        )
    return version


def migrate(db: sqlite3.Connection, path: Path, version: int) -> None:
    """Switch the checked file `db` (at `version`) to WAL and bring it to SCHEMA_VERSION."""
    try:
        _use_wal(db)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with _transaction(db):
                # Another connection (a worker thread, a second tiktune) may have migrated
                # since the version was read: read it again under the write lock.
                if db.execute("PRAGMA user_version").fetchone()[0] >= target:
                    continue
                for statement in statements(MIGRATIONS[target - 1]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {target}")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot prepare {path} ({exc}); {UNTOUCHED}") from None


def _use_wal(db: sqlite3.Connection, patience_s: float = 10.0) -> None:
    """Switch to WAL, waiting for other openers: SQLite answers a journal-mode change
    that meets another connection's lock with "locked" at once, not after the busy timeout."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL").fetchall()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def statements(script: str) -> list[str]:
    """Split a script into statements; a trigger body's semicolons stay inside its statement."""
    found: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        found.append(pending.strip())
    return found
