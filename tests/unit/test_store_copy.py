"""`tiktune store copy` and `tiktune store import`: between the engines, resumable, verified,
and through the path a live fetch takes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.support.postgres import fresh_database
from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.library.store import open_store

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CSV_HEADER = (
    "video_id,hashtags,music_id,music_title,music_author,play_count,digg_count,comment_count,share_count,create_time\n"
)


def video(video_id: str, song: str, tags: str, play: int) -> Video:
    return Video(video_id, Song(song, title=f"song {song}"), tuple(tags.split()), Stats(play, play // 10, 1, 0))


def fill(store) -> None:
    store.save_videos([video("101", "7001", "dance fyp", 10), video("102", "7002", "dance", 5)], fetched_at=T0)
    store.save_videos(
        [video("101", "7001", "dance fyp", 40), video("103", "7001", "fyp", 7)],
        fetched_at=T0 + timedelta(days=1),
        source="tiktok",
        region="GB",
    )
    store.record_tag_fetch("dance", videos=2, source="tiktok", fetched_at=T0, region="GB")
    store.save_song(Song("7002", title="song 7002"), tags=["dance"], saved_at=T0)
    store.save_song_reach({"7001": 1_234_000, "7009": 5}, T0 + timedelta(hours=3))


def everything(store) -> dict:
    return {
        "counts": store.counts(),
        "videos": [(v.id, v.song.id, v.hashtags, v.stats) for v in store.videos_by_id(["101", "102", "103"])],
        "snapshots": {i: store.snapshots(i) for i in ("101", "102", "103")},
        "fetch": (store.last_tag_fetch("dance"), store.last_tag_fetch("dance", "GB")),
        "regions": [v.id for v in store.videos_with_any(["fyp"], region="GB")],
        "saved": [(s.song.id, s.tags, s.saved_at) for s in store.saved_songs()],
        "ranking": [(r.song.id, r.score) for r in store.rank_modes(["dance", "fyp"], "fit")],
        "totals": store.totals(),
        "reach": store.all_song_reach(),
    }


def test_copy_sqlite_to_postgresql_and_back_keeps_everything_and_resumes(tmp_path, capsys):
    from tiktune_tui.cli import main

    origin = tmp_path / "origin.sqlite3"
    with open_store(origin) as store:
        fill(store)
        expected = everything(store)
    with fresh_database() as url:
        assert main(["store", "copy", "--from", str(origin), "--to", url, "--batch", "2"]) == 0
        assert "verified" in capsys.readouterr().err
        with open_store(url) as store:
            assert everything(store) == expected
        # Again: nothing is missing, nothing is added twice.
        assert main(["store", "copy", "--from", str(origin), "--to", url]) == 0
        assert "copied 0 snapshots" in capsys.readouterr().err
        with open_store(url) as store:
            assert everything(store) == expected
        back = tmp_path / "back.sqlite3"
        assert main(["store", "copy", "--from", url, "--to", str(back)]) == 0
        with open_store(back) as store:
            assert everything(store) == expected


def test_an_interrupted_copy_is_completed_by_running_it_again(tmp_path, make_store):
    from tiktune_tui.library.store_copy import copy_store

    with open_store(tmp_path / "origin.sqlite3") as origin:
        fill(origin)
        expected = everything(origin)
        with make_store(tmp_path / "target") as target:
            # A first copy that stopped after one batch: the second run adds only what is missing.
            first = origin.video_batch(0, 1)
            (at, stats), entry = first[0].snapshots[0], first[0].video
            target.save_videos([Video(entry.id, entry.song, entry.hashtags, stats)], fetched_at=at)
            report = copy_store(origin, target, batch=1)
            assert report.copied_snapshots == 3
            assert everything(target) == expected


def test_import_then_recommend_from_the_store_answers_as_the_catalog(tmp_path, make_store, engine, capsys, monkeypatch):
    from tiktune_tui.cli import main

    catalog = tmp_path / "research.csv"
    catalog.write_text(
        CSV_HEADER
        + "".join(
            f"{100 + i},dance {'fyp' if i % 3 else 'diy'},{7000 + i % 4},Song {i % 4},Artist,{i * 100},{i},{i % 5},{i % 2},"
            f"2025-05-{1 + i % 28:02d}T10:00:00Z\n"
            for i in range(30)
        )
    )
    target = make_store(tmp_path / "imported.sqlite3")
    location = target.url if engine == "postgresql" else str(tmp_path / "imported.sqlite3")
    target.close()
    assert main(["store", "import", str(catalog), "--store", location]) == 0
    assert "imported 30 videos" in capsys.readouterr().err
    monkeypatch.delenv("TIKTUNE_STORE", raising=False)
    for mode in ("popular", "uses", "fit", "momentum"):
        assert main(["recommend", "dance", "fyp", "--rank", mode, "--catalog", str(catalog), "--json"]) == 0
        from_catalog = json.loads(capsys.readouterr().out)
        assert (
            main(["recommend", "dance", "fyp", "--rank", mode, "--source", "store", "--store", location, "--json"]) == 0
        )
        from_store = json.loads(capsys.readouterr().out)
        monkeypatch.delenv("TIKTUNE_STORE", raising=False)
        assert strip(from_store) == strip(from_catalog), mode


def strip(answer):
    """The ranking, without what names the source."""
    rows = answer["rows"] if isinstance(answer, dict) else answer
    return [{k: v for k, v in row.items() if k not in ("source", "fetched_at")} for row in rows]


def test_copy_from_a_missing_file_says_so_and_creates_nothing(tmp_path, capsys):
    from tiktune_tui.cli import main

    missing, target = tmp_path / "typo.sqlite3", tmp_path / "to.sqlite3"
    assert main(["store", "copy", "--from", str(missing), "--to", str(target)]) == 1
    assert capsys.readouterr().err == f"tiktune: error: --from: no store at {missing}: nothing to copy\n"
    assert not missing.exists() and not target.exists()


def test_import_reports_the_csvs_file_and_line(tmp_path, capsys):
    from tiktune_tui.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text(CSV_HEADER + "101,dance,7001,S,A,10,1,1,1,\n102,dance,7002,S,A,lots,1,1,1,\n")
    assert main(["store", "import", str(bad), "--store", str(tmp_path / "s.sqlite3")]) == 1
    assert "bad.csv:3" in capsys.readouterr().err
    with open_store(tmp_path / "s.sqlite3") as store:
        assert store.counts()["videos"] == 0  # nothing half-imported
