"""Moving data into and between stores: `tiktune store copy` and `tiktune store import`.

Both write through `Store.save_videos` and `record_tag_fetch`, the path a live fetch takes, so
the target's counts, regions and history are kept exactly as a fetch keeps them. A copy goes
in batches of videos, each batch one transaction per snapshot time; a copy run again skips the
snapshots the target already holds, so an interrupted copy resumes where it stopped. At the end
the target's counts are checked against the source's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tiktune_tui.core.models import Video
from tiktune_tui.library.store import Store, StoreError

TABLES = ("videos", "songs", "hashtags", "stats_snapshots", "saved_songs")


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    what: str  # "videos"


@dataclass(frozen=True)
class CopyReport:
    copied_snapshots: int  # snapshots the target did not hold
    source_counts: dict[str, int]
    target_counts: dict[str, int]


def _counts(store: Store) -> dict[str, int]:
    return store.counts() | {"saved_songs": store.saved_total()}


def copy_store(
    source: Store,
    target: Store,
    *,
    batch: int = 2000,
    on_progress: Callable[[Progress], None] | None = None,
) -> CopyReport:
    """Copy every video (with its snapshots and regions), tag fetch, saved song and song-wide
    count of `source`
    into `target`; what the target holds already is left as it is. A StoreError when the
    target's counts come out short of the source's."""
    total = source.counts()["videos"]
    done = after = copied = 0
    while stored := source.video_batch(after, batch):
        after = stored[-1].row_id
        held = target.snapshot_times([entry.video.id for entry in stored])
        # One save per (time, source, region): the target's fetch of those videos then.
        groups: dict[tuple[datetime, str, str | None], list[Video]] = {}
        for entry in stored:
            for at, stats in entry.snapshots:
                if at in held.get(entry.video.id, ()):
                    continue
                video = Video(
                    entry.video.id,
                    entry.video.song,
                    entry.video.hashtags,
                    stats,
                    entry.video.create_time,
                    entry.video.author,
                    entry.video.description,
                )
                for region in entry.regions or (None,):
                    groups.setdefault((at, entry.source, region), []).append(video)
                copied += 1
        for (at, kind, region), videos in sorted(
            groups.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or "")
        ):
            target.save_videos(videos, fetched_at=at, source=kind, region=region)
        done += len(stored)
        if on_progress:
            on_progress(Progress(done, total, "videos"))
    fetches = source.tag_fetches()
    for fetch in sorted(fetches, key=lambda f: f.region is None):  # per region first: it also sets the plain row
        target.record_tag_fetch(
            fetch.tag, videos=fetch.videos, source=fetch.source, fetched_at=fetch.fetched_at, region=fetch.region
        )
    held_songs = target.saved_ids()
    for saved in source.saved_songs():
        if saved.song.id not in held_songs:
            target.save_song(
                saved.song,
                tags=saved.tags,
                score=saved.score,
                play_count=saved.play_count,
                videos=saved.videos,
                saved_at=saved.saved_at,
            )
    # Each song's count on all of TikTok, with its fetch time (a newer one the target holds stays).
    by_time: dict[datetime, dict[str, int]] = {}
    for reach in source.all_song_reach():
        by_time.setdefault(reach.fetched_at, {})[reach.music_id] = reach.videos
    for at, counts in sorted(by_time.items()):
        target.save_song_reach(counts, at)
    report = CopyReport(copied, _counts(source), _counts(target))
    short = [name for name in TABLES if report.target_counts[name] < report.source_counts[name]]
    if short:
        raise StoreError(
            "the copy is incomplete: the target holds fewer "
            + ", ".join(f"{name} ({report.target_counts[name]} of {report.source_counts[name]})" for name in short)
            + "; run the copy again to add what is missing"
        )
    return report


def import_catalog(
    store: Store,
    path: str | Path,
    *,
    batch: int = 2000,
    fetched_at: datetime | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> int:
    """Load the catalog CSV at `path` into `store` as a fetch of each of its tags would store
    it (CatalogError with file:line when a row is wrong, before anything is written).
    Returns the number of videos."""
    from tiktune_tui.library.catalog import load_catalog

    catalog = load_catalog(path)
    # A data set's fetch time is unknown; its newest post is when it was at least taken, and the
    # catalog's own "now" (momentum), so the store then ranks it exactly as the catalog does.
    newest = max((v.create_time for v in catalog.videos if v.create_time), default=None)
    when = fetched_at or newest or datetime.now(UTC)
    videos = list(catalog.videos)
    for start in range(0, len(videos), batch):
        store.save_videos(videos[start : start + batch], fetched_at=when, source="catalog")
        if on_progress:
            on_progress(Progress(min(start + batch, len(videos)), len(videos), "videos"))
    for tag, count in sorted(catalog.tag_counts().items()):
        store.record_tag_fetch(tag, videos=count, source="catalog", fetched_at=when)
    return len(videos)
