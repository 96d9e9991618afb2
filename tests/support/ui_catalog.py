"""A small catalog in the bundled schema, and helpers to drive the app on it.

Some titles and artists are hostile on purpose: Rich markup, ANSI escapes,
control and bidi characters must all show literally.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from tests.support.waiting import until
from tiktune_tui.config import Settings
from tiktune_tui.library.sources import SourceOptions
from tiktune_tui.ui.app import TiktuneApp

FIXED_NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

MARKUP_TITLE = "[bold red]x[/]"
ANSI_ARTIST = "\x1b[31mEvil\x1b[0m"
CONTROL_TITLE = "Line\nBreak\x07\u202eevil"

COLUMNS = [
    "video_id",
    "hashtags",
    "music_id",
    "music_title",
    "music_author",
    "music_duration_s",
    "music_play_url",
    "play_count",
    "digg_count",
    "comment_count",
    "share_count",
    "create_time",
]

# (video, hashtags, music, title, author, duration, plays, likes, comments, shares, created)
VIDEOS = [
    ("1001", "cooking diy", "11", "Alpha Song", "Ann", "65", 1000, 100, 10, 1, "2025-05-01T10:00:00Z"),
    ("1002", "cooking", "12", MARKUP_TITLE, "Markup Max", "30", 5000, 10, 0, 0, "2025-05-02T10:00:00Z"),
    ("1003", "diy", "13", "Bravo Beat", ANSI_ARTIST, "", 300, 900, 0, 50, "2025-05-03T10:00:00Z"),
    ("1004", "cooking", "11", "Alpha Song", "Ann", "65", 200, 5, 1, 0, "2025-05-04T10:00:00Z"),
    ("1005", "diy cooking", "14", CONTROL_TITLE, "Ctrl Carla", "200", 150, 20, 40, 30, "2025-05-05T10:00:00Z"),
    ("1006", "dance", "15", "Dance Floor", "DJ Delta", "180", 1_234_567, 45_678, 901, 2_345, "2025-05-06T10:00:00Z"),
    ("1007", "cookingtips", "16", "Tips Tune", "Tia", "90", 10, 1, 0, 0, "2025-05-07T10:00:00Z"),
]

# Score = plays + 2 likes + 3 comments + 4 shares, summed per song.
COOKING_DIY_ORDER = ["12", "13", "11", "14"]  # 5020, 2300, 1467, 510


def write_catalog(path: Path, videos=VIDEOS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for video, tags, music, title, author, duration, plays, likes, comments, shares, created in videos:
            writer.writerow([video, tags, music, title, author, duration, "", plays, likes, comments, shares, created])
    return path


def write_many_songs(path: Path, count: int, tag: str = "bench") -> Path:
    """`count` distinct songs, one video each, all under `tag`."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(count):
            writer.writerow(
                [
                    str(10_000_000 + n),
                    tag,
                    str(20_000_000 + n),
                    f"Song {n:05d}",
                    f"Artist {n % 97}",
                    "",
                    "",
                    (n * 7919) % 1_000_003,
                    n % 5000,
                    n % 300,
                    n % 77,
                    "2025-01-01T00:00:00Z",
                ]
            )
    return path


def make_app(catalog: Path, tags=(), settings: Settings | None = None, **kwargs) -> TiktuneApp:
    kwargs.setdefault("audio_output", "dummy")  # as $TIKTUNE_AUDIO_OUTPUT gives load_settings
    return TiktuneApp(
        tags=tags,
        source=SourceOptions(catalog=str(catalog)),
        settings=settings or Settings(),
        clock=lambda: FIXED_NOW,
        **kwargs,
    )


async def wait_for_search(pilot, states=("done", "failed")) -> None:
    """Until the app shows a finished search, and the handlers it triggered have run."""
    app = pilot.app
    await until(pilot, lambda: app.search_state in states, what=f"a search {' or '.join(states)}")
    # Let the handlers the finished search triggered (details, status, related tags) repaint.
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    assert app.search_state in states, app.search_state


def live_app(monkeypatch, tmp_path: Path, respond, tags=("cooking",), settings: Settings | None = None, **kwargs):
    """The app on live TikTok, answered by `respond` through TikTokApi's real request path (the
    recorded-shape fakes), with its store in `tmp_path` and every tag fetched afresh."""
    from tests.support.tiktok_fakes import FakeTikTok

    settings = settings or Settings(ms_token="tok")
    manager = FakeTikTok(respond).manager(settings)
    monkeypatch.setattr("tiktune_tui.library.sources.tiktok.shared_sessions", lambda settings: manager)
    kwargs.setdefault("audio_output", "dummy")
    return TiktuneApp(
        tags=list(tags),
        source=SourceOptions(kind="tiktok", data_dir=str(tmp_path), refresh=True),
        settings=settings,
        clock=lambda: FIXED_NOW,
        load_known_tags=False,
        **kwargs,
    )
