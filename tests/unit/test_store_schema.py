"""One schema, two engines: the shared migrations render to the scripts already shipped, and a
fresh store on either engine has the same tables, columns, keys, indexes and triggers."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from tests.support.postgres import fresh_database
from tiktune_tui.library.store import SCHEMA_VERSION, open_store
from tiktune_tui.library.store.dialect_postgres import POSTGRES
from tiktune_tui.library.store.dialect_sqlite import SQLITE
from tiktune_tui.library.store.schema import migrations

# Each shipped step, white space folded, as released: a store that has a step keeps it as it was,
# so a step is never edited (a change is a new step). Both engines' scripts are pinned.
# Step 7 shards PostgreSQL's video total; on SQLite it is empty (its one row is its sum).
# Step 8 indexes every number of a video by its id (PostgreSQL carries them with INCLUDE).
SHIPPED = {
    "sqlite": (
        "83c39092025a5fb1",
        "318e8f2883a71c84",
        "29eb39a802ae11a1",
        "7910125617b7d167",
        "6e92cb6a1c32b2b4",
        "f01d79bb97797383",
        "e3b0c44298fc1c14",
        "9cdad9d0313af239",
    ),
    "postgresql": (
        "020cc46fc9e24fd1",
        "4b5a67a958dde27f",
        "51abb2dfc7ad5264",
        "d08a57859a44c174",
        "69757f96edb3d8a6",
        "2eb08a43e9c5e038",
        "f202fece8814a0a9",
        "98e0fac11b2ab40a",
    ),
}


def fingerprint(script: str) -> str:
    return hashlib.sha256(" ".join(script.split()).encode()).hexdigest()[:16]


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRES], ids=lambda d: d.name)
def test_shipped_migrations_render_as_they_were_released(dialect):
    rendered = migrations(dialect)
    assert len(rendered) == SCHEMA_VERSION
    shipped = SHIPPED[dialect.name]
    assert tuple(fingerprint(step) for step in rendered[: len(shipped)]) == shipped


# The engines' names for the shared column types.
TYPES = {"INTEGER": "integer", "TEXT": "text", "REAL": "float"}
PG_TYPES = {"bigint": "integer", "integer": "integer", "text": "text", "double precision": "float"}


def sqlite_schema(path) -> dict[str, object]:
    db = sqlite3.connect(path)
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    columns = {
        table: [
            (name, TYPES[kind], bool(notnull) or pk > 0, pk)
            for _, name, kind, notnull, _, pk in db.execute(f"PRAGMA table_info({table})")
        ]
        for table in tables
    }
    indexes = {
        name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    }
    triggers = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    db.close()
    return {"columns": columns, "indexes": indexes, "triggers": triggers}


def postgres_schema(url: str) -> dict[str, object]:
    import psycopg

    with psycopg.connect(url) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename <> 'tiktune_schema' ORDER BY tablename"
            )
        ]
        columns = {}
        for table in tables:
            keys = db.execute(
                "SELECT a.attname, array_position(i.indkey, a.attnum) FROM pg_index i"
                " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = %s::regclass AND i.indisprimary",
                (table,),
            ).fetchall()
            position = {name: at + 1 for name, at in keys}
            columns[table] = [
                (name, PG_TYPES[kind], nullable == "NO", position.get(name, 0))
                for name, kind, nullable in db.execute(
                    "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
                    (table,),
                )
            ]
        indexes = {
            name
            for (name,) in db.execute(
                "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                " JOIN pg_namespace n ON n.oid = i.relnamespace"
                " WHERE n.nspname = current_schema() AND NOT x.indisprimary AND NOT x.indisunique"
            )
        }
        triggers = {name for (name,) in db.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
    return {"columns": columns, "indexes": indexes, "triggers": triggers}


def test_both_engines_build_the_same_schema(tmp_path):
    open_store(tmp_path / "store.sqlite3").close()
    with fresh_database() as url:
        open_store(url).close()
        on_postgres = postgres_schema(url)
    on_sqlite = sqlite_schema(tmp_path / "store.sqlite3")
    assert on_sqlite["columns"].keys() == on_postgres["columns"].keys()
    for table, columns in on_sqlite["columns"].items():
        assert columns == on_postgres["columns"][table], table
    assert (
        on_sqlite["indexes"]
        == on_postgres["indexes"]
        == {
            "videos_by_song_posted",
            "videos_numbers",
            "video_hashtags_by_video",
            "saved_songs_by_time",
        }
    )
    assert on_sqlite["triggers"] == on_postgres["triggers"]
