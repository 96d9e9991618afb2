"""The offline catalog: real TikTok videos in a CSV, bundled or given by the user.

The bundled file ships gzipped inside the package and is read lazily on first
use, so commands that never rank (like --version) never pay for it.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from importlib import resources
from pathlib import Path

from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.core.tags import split_catalog_tags
from tiktune_tui.errors import TiktuneError
from tiktune_tui.text import terminal_safe

REQUIRED_COLUMNS = (
    "video_id",
    "hashtags",
    "music_id",
    "music_title",
    "music_author",
    "play_count",
    "digg_count",
    "comment_count",
    "share_count",
    "create_time",
)
BUNDLED_NAME = "tiktok_videos.csv.gz"
BUNDLED_LABEL = "bundled catalog"
MAX_COUNT = 2**63 - 1  # the largest count SQLite stores


def catalog_label(path: str | Path | None) -> str:
    """What the user is told a catalog is: "bundled catalog", "catalog NAME.csv"."""
    return BUNDLED_LABEL if path is None else f"catalog {Path(path).name}"


class CatalogError(TiktuneError):
    """A catalog file that cannot be read; the message names file:line."""


@dataclass
class Catalog:
    """Videos in file order, with an index from hashtag to the videos carrying it."""

    videos: list[Video]
    label: str
    by_tag: dict[str, list[Video]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.by_tag:
            for video in self.videos:
                for tag in video.hashtags:
                    self.by_tag.setdefault(tag, []).append(video)

    def videos_with_any(self, tags: Sequence[str]) -> Iterator[Video]:
        seen: set[str] = set()
        for tag in tags:
            for video in self.by_tag.get(tag, ()):
                if video.id not in seen:
                    seen.add(video.id)
                    yield video

    def tag_counts(self) -> Counter[str]:
        return Counter({tag: len(videos) for tag, videos in self.by_tag.items()})


def _count(row: dict[str, str], column: str, where: str) -> int:
    text = (row.get(column) or "").strip()
    try:
        value = int(text)
    except ValueError:
        raise CatalogError(f"{where}: {column} {terminal_safe(text)!r} is not a whole number") from None
    if value < 0:
        raise CatalogError(f"{where}: {column} is negative ({value})")
    if value > MAX_COUNT:  # no video has; and the store, SQLite, cannot hold it
        raise CatalogError(f"{where}: {column} is too large ({len(text)} digits)")
    return value


def _time(text: str, where: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CatalogError(f"{where}: create_time {terminal_safe(text)!r} is not an ISO-8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _is_id(text: str) -> bool:
    """TikTok ids are ASCII digits ("²" and "٣" are digits to str.isdigit)."""
    return text.isascii() and text.isdigit()


def _optional_int(text: str | None) -> int | None:
    text = (text or "").strip()
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    return int(text) if text.isdecimal() and text.isascii() else None


def parse_catalog(lines: Iterator[str] | io.TextIOBase, name: str) -> list[Video]:
    reader = csv.DictReader(lines)
    try:
        columns = reader.fieldnames or []  # reads the header line, which may be no CSV at all
    except csv.Error as exc:
        raise CatalogError(f"{name}:1: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CatalogError(f"{name}:1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    videos: list[Video] = []
    songs: dict[str, Song] = {}
    try:
        for row in reader:
            where = f"{name}:{reader.line_num}"
            video_id = (row["video_id"] or "").strip()
            music_id = (row["music_id"] or "").strip()
            if not _is_id(video_id):
                raise CatalogError(f"{where}: video_id {terminal_safe(video_id)!r} is not a TikTok id")
            if not _is_id(music_id):
                raise CatalogError(f"{where}: music_id {terminal_safe(music_id)!r} is not a TikTok id")
            song = songs.get(music_id)
            if song is None:
                # One Song object per id keeps memory flat for sounds used many times.
                song = songs[music_id] = Song(
                    id=music_id,
                    title=row["music_title"] or "",
                    author=row["music_author"] or "",
                    duration_s=_optional_int(row.get("music_duration_s")),
                    play_url=(row.get("music_play_url") or "").strip() or None,
                )
            videos.append(
                Video(
                    id=video_id,
                    song=song,
                    hashtags=split_catalog_tags(row["hashtags"] or ""),
                    stats=Stats(
                        play=_count(row, "play_count", where),
                        digg=_count(row, "digg_count", where),
                        comment=_count(row, "comment_count", where),
                        share=_count(row, "share_count", where),
                    ),
                    create_time=_time(row["create_time"] or "", where),
                )
            )
    except csv.Error as exc:
        raise CatalogError(f"{name}:{reader.line_num}: {exc}") from None
    return videos


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The bundled catalog when `path` is None, else the CSV file at `path`."""
    if path is None:
        return _bundled()
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such file") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read ({exc.strerror})") from None
    # Keyed by size and mtime, so an edited file is read again but each query is not.
    return _user_catalog(str(path), info.st_size, info.st_mtime_ns)


@lru_cache(maxsize=2)
def _user_catalog(name: str, size: int, mtime_ns: int) -> Catalog:
    path = Path(name)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            return Catalog(parse_catalog(handle, str(path)), label=catalog_label(path))
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CatalogError(f"{path}: is a directory, not a CSV file") from None
    except PermissionError:
        raise CatalogError(f"{path}: permission denied") from None
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise CatalogError(f"{path}: not a UTF-8 CSV file ({exc.__class__.__name__})") from None


@lru_cache(maxsize=1)
def _bundled() -> Catalog:
    blob = resources.files("tiktune_tui.library.data").joinpath(BUNDLED_NAME).read_bytes()
    text = io.StringIO(gzip.decompress(blob).decode("utf-8"), newline="")
    return Catalog(parse_catalog(text, BUNDLED_NAME), label=BUNDLED_LABEL)
