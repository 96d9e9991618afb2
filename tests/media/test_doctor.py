"""`tiktune doctor` on this machine (real ffmpeg, libVLC, Chromium, SQLite), and with each real fault."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
from pathlib import Path

import pytest

from tiktune_tui.cli import main
from tiktune_tui.health import Check, ok, run_checks
from tiktune_tui.paths import database_path

SECRET = "tok-secret-abcdef123456"


@pytest.fixture(autouse=True)
def tiktok_unreachable(monkeypatch):
    """tiktok.com is a closed port on 127.0.0.1: the same answer on any machine, no internet asked."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TIKTUNE_TIKTOK_ADDRESS", f"127.0.0.1:{port}")


def doctor(capsys, *args: str) -> tuple[int, dict]:
    code = main(["doctor", "--json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


def by_name(report: dict) -> dict[str, dict]:
    return {check["check"]: check for check in report["checks"]}


def test_a_healthy_machine_exits_0_and_never_shows_the_token(capsys, monkeypatch):
    monkeypatch.setenv("TIKTUNE_MS_TOKEN", SECRET)
    code = main(["doctor"])
    table = capsys.readouterr().out
    assert code == 0, table
    assert "everything tiktune needs works" in table
    code, report = doctor(capsys)
    checks = by_name(report)
    assert code == 0 and report["healthy"] is True
    for name in ("Python", "ffmpeg", "ffprobe", "libVLC", "Chromium", "data dir", "database", "config"):
        assert checks[name]["status"] == "ok", checks[name]
    assert checks["TikTok token"]["result"] == "set, from $TIKTUNE_MS_TOKEN"
    assert checks["tiktok.com"]["status"] == "warn" and checks["tiktok.com"]["needed"] is False
    assert SECRET not in table and SECRET not in json.dumps(report)


def test_ffmpeg_hidden_from_path_is_named_with_its_fix(capsys, monkeypatch, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in ("/usr/bin", "/bin"):
        for entry in Path(folder).iterdir():
            target = bin_dir / entry.name
            if entry.name not in ("ffmpeg", "ffprobe") and not target.exists():
                target.symlink_to(entry)
    monkeypatch.setenv("PATH", str(bin_dir))
    code, report = doctor(capsys)
    checks = by_name(report)
    assert code == 1 and report["healthy"] is False
    assert checks["ffmpeg"] == checks["ffmpeg"] | {
        "status": "fail",
        "result": "not found on PATH",
        "fix": "apt-get install ffmpeg",
    }
    assert checks["ffprobe"]["status"] == "fail"
    assert checks["libVLC"]["status"] == "ok"


def test_a_corrupt_database_is_named_with_its_fix(capsys):
    path = database_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not SQLite at all" * 200)
    code, report = doctor(capsys)
    database = by_name(report)["database"]
    assert code == 1
    assert database["status"] == "fail" and "not a readable tiktune database" in database["result"]
    assert database["fix"].startswith(f"move {path} aside")


def test_a_damaged_page_inside_the_database_fails_the_integrity_check(capsys):
    from tiktune_tui.core.models import Song, Stats, Video
    from tiktune_tui.library.store import Store

    path = database_path()
    with Store(path) as store:
        song = Song(id="1", title="t")
        store.save_videos(
            [Video(id=str(n), song=song, hashtags=("a",), stats=Stats(n, 0, 0, 0)) for n in range(1, 3000)],
            fetched_at=None,
            source="test",
        )
    # Checkpointed and closed: the data is in the main file. Overwrite a page in its middle.
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle + 8 : middle + page] = os.urandom(page - 8)
    path.write_bytes(bytes(data))
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    code, report = doctor(capsys)
    database = by_name(report)["database"]
    assert code == 1 and database["status"] == "fail", database
    assert "aside" in database["fix"]


def test_a_file_where_the_data_dir_should_be_is_named_with_its_fix(capsys, monkeypatch, tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("TIKTUNE_DATA_DIR", str(blocker))
    code, report = doctor(capsys)
    data_dir = by_name(report)["data dir"]
    assert code == 1
    assert data_dir["status"] == "fail" and f"{blocker} is a file" in data_dir["result"]
    assert data_dir["fix"].startswith(f"move {blocker} away")


def test_unknown_config_keys_are_named_but_do_not_fail(capsys, monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('[tiktok]\nregoin = "GB"\n[colours]\nx = 1\n')
    monkeypatch.setenv("TIKTUNE_CONFIG_DIR", str(config))
    code, report = doctor(capsys)
    entry = by_name(report)["config"]
    assert entry["status"] == "warn" and "tiktok.regoin" in entry["result"] and "[colours]" in entry["result"]
    assert code == 0


def test_a_config_that_does_not_parse_fails_and_says_where(capsys, monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text("[tiktok\n")
    monkeypatch.setenv("TIKTUNE_CONFIG_DIR", str(config))
    code, report = doctor(capsys)
    entry = by_name(report)["config"]
    assert code == 1 and entry["status"] == "fail" and "not valid TOML" in entry["result"]


def test_a_check_past_its_time_limit_is_reported_not_waited_for():
    release = threading.Event()

    def hangs():
        release.wait(30)
        return ok("never", "never")

    try:
        results = run_checks(
            [Check("slow", hangs, limit_s=0.2, fix_on_timeout="do X"), Check("fast", lambda: ok("fast", "yes"))]
        )
    finally:
        release.set()
    assert [(r.name, r.status, r.fix) for r in results] == [("slow", "fail", "do X"), ("fast", "ok", "")]
    assert "no answer within 0.2 s" in results[0].result


def test_doctor_is_listed_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "doctor" in capsys.readouterr().out
    assert sys.version_info >= (3, 11)
