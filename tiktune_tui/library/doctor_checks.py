"""`tiktune doctor`: the data dir, the database (the SQLite file, or a team's PostgreSQL store) and
the config file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import tomllib
from pathlib import Path

from tiktune_tui.config import CONFIG_NAME, KNOWN_SETTINGS, ConfigError, load_settings
from tiktune_tui.health import Check, CheckResult, ok, problem
from tiktune_tui.paths import config_dir, data_dir, database_path
from tiktune_tui.text import terminal_safe

LOW_SPACE_BYTES = 200 * 1024 * 1024  # an audio cache's worth of headroom
DATA_DIR_FIX = "set --data-dir (or $TIKTUNE_DATA_DIR) to a folder you can write"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _safe(path: Path) -> str:
    return terminal_safe(str(path))


def check_data_dir(override: str | None) -> CheckResult:
    directory = data_dir(override)
    # The nearest part of the path that exists decides: a file there blocks the folder.
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return problem(
            "data dir",
            f"{_safe(existing)} is a file, where the folder {_safe(directory)} should be",
            f"move {_safe(existing)} away, or {DATA_DIR_FIX}",
        )
    if existing == directory:
        try:
            with tempfile.NamedTemporaryFile(dir=directory, prefix=".doctor-"):
                pass
        except OSError as exc:
            return problem("data dir", f"{_safe(directory)} is not writable ({exc.strerror})", DATA_DIR_FIX)
        state = "writable"
    elif os.access(existing, os.W_OK | os.X_OK):
        state = "not created yet (tiktune creates it)"
    else:
        return problem("data dir", f"{_safe(directory)} cannot be created in {_safe(existing)}", DATA_DIR_FIX)
    free = shutil.disk_usage(existing).free
    if free < LOW_SPACE_BYTES:
        return problem(
            "data dir",
            f"{_safe(directory)}: {state}, only {_megabytes(free)} free",
            f"free some space on that disk, or {DATA_DIR_FIX}",
        )
    return ok("data dir", f"{_safe(directory)}: {state}, {_megabytes(free)} free")


STORE_URL_FIX = "check the URL (--store, $TIKTUNE_STORE or [store] url in the config) and the server"


def check_database(override: str | None) -> CheckResult:
    """The store tiktune would open: a team's PostgreSQL server when one is named, else the file."""
    from tiktune_tui.library.store import is_url, store_location

    try:
        location = store_location(override)
    except ConfigError:
        location = database_path(override)  # the config check names the problem
    if is_url(location):
        return check_postgres(str(location))
    return check_sqlite(Path(location))


def check_postgres(url: str) -> CheckResult:
    """The PostgreSQL store at `url`: the connection, the server's version, the schema's, and
    whether this role may write. Read only: the schema is created or upgraded by the first
    search, not here. Every line names the server and database, never the password."""
    from tiktune_tui.library.store import SCHEMA_VERSION, StoreError
    from tiktune_tui.library.store.postgres import OLDEST_SERVER, inspect_server

    try:
        state = inspect_server(url)
    except StoreError as exc:
        return problem("database", terminal_safe(str(exc)).split("; it was left")[0], STORE_URL_FIX)
    place = terminal_safe(state.where)
    server = f"PostgreSQL {terminal_safe(state.server)}"
    if state.server_number < OLDEST_SERVER:
        return problem(
            "database",
            f"{place}: {server} is too old (tiktune needs {OLDEST_SERVER // 10000} or newer)",
            "upgrade the server, or choose another with --store",
        )
    if state.cannot_write:
        return problem(
            "database",
            f"{place}: {server}, schema {state.schema} of {SCHEMA_VERSION}; cannot write: {state.cannot_write}",
            "connect as the store's owner, or GRANT the role SELECT, INSERT, UPDATE, DELETE on its tables",
        )
    if state.schema == 0:
        schema = "empty (the first search creates the schema)"
    elif state.schema < SCHEMA_VERSION:
        schema = f"schema {state.schema} of {SCHEMA_VERSION} (the next search upgrades it)"
    else:
        schema = f"schema {state.schema} of {SCHEMA_VERSION}"
    return ok(
        "database",
        f"{place}: {server}, {schema}, writable, {_megabytes(state.size)}, "
        f"{state.videos:,} videos, {state.snapshots:,} snapshots",
    )


def check_sqlite(path: Path) -> CheckResult:
    from tiktune_tui.library.store import SCHEMA_VERSION, Store, StoreError

    aside = f"move {_safe(path)} aside (tiktune starts a new one), or choose another --data-dir"
    if not path.exists():
        return ok("database", f"{_safe(path)}: not created yet (the first live search creates it)")
    if not path.is_file():
        return problem("database", f"{_safe(path)} is not a file", aside)
    try:
        store = Store(path)
    except StoreError as exc:
        return problem("database", terminal_safe(str(exc)).split("; it was left")[0], aside)
    try:
        version = store.schema_version
        counts = store.counts()
    finally:
        store.close()
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            verdict = [row[0] for row in db.execute("PRAGMA integrity_check(5)").fetchall()]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        verdict = [str(exc)]
    if verdict != ["ok"]:
        return problem("database", f"{_safe(path)} is damaged: {terminal_safe(verdict[0])[:120]}", aside)
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    return ok(
        "database",
        f"{_safe(path)}: schema {version} of {SCHEMA_VERSION}, integrity ok, {_megabytes(size)}, "
        f"{counts['videos']:,} videos, {counts['stats_snapshots']:,} snapshots",
    )


def config_path() -> Path:
    return config_dir() / CONFIG_NAME


def unknown_keys(data: dict) -> list[str]:
    """`table.key` for each setting tiktune does not know (a typo is otherwise silently ignored)."""
    unknown = []
    for table, value in data.items():
        if table not in KNOWN_SETTINGS:
            unknown.append(f"[{table}]")
            continue
        known = KNOWN_SETTINGS[table]
        if known is not None and isinstance(value, dict):
            unknown.extend(f"{table}.{key}" for key in value if key not in known)
    return unknown


def check_config() -> CheckResult:
    path = config_path()
    if not path.exists():
        return ok("config", f"{_safe(path)}: none (the defaults are used)")
    try:
        load_settings(path)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except ConfigError as exc:
        # The fix names the whole path; the result names the file, so the reason is never cut off.
        reason = str(exc).replace(str(path), path.name)
        return problem("config", terminal_safe(reason)[:200], f"fix that line in {_safe(path)} (README: Settings)")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return problem("config", f"{_safe(Path(path.name))}: {terminal_safe(str(exc))[:160]}", f"fix {_safe(path)}")
    unknown = unknown_keys(data)
    if unknown:
        names = terminal_safe(", ".join(unknown))[:160]
        return problem(
            "config",
            f"{_safe(path)}: unknown settings {names} (ignored)",
            f"correct or remove them in {_safe(path)} (README: Settings lists every key)",
            needed=False,
        )
    return ok("config", f"{_safe(path)}: parses, every key known")


def checks(data_directory: str | None) -> list[Check]:
    return [
        Check("data dir", lambda: check_data_dir(data_directory)),
        Check("database", lambda: check_database(data_directory), limit_s=10.0),
        Check("config", check_config),
    ]
