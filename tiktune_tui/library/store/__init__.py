"""The user's own database of everything fetched: see `database.Store`, and `open_store`.

`database` holds the connection, reads and writes (SQLite); `postgres` the same store on a
PostgreSQL server (a team's); `schema` the migrations and `ranking_sql` the queries, each
written once for both engines; `dialect` what the engines spell differently, with one module
per engine (`dialect_sqlite`, `dialect_postgres`); `schema_sqlite` / `schema_postgres` each
engine's schema bookkeeping and the checks made before a database is touched; `rows` the rows
to models and back.
"""

from __future__ import annotations

import os
from pathlib import Path

from tiktune_tui.library.store.database import Store
from tiktune_tui.library.store.schema import MIGRATIONS, SCHEMA_VERSION, StoreError

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Store",
    "StoreError",
    "is_url",
    "open_store",
    "store_exists",
    "store_location",
]

URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(location: object) -> bool:
    """Whether `location` names a PostgreSQL store (anything else is an SQLite file's path)."""
    return isinstance(location, str) and location.startswith(URL_SCHEMES)


def open_store(location: str | os.PathLike[str]) -> Store:
    """The store at `location`: a postgresql:// URL opens PostgreSQL, anything else an SQLite file."""
    if is_url(location):
        from tiktune_tui.library.store.postgres import PostgresStore

        return PostgresStore(str(location))
    return Store(location)


def store_location(data_dir: str | os.PathLike[str] | None = None) -> str | Path:
    """Where the store is: `--store` / $TIKTUNE_STORE, else `[store] url` in the config, else
    the SQLite file in the data dir. (`--store` is passed on as $TIKTUNE_STORE by the CLI.)"""
    from tiktune_tui.config import load_settings
    from tiktune_tui.paths import database_path

    url = os.environ.get("TIKTUNE_STORE") or load_settings().store_url
    return url if url else database_path(data_dir)


def store_exists(location: str | Path) -> bool:
    """Whether there is a store to read at `location` (a server always counts: asking it says)."""
    return is_url(location) or Path(location).exists()
