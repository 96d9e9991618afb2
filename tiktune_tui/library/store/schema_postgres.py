"""The store's schema on PostgreSQL: its bookkeeping. The migrations are the shared ones
(`schema.SHARED_MIGRATIONS`) in PostgreSQL's words (`dialect_postgres`).

The version lives in a one-row table `tiktune_schema` (SQLite keeps it in user_version). All
missing steps are applied in one transaction under an advisory lock, so that two clients
starting on a new database both succeed and only one of them migrates.
"""

from __future__ import annotations

from tiktune_tui.library.store.dialect_postgres import POSTGRES
from tiktune_tui.library.store.schema import SCHEMA_VERSION, StoreError, migrations

# Any constant: the key of the advisory lock that one migrating client holds.
MIGRATION_LOCK = 0x71C7_0016

POSTGRES_MIGRATIONS = migrations(POSTGRES)

UNTOUCHED = "it was left untouched; choose another database"


def version(db, where: str) -> int:
    """The schema version of the tiktune store in `db` (0: an empty database), read without
    writing; a StoreError when the database holds tables that are not a tiktune store's."""
    ((has_schema, tables),) = db.execute(
        "SELECT to_regclass('tiktune_schema') IS NOT NULL,"
        " (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema())"
    ).fetchall()
    if not has_schema:
        if tables:
            raise StoreError(f"{where} holds tables but is not a tiktune database; {UNTOUCHED}")
        return 0
    (found,) = db.execute("SELECT version FROM tiktune_schema").fetchone()
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"{where} was written by a newer tiktune (schema {found}, this one knows "
            f"{SCHEMA_VERSION}); upgrade tiktune or choose another database"
        )
    return found


def migrate(conn, where: str) -> None:
    """Bring the database of the psycopg connection `conn` (autocommit) to SCHEMA_VERSION:
    every missing step in one transaction, under the advisory lock."""
    if version(conn, where) == SCHEMA_VERSION:
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        current = version(conn, where)  # another client may have migrated while we waited
        for target in range(current + 1, SCHEMA_VERSION + 1):
            conn.execute(POSTGRES_MIGRATIONS[target - 1])
            conn.execute("UPDATE tiktune_schema SET version = %s", (target,))
