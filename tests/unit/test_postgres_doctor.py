"""`tiktune doctor` with a PostgreSQL store, on the real server: the connection, the server's
version, the schema's and the role's right to write, each line naming the server and the
database but never the password; and nothing written by the check."""

from __future__ import annotations

import socket
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.support.postgres import fresh_database, server_url, with_database
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.doctor_checks import check_database
from tiktune_tui.library.store import SCHEMA_VERSION, open_store


def with_user(url: str, user: str, password: str | None = None) -> str:
    parts = urlsplit(url)
    login = user if password is None else f"{user}:{password}"
    return urlunsplit(parts._replace(netloc=f"{login}@{parts.hostname}:{parts.port}"))


def place(url: str) -> str:
    parts = urlsplit(url)
    return f"database {parts.path.lstrip('/')} on {parts.hostname}:{parts.port}"


@pytest.fixture
def store_url(monkeypatch):
    """Names the store as --store does ($TIKTUNE_STORE)."""

    def use(url: str) -> str:
        monkeypatch.setenv("TIKTUNE_STORE", url)
        return url

    return use


def test_a_healthy_store_names_server_schema_and_that_it_is_writable(store_url):
    with fresh_database() as url:
        with open_store(url) as store:
            song = Song("7001", title="s")
            store.save_videos([Video(str(n), song, ("dance",), Stats(n, 0, 0, 0)) for n in range(3)])
        store_url(url)
        result = check_database(None)
        with psycopg.connect(url) as db:
            (server,) = db.execute("SHOW server_version").fetchone()
    assert result.status == "ok", result
    assert result.result.startswith(f"{place(url)}: PostgreSQL {server}, schema {SCHEMA_VERSION} of {SCHEMA_VERSION}")
    assert "writable" in result.result and "3 videos, 3 snapshots" in result.result


def test_an_empty_database_is_fine_and_left_empty(store_url):
    with fresh_database() as url:
        store_url(url)
        result = check_database(None)
        with psycopg.connect(url) as db:
            (tables,) = db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert result.status == "ok" and "empty (the first search creates the schema)" in result.result
    assert tables == 0  # the check creates nothing


def test_a_wrong_password_is_one_line_without_the_password(store_url):
    url = store_url(with_user(server_url(), "tiktune_pw", "not-the-password-42"))
    result = check_database(None)
    assert result.status == "fail"
    assert result.result == f"PostgreSQL {place(url)}: the server refused the user name or password"
    assert "not-the-password-42" not in result.result + result.fix
    assert "--store" in result.fix


def test_a_refused_connection_names_the_host_and_database(store_url):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    store_url(f"postgresql://tiktune:secret-pw@127.0.0.1:{port}/teamdb")
    result = check_database(None)
    assert result.status == "fail"
    assert f"database teamdb on 127.0.0.1:{port}" in result.result and "refused" in result.result
    assert "secret-pw" not in result.result + result.fix


def test_a_missing_database_says_so(store_url):
    url = store_url(with_database(server_url(), "no_such_db_" + uuid.uuid4().hex[:8]))
    result = check_database(None)
    assert result.status == "fail" and "does not exist" in result.result and place(url) in result.result


def test_a_store_from_a_newer_tiktune_fails(store_url):
    with fresh_database() as url:
        open_store(url).close()
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("UPDATE tiktune_schema SET version = %s", (SCHEMA_VERSION + 1,))
        store_url(url)
        result = check_database(None)
    assert result.status == "fail" and "newer tiktune" in result.result


@pytest.fixture
def reader():
    """A role of its own that may log in and read, nothing more; dropped afterwards."""
    name = "doctor_" + uuid.uuid4().hex[:8]
    with psycopg.connect(server_url(), autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{name}" LOGIN')
    try:
        yield name
    finally:
        with psycopg.connect(server_url(), autocommit=True) as admin:
            admin.execute(f'DROP OWNED BY "{name}"')
            admin.execute(f'DROP ROLE "{name}"')


def test_a_role_that_may_only_read_cannot_write(store_url, reader):
    with fresh_database() as url:
        open_store(url).close()
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{reader}"')
            db.execute(f'GRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{reader}"')
            db.execute(f'GRANT DELETE ON saved_songs TO "{reader}"')
            db.execute(f'REVOKE UPDATE ON totals FROM "{reader}"')  # the counters' trigger writes it
        store_url(with_user(url, reader))
        result = check_database(None)
        assert result.status == "fail", result
        assert "cannot write: the role may not write the tables totals" in result.result
        assert "GRANT" in result.fix
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f'GRANT UPDATE ON totals TO "{reader}"')
        assert check_database(None).status == "ok"
        with open_store(with_user(url, reader)) as store:  # and "writable" means it: a fetch is stored
            store.save_videos([Video("1", Song("7001"), ("dance",), Stats(1, 0, 0, 0))])
            assert store.totals()[0] == 1


def test_a_role_that_cannot_create_the_schema_is_told_before_the_first_search(store_url, reader):
    with fresh_database() as url:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        store_url(with_user(url, reader))
        result = check_database(None)
    assert result.status == "fail" and "may not create tables in schema public" in result.result


def test_doctor_takes_the_store_option(monkeypatch):
    from tiktune_tui.cli import build_parser
    from tiktune_tui.commands.args import use_store_option

    monkeypatch.setenv("TIKTUNE_STORE", "")  # restored afterwards: --store sets it below
    with fresh_database() as url:
        args = build_parser().parse_args(["doctor", "--store", url])
        use_store_option(args)
        result = check_database(args.data_dir)
    assert result.status == "ok" and place(url) in result.result
