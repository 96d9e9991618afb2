"""The offline catalog: real TikTok videos in a CSV, bundled or given by the user.

The bundled file ships gzipped inside the package and is read lazily on first
use, so commands that never rank (like --version) never pay for it.
"""

from __future__ import annotations

import csv
import gzip
import io
import threading
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

from tiktune_tui.core.models import MAX_COUNT, Song, Stats, Video
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
STEP_ROWS = 5_000  # rows read between two chances to stop a load (a few ms)
LOADED_KEPT = 2  # user catalogs kept in memory, the newest loaded
_loaded: dict[tuple[str, int, int], Catalog] = {}
_loaded_lock = threading.Lock()


def catalog_label(path: str | Path | None) -> str:
    """What the user is told the songs come from: "bundled catalog", "catalog songs.csv".
    A file name is outside text (a crafted one retitled the terminal window): escaped here,
    once, for every output that shows the label."""
    return BUNDLED_LABEL if path is None else f"catalog {terminal_safe(Path(path).name)}"


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
    if len(text) > 40 and text.isascii() and text.isdigit():  # int() itself refuses 4,300 digits
        raise CatalogError(f"{where}: {column} is too large (more than {MAX_COUNT:,})")
    try:
        value = int(text)
    except ValueError:
        raise CatalogError(f"{where}: {column} {terminal_safe(text)!r} is not a whole number") from None
    if value < 0:
        raise CatalogError(f"{where}: {column} is negative ({value})")
    if value > MAX_COUNT:
        # Refused here, before any output: a store could not hold it, and sums of such
        # counts would overflow the SQL ranking and the table's number formats.
        raise CatalogError(f"{where}: {column} is too large (more than {MAX_COUNT:,})")
    return value


def _time(text: str, where: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CatalogError(f"{where}: create_time {terminal_safe(text)!r} is not an ISO-8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _is_id(text: str) -> bool:
    """TikTok ids are ASCII digits ("²" and "٣" are digits to str.isdigit)."""
    return text.isascii() and text.isdigit()


def _optional_int(text: str | None) -> int | None:
    text = (text or "").strip()
    # ASCII digits only ("²".isdigit() is true but int() refuses it), and a sane length.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def parse_catalog(lines: Iterator[str] | io.TextIOBase, name: str) -> list[Video]:
    videos: list[Video] = []
    for _ in _parse_steps(lines, name, videos):
        pass
    return videos


def _parse_steps(lines: Iterator[str] | io.TextIOBase, name: str, videos: list[Video]) -> Iterator[None]:
    """Read the CSV into `videos`, pausing (yield) every STEP_ROWS rows so that a caller
    on an event loop can let it run in between: a Ctrl-C is then felt within a step."""
    reader = csv.DictReader(lines)
    try:
        columns = reader.fieldnames or []  # reads the header line, which may be no CSV at all
    except csv.Error as exc:
        raise CatalogError(f"{name}:1: {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CatalogError(f"{name}:1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    songs: dict[str, Song] = {}
    try:
        for number, row in enumerate(reader, start=1):
            if number % STEP_ROWS == 0:
                yield
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


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The bundled catalog when `path` is None, else the CSV file at `path`."""
    for step in catalog_steps(path):
        if step is not None:
            return step
    raise AssertionError("catalog_steps ends with the catalog")


def catalog_steps(path: str | Path | None = None) -> Iterator[Catalog | None]:
    """load_catalog step by step: None after every STEP_ROWS rows read, the Catalog last.
    A caller stops the load by no longer asking for steps (the file is then closed)."""
    if path is None:
        yield _bundled()
        return
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such file") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read ({exc.strerror})") from None
    # Keyed by size and mtime, so an edited file is read again but each query is not.
    key = (str(path), info.st_size, info.st_mtime_ns)
    catalog = _loaded.get(key)
    if catalog is None:
        videos: list[Video] = []
        try:
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8", newline="") as handle:
                yield from _parse_steps(handle, str(path), videos)
        except FileNotFoundError:
            raise CatalogError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise CatalogError(f"{path}: is a directory, not a CSV file") from None
        except PermissionError:
            raise CatalogError(f"{path}: permission denied") from None
        except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise CatalogError(f"{path}: not a UTF-8 CSV file ({exc.__class__.__name__})") from None
        catalog = Catalog(videos, label=catalog_label(path))
        with _loaded_lock:  # the app loads from worker threads
            _loaded[key] = catalog
            while len(_loaded) > LOADED_KEPT:
                del _loaded[next(iter(_loaded))]
    yield catalog


@lru_cache(maxsize=1)
def _bundled() -> Catalog:
    blob = resources.files("tiktune_tui.library.data").joinpath(BUNDLED_NAME).read_bytes()
    text = io.StringIO(gzip.decompress(blob).decode("utf-8"), newline="")
    return Catalog(parse_catalog(text, BUNDLED_NAME), label=BUNDLED_LABEL)
