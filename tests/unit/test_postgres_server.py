"""The test run's PostgreSQL server is there (in CI it must be) and each test gets its own database."""

from __future__ import annotations

from tests.support.postgres import fresh_database


def test_a_fresh_database_is_empty_and_dropped_afterwards():
    import psycopg

    with fresh_database() as url:
        with psycopg.connect(url) as db:
            assert db.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
            name = db.execute("SELECT current_database()").fetchone()[0]
    from tests.support.postgres import server_url

    with psycopg.connect(server_url()) as db:
        assert db.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone() == (0,)
