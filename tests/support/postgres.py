"""The PostgreSQL server of the test run (scripts/postgres.sh starts it for `make test`).

`server_url()` is its URL, or a skip saying why there is none; in CI (CI=true or
TIKTUNE_REQUIRE_POSTGRES=1) a missing server fails the test instead, as the browser test does.
`fresh_database()` makes an empty database of its own for one test and drops it afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

URL_VARIABLE = "TIKTUNE_TEST_PG_URL"


def required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("TIKTUNE_REQUIRE_POSTGRES") == "1"


def server_url() -> str:
    url = os.environ.get(URL_VARIABLE)
    if url:
        return url
    reason = f"no PostgreSQL server for the tests (${URL_VARIABLE} unset; `make test` starts one)"
    if required():
        pytest.fail(reason + ", and CI requires it")
    pytest.skip(reason)


def with_database(url: str, name: str) -> str:
    """`url` with its database replaced by `name`."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@contextmanager
def fresh_database() -> Iterator[str]:
    import psycopg

    url = server_url()
    name = "t_" + uuid.uuid4().hex[:16]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(url, name)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
