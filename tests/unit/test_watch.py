"""`tiktune watch`: rounds through TikTokApi's real request path (recorded-shape replies whose
stats grow between rounds), an injected clock and sleep, the lock, failures and Ctrl-C."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.tiktok_fakes import FakeTikTok, cooking
from tiktune_tui.cli import main
from tiktune_tui.commands.watch import EXIT_BUSY, watch, watched_tags
from tiktune_tui.config import ConfigError, Settings, load_settings
from tiktune_tui.core.period import PeriodError, describe_duration, parse_duration
from tiktune_tui.errors import UsageError
from tiktune_tui.library.store import Store
from tiktune_tui.library.watch import Watcher, WatcherRunning, WatchLock
from tiktune_tui.paths import database_path

ITEMS = "/api/challenge/item_list/"
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
EVERY = timedelta(hours=6)


class Clock:
    """The watcher's clock and sleep: sleeping moves the clock on, nothing waits."""

    def __init__(self) -> None:
        self.now = T0
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


class GrowingTikTok:
    """#cooking's two recorded pages; each round adds `1000 × round` plays to every video.
    `refuse` holds the cursors whose page TikTok refuses this round."""

    def __init__(self) -> None:
        self.round = 0
        self.refuse: set[str] = set()

    def __call__(self, path, query):
        status, body = cooking(path, query)
        if path != ITEMS:
            return status, body
        if query["cursor"] in self.refuse:
            return 200, json.dumps({"statusCode": 10201, "status_msg": "too many requests"})
        page = json.loads(body)
        for item in page["itemList"]:
            for key, grow in (("stats", int), ("statsV2", str)):
                if isinstance(item.get(key), dict) and "playCount" in item[key]:
                    item[key]["playCount"] = grow(int(item[key]["playCount"]) + 1000 * self.round)
        return status, json.dumps(page)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "tiktune.db") as store:
        yield store


def watcher(store, tiktok, clock, tags=("cooking",)) -> Watcher:
    return Watcher(
        store,
        Settings(ms_token="tok"),
        list(tags),
        sessions=FakeTikTok(tiktok).manager(),
        clock=clock,
        sleep=clock.sleep,
        backoff_s=0.001,
    )


def snapshot_times(store) -> list[int]:
    with store._read() as db:
        return [row[0] for row in db.execute("SELECT DISTINCT fetched_at FROM stats_snapshots ORDER BY 1")]


async def test_three_rounds_add_a_snapshot_per_video_each(store):
    clock, tiktok = Clock(), GrowingTikTok()
    reports = []

    def on_round(report):
        reports.append(report)
        tiktok.round += 1  # the next round sees grown stats

    await watcher(store, tiktok, clock).run(EVERY, on_round, rounds=3)
    assert [r.ok for r in reports] == [True, True, True]
    assert [r.videos for r in reports] == [{"cooking": 59}] * 3
    assert clock.slept == [EVERY.total_seconds()] * 2
    counts = store.counts()
    assert counts["videos"] == 59 and counts["stats_snapshots"] == 3 * 59
    assert snapshot_times(store) == [int((T0 + EVERY * i).timestamp()) for i in range(3)]
    plays = [stats.play for _, stats in store.snapshots("9990000000000000001")]
    assert plays == [43974, 44974, 45974]
    assert store.last_tag_fetch("cooking", "US") == T0 + 2 * EVERY


async def test_a_failed_round_leaves_the_store_as_it_was_and_the_next_retries(store):
    clock, tiktok = Clock(), GrowingTikTok()
    w = watcher(store, tiktok, clock)
    assert (await w.run_round()).ok
    before = store.counts(), store.last_tag_fetch("cooking")
    clock.now += EVERY
    tiktok.round, tiktok.refuse = 1, {"30"}  # page 1 comes back, page 2 is refused: half a round
    failed = await w.run_round()
    assert not failed.ok and failed.videos == {} and failed.stored == 0
    assert "refused" in failed.reason and failed.reason.startswith("#cooking: ")
    assert (store.counts(), store.last_tag_fetch("cooking")) == before
    clock.now += EVERY
    tiktok.refuse = set()
    assert (await w.run_round()).ok
    assert store.counts()["stats_snapshots"] == 2 * 59


async def test_one_failing_tag_keeps_the_others(store):
    clock, tiktok = Clock(), GrowingTikTok()
    report = await watcher(store, tiktok, clock, tags=("cooking", "nosuchtag")).run_round()
    assert report.videos == {"cooking": 59} and list(report.failures) == ["nosuchtag"]
    assert store.counts()["stats_snapshots"] == 59


def run_watch(data, tiktok, clock, *, once: bool = True, **options) -> int:
    """`tiktune watch #cooking` every 6 h with a token, on `data`, through the fake TikTok."""
    return watch(
        ("cooking",),
        EVERY,
        once=once,
        settings=Settings(ms_token="tok"),
        data_dir=data,
        sessions=FakeTikTok(tiktok).manager(),
        clock=clock,
        **options,
    )


def test_the_lock_refuses_a_second_watcher_and_names_the_first(tmp_path):
    path = tmp_path / "tiktune.db"
    with WatchLock(path) as first:
        first.acquire(["cooking"], T0)
        with pytest.raises(WatcherRunning) as refused:
            WatchLock(path).acquire(["diy"], T0)
        message = str(refused.value)
        assert "another watcher" in message and "pid " in message and "#cooking" in message
    second = WatchLock(path)
    second.acquire(["diy"], T0)  # released: the next one may run
    second.release()


def test_watch_once_exits_for_a_scheduler(tmp_path, capsys):
    clock, tiktok = Clock(), GrowingTikTok()
    data = tmp_path / "data"

    def once():
        return run_watch(data, tiktok, clock)

    assert once() == 0
    assert "round 1: stored 59 videos (#cooking 59)" in capsys.readouterr().out
    tiktok.refuse = {"0"}
    assert once() == 1
    err = capsys.readouterr().err
    assert "round 1 failed: #cooking: TikTok refused the request" in err and err.count("\n") == 1
    with WatchLock(database_path(data)) as running:
        running.acquire(["cooking"], T0)
        assert once() == EXIT_BUSY
        err = capsys.readouterr().err
        assert err.startswith("tiktune: error: another watcher is running") and "pid" in err


def test_ctrl_c_stops_between_rounds_and_frees_the_lock(tmp_path, capsys):
    clock, tiktok = Clock(), GrowingTikTok()
    data = tmp_path / "data"

    async def interrupted(seconds):
        raise KeyboardInterrupt

    status = run_watch(data, tiktok, clock, once=False, sleep=interrupted)
    assert status == 130
    assert "watch stopped after 1 round" in capsys.readouterr().err
    with Store(database_path(data)) as store:
        assert store.counts()["stats_snapshots"] == 59
    WatchLock(database_path(data)).acquire(["cooking"], T0)


def test_watch_lists_come_from_the_config(tmp_path, monkeypatch, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[watch]\ncooking = ["#Cooking", "recipe"]\nfood = ["food"]\n', encoding="utf-8")
    settings = load_settings(config)
    assert settings.watch_lists == {"cooking": ("cooking", "recipe"), "food": ("food",)}
    assert watched_tags(["@cooking", "diy"], ["food"], settings) == ("food", "cooking", "recipe", "diy")
    with pytest.raises(UsageError, match="no watch list 'baking'.*cooking, food"):
        watched_tags(["@baking"], [], settings)
    with pytest.raises(UsageError, match="give hashtags"):
        watched_tags([], [], settings)
    config.write_text('[watch]\ncooking = "cooking"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[watch\] cooking must be a list"):
        load_settings(config)


def test_watch_command_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TIKTUNE_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.toml").write_text('[watch]\ncooking = ["cooking", "recipe"]\n', encoding="utf-8")
    assert main(["watch", "--lists"]) == 0
    assert capsys.readouterr().out == "@cooking  #cooking #recipe\n"
    assert main(["watch", "cooking", "--every", "1m"]) == 2
    assert "--every must be at least 5 minutes" in capsys.readouterr().err
    assert main(["watch", "cooking", "--every", "soon"]) == 2
    assert "is not an interval" in capsys.readouterr().err


def test_durations():
    assert parse_duration("6h") == timedelta(hours=6)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration(" 2D ") == timedelta(days=2)
    assert parse_duration("45min") == timedelta(minutes=45)
    assert describe_duration(timedelta(minutes=90)) == "1 h 30 min"
    for bad in ("", "6", "h", "0h", "6x", "6h-", "-6h"):
        with pytest.raises(PeriodError):
            parse_duration(bad)


class PlantedTikTok(GrowingTikTok):
    """#cooking where one video's plays jump by `jump` in round 2 only (its song crosses once)."""

    def __init__(self, jump: int) -> None:
        super().__init__()
        self.jump = jump

    def __call__(self, path, query):
        status, body = super().__call__(path, query)
        if path != ITEMS or query["cursor"] != "0":
            return status, body
        page = json.loads(body)
        item = page["itemList"][0]
        extra = self.jump if self.round >= 1 else 0
        for key, kind in (("stats", int), ("statsV2", str)):
            if isinstance(item.get(key), dict) and "playCount" in item[key]:
                item[key]["playCount"] = kind(int(item[key]["playCount"]) + extra)
        return status, json.dumps(page)


def test_alerts_fire_once_per_crossing_with_json_to_the_command(tmp_path, capsys):
    clock, tiktok = Clock(), PlantedTikTok(jump=10_000_000)
    data = tmp_path / "data"
    received = tmp_path / "received.jsonl"
    hook = tmp_path / "hook.py"
    hook.write_text(
        f"import sys\nopen({str(received)!r}, 'a').write(sys.stdin.read().replace(chr(10), ' ') + chr(10))\n"
    )
    import shlex
    import sys

    def once():
        status = run_watch(
            data,
            tiktok,
            clock,
            alert=5_000_000,
            notify=False,
            alert_cmd=f"{shlex.quote(sys.executable)} {shlex.quote(str(hook))}",
        )
        clock.now += EVERY
        tiktok.round += 1
        return status, [line for line in capsys.readouterr().out.splitlines() if line.startswith("alert:")]

    assert once() == (0, [])  # one snapshot: nothing rises yet
    status, alerts = once()  # the planted video jumps: its song crosses
    assert status == 0 and len(alerts) == 1 and "is rising in #cooking" in alerts[0]
    assert once() == (0, [])  # round 3: the jump is in the past, the song falls back below
    sent = [json.loads(line) for line in received.read_text().splitlines()]
    assert len(sent) == 1 and sent[0]["tags"] == ["cooking"] and sent[0]["plays_per_day"] >= 5_000_000
    assert sent[0]["threshold"] == 5_000_000 and sent[0]["plays_gained"] >= 10_000_000


def test_alerts_remember_a_song_still_above_and_can_fire_again_after_falling(tmp_path):
    from tiktune_tui.core.models import Song, Stats
    from tiktune_tui.core.results import SongRank
    from tiktune_tui.library.alerts import Alerts

    def row(song, score):
        return SongRank(
            rank=1,
            song=Song(song),
            score=score,
            stats=Stats(),
            videos=1,
            matched_tags=("a",),
            video_ids=(),
            mode="rising",
            explanation=None,
        )

    alerts = Alerts(tmp_path / "alerts.json", ["a"], threshold=100)
    assert [a.row.song.id for a in alerts.crossings([row("X", 150), row("Y", 50)])] == ["X"]
    assert alerts.crossings([row("X", 200), row("Y", 60)]) == []  # still above: said once
    assert Alerts(tmp_path / "alerts.json", ["a"], 100).crossings([row("X", 10)]) == []
    assert [a.row.song.id for a in alerts.crossings([row("X", 101)])] == ["X"]  # crossed again


def test_alert_options_are_checked(capsys):
    assert main(["watch", "cooking", "--alert", "0"]) == 2
    assert "--alert takes a threshold" in capsys.readouterr().err
    assert main(["watch", "cooking", "--alert-cmd", "'unclosed"]) == 2
    assert "--alert-cmd cannot be read as a command" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("since", "fires"),
    [("2025-10-08", True), ("2025-10-09", False), ("7d", False), (None, True)],
)
def test_alerts_count_only_the_videos_posted_since(tmp_path, capsys, since, fires):
    """The planted video was posted 2025-10-08 05:37 UTC: a period from then on sees its jump;
    one from the next day (or the last 7 days before 2026-01-05) does not."""
    from tiktune_tui.core.period import parse_since

    clock, tiktok = Clock(), PlantedTikTok(jump=10_000_000)
    data = tmp_path / "data"
    said = []
    for _ in range(2):
        status = run_watch(data, tiktok, clock, alert=5_000_000, notify=False, since=since)
        assert status == 0
        said += [line for line in capsys.readouterr().out.splitlines() if line.startswith("alert:")]
        started = clock.now
        clock.now += EVERY
        tiktok.round += 1
    assert len(said) == (1 if fires else 0)
    with Store(database_path(data)) as store:
        window = parse_since(since, started)
        expected = [r for r in store.rank_modes(["cooking"], "rising", since=window) if r.score >= 5_000_000]
        assert len(expected) == len(said)
        counted = {r.song.id: r.videos for r in store.rank_modes(["cooking"], "popular", since=window)}
        videos = store.videos_with_any(["cooking"])
        reference = {}
        for video in videos:
            if window is None or (video.create_time and video.create_time >= window):
                reference[video.song.id] = reference.get(video.song.id, 0) + 1
        assert counted == reference  # exactly the videos in the window count
    if fires and since:
        assert f"videos posted since {since})" in said[0]


def test_since_goes_with_alerts(capsys):
    assert main(["watch", "cooking", "--since", "7d"]) == 2
    assert "--since goes with --alert" in capsys.readouterr().err
    assert main(["watch", "cooking", "--alert", "--since", "soon"]) == 2
    assert "--since:" in capsys.readouterr().err
