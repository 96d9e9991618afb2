"""The team store on the real PostgreSQL server: choosing it by URL, the schema's bookkeeping
on a second engine, and one-line failures that name the server and database, never the password."""

from __future__ import annotations

import threading

import pytest

from tests.support.postgres import fresh_database, server_url, with_database
from tests.support.waiting import eventually
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.store import SCHEMA_VERSION, Store, StoreError, open_store, store_location


def video(video_id: str, song: str, tags: str, play: int = 1) -> Video:
    return Video(video_id, Song(song, title=f"song {song}"), tuple(tags.split()), Stats(play, 0, 0, 0))


def test_the_url_picks_the_engine(tmp_path, monkeypatch):
    from tiktune_tui.library.store.postgres import PostgresStore

    monkeypatch.delenv("TIKTUNE_STORE", raising=False)
    assert store_location(str(tmp_path)) == tmp_path / "tiktune.sqlite3"
    with open_store(tmp_path / "x.sqlite3") as store:
        assert type(store) is Store
    with fresh_database() as url:
        monkeypatch.setenv("TIKTUNE_STORE", url)
        assert store_location(str(tmp_path)) == url
        with open_store(url) as store:
            assert isinstance(store, PostgresStore) and store.schema_version == SCHEMA_VERSION


def test_the_config_names_the_store(tmp_path, monkeypatch, isolated_user_dirs):
    monkeypatch.delenv("TIKTUNE_STORE", raising=False)
    config = isolated_user_dirs / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('[store]\nurl = "postgresql://team@db.example/tiktune"\n')
    assert store_location() == "postgresql://team@db.example/tiktune"


def test_recommend_reads_the_store_named_by_store(tmp_path, capsys):
    from tiktune_tui.cli import main

    with fresh_database() as url:
        with open_store(url) as store:
            store.save_videos([video("1", "7001", "dance"), video("2", "7001", "dance"), video("3", "7002", "dance")])
        assert main(["recommend", "dance", "--source", "store", "--store", url, "--json"]) == 0
        out = capsys.readouterr().out
        assert '"7001"' in out and '"7002"' in out


def test_clients_racing_on_a_new_database_all_succeed_and_one_migrates():
    with fresh_database() as url:
        errors: list[BaseException] = []
        barrier = threading.Barrier(4)

        def start() -> None:
            try:
                barrier.wait()
                open_store(url).close()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=start) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with open_store(url) as store:
            assert store.schema_version == SCHEMA_VERSION


def test_a_newer_database_is_refused():
    import psycopg

    with fresh_database() as url:
        open_store(url).close()
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("UPDATE tiktune_schema SET version = %s", (SCHEMA_VERSION + 1,))
        with pytest.raises(StoreError, match="newer tiktune"):
            open_store(url)


def test_another_applications_database_is_left_alone():
    import psycopg

    with fresh_database() as url:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("CREATE TABLE invoices (id int)")
        with pytest.raises(StoreError, match="not a tiktune database"):
            open_store(url)
        with psycopg.connect(url) as db:
            assert db.execute("SELECT to_regclass('songs')").fetchone() == (None,)


def one_line_failure(url: str) -> str:
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_refused_connection_names_host_and_database():
    from tests.support.postgres import server_url as running

    running()  # the other failures need the server; this one needs a port nobody listens on
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = one_line_failure(f"postgresql://tiktune:s3cret-pw@127.0.0.1:{port}/teamdb")
    assert f"database teamdb on 127.0.0.1:{port}" in message and "refused" in message
    assert "s3cret-pw" not in message


def test_a_wrong_password_is_said_without_the_password():
    import os
    from urllib.parse import urlsplit, urlunsplit

    server_url()
    parts = urlsplit(os.environ["TIKTUNE_TEST_PG_PASSWORD_URL"])
    url = urlunsplit(parts._replace(netloc=parts.netloc.replace("tiktune_pw@", "tiktune_pw:not-the-one@")))
    message = one_line_failure(url)
    assert "password" in message and "not-the-one" not in message and "tiktune_test" in message


def test_a_missing_database_is_said():
    message = one_line_failure(with_database(server_url(), "no_such_db_here"))
    assert "database no_such_db_here on 127.0.0.1" in message and "does not exist" in message


def test_a_server_gone_mid_query_is_one_line_and_a_lost_connection_is_reopened():
    import psycopg

    with fresh_database() as url:
        with open_store(url) as store:
            store.save_videos([video("1", "7001", "dance")])
            with psycopg.connect(url, autocommit=True) as admin:
                others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"

                def kill() -> None:
                    admin.execute(f"SELECT pg_terminate_backend(pid) {others}")
                    # pg_terminate_backend only signals: wait until the session has ended (its
                    # goodbye sent), as it has long before the next query after a real restart.
                    eventually(lambda: admin.execute(f"SELECT count(*) {others}").fetchone()[0] == 0)

                kill()
                # Between two queries: reconnected once, the query answered.
                assert store.counts()["videos"] == 1
                # During a query: one line, naming the database.
                with admin.cursor() as cursor:
                    pid = store._db.conn.info.backend_pid

                    def later() -> None:
                        cursor.execute("SELECT pg_terminate_backend(%s) FROM pg_sleep(0.5)", (pid,))

                    killer = threading.Thread(target=later)
                    killer.start()
                    with pytest.raises(StoreError) as caught:
                        with store._read() as db:
                            db.execute("SELECT pg_sleep(30)").fetchall()
                    killer.join()
                message = str(caught.value)
                assert "\n" not in message and "went away" in message and "database t_" in message


def test_the_cli_says_it_in_one_line_and_exits_1(capsys):
    from tiktune_tui.cli import main

    url = with_database(server_url(), "no_such_db_here")
    assert main(["recommend", "dance", "--source", "store", "--store", url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no_such_db_here" in err and "Traceback" not in err


def test_a_schema_6_store_keeps_its_total_and_newest_fetch_when_its_total_is_sharded():
    import psycopg

    from tiktune_tui.library.store.schema_postgres import POSTGRES_MIGRATIONS

    with fresh_database() as url:
        with psycopg.connect(url, autocommit=True) as db:  # the store as tiktune with schema 6 left it
            for step, script in enumerate(POSTGRES_MIGRATIONS[:6], start=1):
                db.execute(script)
                db.execute("UPDATE tiktune_schema SET version = %s", (step,))
            db.execute("INSERT INTO songs (music_id, updated_at) VALUES ('7001', 0)")
            db.execute(
                "INSERT INTO videos (video_id, song_id, play_count, digg_count, comment_count, share_count,"
                " fetched_at) SELECT v, 1, 0, 0, 0, 0, 100 FROM unnest(ARRAY['1', '2']) v"
            )
        with open_store(url) as store:
            assert store.schema_version == SCHEMA_VERSION
            assert store.totals()[0] == 2 and store.totals()[1] is not None
            store.save_videos([video("3", "7001", "dance")])
            assert store.totals()[0] == 3
