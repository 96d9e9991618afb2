"""The store never touches a file that is not tiktune's, reads a store it may not write,
and takes any limit: real SQLite files, real permissions (as an unprivileged user)."""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from tests.support.factories import video
from tiktune_tui.library.store import SCHEMA_VERSION, Store, StoreError

ROOT = Path(__file__).resolve().parents[2]


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.mark.parametrize("user_version", [1, 2, SCHEMA_VERSION + 3])
def test_another_apps_database_with_a_user_version_is_left_exactly_as_it_was(tmp_path, user_version):
    path = tmp_path / "notes.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO notes (body) VALUES ('keep me')")
    db.execute(f"PRAGMA user_version = {user_version}")
    db.commit()
    db.close()
    before = fingerprint(path)
    with pytest.raises(StoreError) as caught:
        Store(path)
    message = str(caught.value)
    assert "not a tiktune database" in message and "left untouched" in message
    assert "\n" not in message and "\r" not in message
    assert fingerprint(path) == before  # no switch to WAL, no write of any kind
    assert sorted(os.listdir(tmp_path)) == ["notes.sqlite3"]  # no -wal or -shm beside it


def test_a_store_keeps_opening_after_the_identity_check(tmp_path):
    path = tmp_path / "tiktune.sqlite3"
    with Store(path) as store:
        store.save_videos([video("1", "A", "t", play=3)])
    with Store(path) as store:  # tiktune's own tables: recognised, at every version
        assert store.read_only is None and store.counts()["videos"] == 1


def test_limits_beyond_sqlites_integers_mean_all_rows(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        store.save_videos([video("1", "A", "t", play=3), video("2", "B", "t", play=9)])
        assert [r.song.id for r in store.rank_modes(["t"], limit=10**30)] == ["B", "A"]
        assert store.rank_modes_counted(["t"], "fit", limit=2**63)[1] == 2
        assert store.tag_counts("", limit=10**30) == [("t", 2)]


def test_recommend_with_a_huge_limit_on_the_store_answers(tmp_path, capsys):
    from tiktune_tui.cli import main

    data = tmp_path / "data"
    with Store(data / "tiktune.sqlite3") as store:
        store.save_videos([video("1", "A", "t", play=3), video("2", "B", "t", play=9)])
    args = [
        "recommend",
        "t",
        "--source",
        "store",
        "--data-dir",
        str(data),
        "--limit",
        str(10**30),
        "--json",
    ]
    assert main(args) == 0
    assert [r["music_id"] for r in json.loads(capsys.readouterr().out)] == ["B", "A"]


# -- a store this user may not write -------------------------------------------------

READ_ONLY_CHILD = r"""
import json, sys
from tiktune_tui.library.store import Store, StoreError
from tests.support.factories import video
path = sys.argv[1]
report = {}
with Store(path) as store:
    report["read_only"] = store.read_only
    report["ranked"] = [r.song.id for r in store.rank_modes(["t"], "fit")]
    report["related"] = store.related_tags("t")
    try:
        store.save_videos([video("9", "Z", "t")])
    except StoreError as exc:
        report["write"] = str(exc)
print(json.dumps(report))
"""


def unprivileged():
    """(uid, gid) of a user who is not root, to make permissions real when tests run as root."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root and there is no 'nobody' user to drop to")
    return entry.pw_uid, entry.pw_gid


def run_as(user, *args: str) -> subprocess.CompletedProcess[str]:
    """Python as `user` (None: as we are), with this tree and the test environment's packages."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"]]),
        "HOME": tempfile.gettempdir(),
        "TIKTUNE_CONFIG_DIR": str(Path(tempfile.gettempdir()) / "tiktune-no-config"),
    }
    extra = {} if user is None else {"user": user[0], "group": user[1], "extra_groups": []}
    return subprocess.run(
        [interpreter(user), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
        **extra,
    )


def interpreter(user) -> str:
    """This Python, or the system's of the same version when `user` may not run this one
    (a pyenv build under root's home)."""
    if user is None:
        return sys.executable
    for candidate in (
        sys.executable,
        f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}",
    ):
        try:
            subprocess.run(
                [candidate, "-c", "import sqlite3"],
                user=user[0],
                group=user[1],
                extra_groups=[],
                capture_output=True,
                check=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        return candidate
    pytest.skip("no Python interpreter the unprivileged user may run")


@pytest.fixture
def shared_dir():
    """A folder the unprivileged user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="tiktune-ro-"))
    folder.chmod(0o755)
    probe = folder
    while probe != probe.parent:
        if not os.stat(probe).st_mode & 0o001:
            shutil.rmtree(folder)
            pytest.skip(f"{probe} cannot be entered by other users")
        probe = probe.parent
    yield folder
    for inner in folder.rglob("*"):
        inner.chmod(0o755 if inner.is_dir() else 0o644)
    folder.chmod(0o755)
    shutil.rmtree(folder)


def make_store(folder: Path) -> Path:
    path = folder / "tiktune.sqlite3"
    with Store(path) as store:
        store.save_videos(
            [
                video("1", "A", "t u", play=3),
                video("2", "B", "t u", play=9),
                video("3", "B", "t u", play=1),
            ]
        )
    assert sorted(os.listdir(folder)) == ["tiktune.sqlite3"]  # WAL files gone on close
    return path


def test_a_store_in_a_folder_the_user_cannot_write_is_read_read_only(shared_dir):
    user = unprivileged()
    folder = shared_dir / "data"
    folder.mkdir()
    path = make_store(folder)
    if user is not None:
        os.chown(path, *user)  # the file is theirs, the folder is not
    os.chmod(path, 0o644)
    folder.chmod(0o555)  # real for a user who is not root: no -wal/-shm can be created
    before = fingerprint(path)
    result = run_as(user, "-c", READ_ONLY_CHILD, str(path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ranked"] == ["B", "A"]
    assert report["read_only"] == f"its folder {folder} is read-only"
    assert (
        report["write"].startswith("writes are off, nothing was saved: its folder")
        and str(path.parent) in report["write"]
    )
    assert fingerprint(path) == before and sorted(os.listdir(folder)) == ["tiktune.sqlite3"]


def test_a_read_only_store_file_is_read_and_a_search_through_the_cli_answers(
    shared_dir,
):
    user = unprivileged()
    folder = shared_dir / "data"
    folder.mkdir()
    path = make_store(folder)
    if user is not None:
        os.chown(folder, *user)  # the folder is theirs, the file is not
    os.chmod(path, 0o444)
    before = fingerprint(path)
    result = run_as(user, "-c", READ_ONLY_CHILD, str(path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ranked"] == ["B", "A"] and report["read_only"] == f"the file {path} is read-only"
    assert report["write"].startswith("writes are off, nothing was saved: the file")
    cli = run_as(
        user,
        "-m",
        "tiktune_tui",
        "recommend",
        "t",
        "--source",
        "store",
        "--data-dir",
        str(folder),
        "--json",
    )
    assert cli.returncode == 0, cli.stderr
    assert [r["music_id"] for r in json.loads(cli.stdout)] == ["B", "A"]
    assert fingerprint(path) == before


def test_a_read_only_store_that_needs_a_migration_is_refused_in_one_line(tmp_path, monkeypatch):
    # The seam: os.access is what tells a read-only place (it answers for a read-only disk
    # too); faked here so the refusal can be checked as root. The file itself is real.
    from tiktune_tui.library.store import database

    path = tmp_path / "tiktune.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 1")
    db.close()
    before = fingerprint(path)
    monkeypatch.setattr(database.os, "access", lambda *_: False)
    with pytest.raises(
        StoreError,
        match=r"needs upgrading to schema \d+ \(it has 1\) but the file .* is read-only",
    ):
        Store(path)
    assert fingerprint(path) == before


def test_no_store_is_created_in_a_read_only_folder(tmp_path, monkeypatch):
    from tiktune_tui.library.store import database

    monkeypatch.setattr(database.os, "access", lambda *_: False)  # the seam, as above
    with pytest.raises(StoreError, match="cannot create the database .*: its folder .* is read-only"):
        Store(tmp_path / "tiktune.sqlite3")
    assert not (tmp_path / "tiktune.sqlite3").exists()


async def test_a_live_fetch_into_a_read_only_store_keeps_its_results_and_says_writes_are_off(tmp_path, monkeypatch):
    # The read-only decision through the os.access seam (tests run as root); the store
    # is then really opened with mode=ro, so SQLite itself would refuse any write too.
    import tiktune_tui.library.store.database as database
    from tests.support.tiktok_fakes import FakeTikTok
    from tiktune_tui.config import Settings
    from tiktune_tui.library.sources import collect
    from tiktune_tui.library.sources.tiktok import TikTokSource

    path = tmp_path / "tiktune.sqlite3"
    Store(path).close()
    before = fingerprint(path)
    monkeypatch.setattr(database.os, "access", lambda *_: False)
    with Store(path) as store:
        assert store.read_only == f"the file {path} is read-only"
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store._db.execute("INSERT INTO hashtags (name) VALUES ('x')")
        source = TikTokSource(
            store=store,
            settings=Settings(ms_token="tok"),
            sessions=FakeTikTok().manager(),
            backoff_s=0.001,
        )
        result = await collect(source, ["cooking"])
    assert len(result.videos) == 59  # the results still count
    problem = result.failures["cooking"]
    assert "not saved: " in problem and "writes are off, nothing was saved: the file" in problem and "\n" not in problem
    assert fingerprint(path) == before
