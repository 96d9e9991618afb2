"""The shortlist in the store (real SQLite) and its three commands, end to end."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from datetime import UTC, datetime

from tests.support.factories import video, write_catalog
from tests.unit.test_cli import TIKTUNE
from tiktune_tui.core.models import Song
from tiktune_tui.library.store import MIGRATIONS, Store


def test_save_unsave_and_list_newest_first(tmp_path, make_store):
    with make_store(tmp_path / "t.sqlite3") as store:
        store.save_song(
            Song("1", "One", "Ann"), tags=["cooking", "diy"], score=12.5, saved_at=datetime(2025, 1, 1, tzinfo=UTC)
        )
        store.save_song(Song("2", "Two"), saved_at=datetime(2025, 1, 2, tzinfo=UTC))
        saved = store.saved_songs()
        assert [s.song.id for s in saved] == ["2", "1"]
        assert saved[1].tags == ("cooking", "diy") and saved[1].score == 12.5 and saved[1].song.author == "Ann"
        assert saved[1].saved_at == datetime(2025, 1, 1, tzinfo=UTC)
        # Saving again refreshes when and for what, never a second row.
        store.save_song(Song("1", "One", "Ann"), tags=["fyp"], saved_at=datetime(2025, 1, 3, tzinfo=UTC))
        assert [(s.song.id, s.tags) for s in store.saved_songs()] == [("1", ("fyp",)), ("2", ())]
        assert store.unsave_song("1") and not store.unsave_song("1")
        assert store.saved_ids() == {"2"}


def test_a_version_2_store_gains_the_shortlist_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    db.execute("INSERT INTO songs (music_id, title, updated_at) VALUES ('9', 'Kept', 0)")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.song("9").title == "Kept"
        store.save_song(store.song("9"))
        assert store.saved_ids() == {"9"}


def run(*args, data_dir):
    return subprocess.run(
        [TIKTUNE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "TIKTUNE_DATA_DIR": str(data_dir)},
    )


def test_save_saved_unsave_commands_with_hostile_titles(tmp_path):
    catalog = write_catalog(
        tmp_path / "c.csv",
        [
            video("1", "100", "cooking", play=5, title="\x1b[31mRed\x07", author="@[bold]Ann[/]"),
        ],
    )
    data = tmp_path / "data"
    assert run("saved", data_dir=data).returncode == 0 and not data.exists()  # asking creates nothing
    result = run("save", "100", "--tags", "cooking", "--catalog", str(catalog), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stderr
    table = run("saved", data_dir=data)
    assert "\\x1b[31mRed\\x07 — @[bold]Ann[/]" in table.stdout and "[#cooking]" in table.stdout
    assert "\x1b" not in table.stdout and "\x07" not in table.stdout
    rows = json.loads(run("saved", "--json", data_dir=data).stdout)
    assert [(r["music_id"], r["title"], r["tags"]) for r in rows] == [("100", "\x1b[31mRed\x07", ["cooking"])]
    assert "\x1b" not in run("saved", "--json", data_dir=data).stdout  # escaped as \u001b
    csv_out = run("saved", "--csv", data_dir=data).stdout
    assert csv_out.splitlines()[0].startswith("music_id,title") and "\\x1b[31mRed" in csv_out
    assert ",'@[bold]Ann[/]," in csv_out  # a spreadsheet shows it, never runs it
    missing = run("save", "999", "--catalog", str(catalog), data_dir=data)
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert run("save", "abc", data_dir=data).returncode == 2
    assert run("unsave", "100", data_dir=data).returncode == 0
    again = run("unsave", "100", data_dir=data)
    assert again.returncode == 1 and "not on the shortlist" in again.stderr
    assert json.loads(run("saved", "--json", data_dir=data).stdout) == []


def test_songs_saved_here_are_read_back_as_built_when_saved(tmp_path, make_store, monkeypatch):
    """Opening a shortlist just filled (the app's b, then B) builds no row again, and reads
    what a store that never saw the saves reads."""
    from tiktune_tui.library.store import saved as saved_module

    path = tmp_path / "t.sqlite3"
    with make_store(path) as store:
        for n in range(20):
            store.save_song(Song(str(n), f"Song {n}", "Ann", duration_s=30), tags=["fyp"], score=n + 0.5, videos=n)
        built = []
        original = saved_module._saved_from
        monkeypatch.setattr(saved_module, "_saved_from", lambda row: built.append(row) or original(row))
        shortlist = store.saved_songs()
        assert len(shortlist) == 20 and built == []
        with make_store(path) as other:
            assert other.saved_songs() == shortlist
