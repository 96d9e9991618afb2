"""The headless engine: search a source, rank the songs. The CLI and the TUI share it."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from tiktune_tui.config import Settings, load_settings
from tiktune_tui.core import modes
from tiktune_tui.core.models import Video
from tiktune_tui.core.period import in_period
from tiktune_tui.core.query import Query
from tiktune_tui.core.reach import age
from tiktune_tui.core.results import SongRank
from tiktune_tui.core.weights import Weights
from tiktune_tui.library.catalog import Catalog
from tiktune_tui.library.sources import SourceOptions, collect, open_source
from tiktune_tui.library.sources.base import SearchEvent, Source, TagProgress
from tiktune_tui.library.sources.store import StoreSource
from tiktune_tui.library.sources.tiktok_errors import TikTokError as TikTokUnavailable
from tiktune_tui.library.store import Store

if TYPE_CHECKING:
    from tiktune_tui.core.trend import SongTrend


@dataclass
class Recommendation:
    tags: list[str]
    label: str
    rows: list[SongRank]
    videos: list[Video] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    fetched_at: datetime | None = None
    # Songs the ranking holds before `limit` cut it to `rows`; None when nobody counted.
    total: int | None = None
    # Why the answer is not from the source asked for (auto fell back to the catalog).
    notice: str = ""
    # Whether the videos are in the store (the store and TikTok sources): a song's trend is read
    # there; otherwise (a catalog) from `videos`.
    stored: bool = False
    _by_song: dict[str, list[Video]] | None = field(default=None, init=False, repr=False, compare=False)

    def song_trend(self, music_id: str, store: Callable[[], Store]) -> SongTrend:
        """The song's trend within these tags, as `tiktune trend` counts it: from the store
        (`store()` opens it) when the videos are there, else from the videos in hand."""
        from tiktune_tui.core.trend import SongTrend

        if self.stored:
            return store().song_trend(music_id, self.tags)
        if self._by_song is None:  # indexed once: each song's trend is then quick to count
            self._by_song = {}
            for video in self.videos:
                self._by_song.setdefault(video.song.id, []).append(video)
        return SongTrend.from_videos(music_id, self.tags, self._by_song.get(music_id, ()))

    def describe(self, now: datetime | None = None) -> str:
        """Which source answered and how old its data is: "bundled catalog", "TikTok, fetched 3 h ago"."""
        if self.fetched_at is None:
            return self.label
        return f"{self.label}, fetched {age(self.fetched_at, now)}"


def corpus_of(source: Source, tags: Sequence[str], weights: Weights) -> modes.Corpus | None:
    """The statistics of the collection behind `source`; None lets the matches stand in."""
    catalog = getattr(source, "catalog", None)
    if isinstance(catalog, Catalog):
        return catalog_corpus(catalog)
    store = getattr(source, "store", None)
    if isinstance(store, Store):
        # Only the region asked for (--region) counts, as in a ranking on the store.
        settings = getattr(source, "settings", None)
        region = settings.region if settings is not None else getattr(source, "region", None)
        return store.corpus(tags, weights, region)
    return None


_CATALOG_CORPORA: dict[int, tuple[Catalog, modes.Corpus]] = {}


def catalog_corpus(catalog: Catalog) -> modes.Corpus:
    """Counted once per catalog: a catalog never changes once loaded."""
    cached = _CATALOG_CORPORA.get(id(catalog))
    if cached is None or cached[0] is not catalog:
        cached = _CATALOG_CORPORA[id(catalog)] = (
            catalog,
            modes.Corpus(
                total=len(catalog.videos),
                tag_videos=dict(catalog.tag_counts()),
                song_videos=dict(Counter(video.song.id for video in catalog.videos)),
                now=max((v.create_time for v in catalog.videos if v.create_time), default=None),
            ),
        )
    return cached[1]


# The songs whose top video the store path loads for the details pane; the rest show counts.
DETAILED_ROWS = 200


def stored_recommendation(
    source: StoreSource,
    tags: Sequence[str],
    mode: str,
    weights: Weights,
    *,
    require_all: bool = False,
    limit: int | None = None,
    since: datetime | None = None,
    on_event: Callable[[SearchEvent], None] | None = None,
) -> Recommendation:
    """The store answers every mode in SQL (Store.rank_modes) without loading the matching
    videos; only the videos the first rows name are read, for the details pane."""
    store = source.store
    carrying = store.tag_videos(tags)
    for tag in tags:
        if on_event is not None:
            on_event(TagProgress(tag, 0, "running"))
    rows, total = store.rank_modes_counted(
        tags,
        mode,
        weights,
        require_all=require_all,
        limit=limit,
        region=getattr(source, "region", None),
        since=since,
    )
    if on_event is not None:
        for tag in tags:
            on_event(TagProgress(tag, carrying.get(tag, 0), "done"))
    videos = store.videos_by_id([vid for row in rows[:DETAILED_ROWS] for vid in row.video_ids])
    return Recommendation(
        tags=list(tags),
        label=source.label,
        rows=rows,
        videos=videos,
        fetched_at=source.fetched_at(tags),
        total=total,
        stored=True,
    )


async def recommend(
    query: Query,
    source_options: SourceOptions | None = None,
    on_event: Callable[[SearchEvent], None] | None = None,
    *,
    settings: Settings | None = None,
) -> Recommendation:
    """Search the source `source_options` describes (default: SourceOptions()) for `query.tags` and rank the songs in
    `query.mode` (core.modes.MODE_NAMES).

    The store source ranks inside SQLite (stored_recommendation). The corpus statistics fit and
    momentum need come from the whole source (the catalog, or the store behind the store and
    TikTok sources), not just the matches.
    """
    settings = settings or load_settings()
    tags, weights = list(query.tags), query.weights
    source = open_source(source_options or SourceOptions(), settings)
    if isinstance(source, StoreSource):
        try:
            return stored_recommendation(
                source,
                tags,
                query.mode,
                weights,
                require_all=query.require_all,
                limit=query.limit,
                since=query.since,
                on_event=on_event,
            )
        finally:
            await source.aclose()
    notice = ""
    try:
        try:
            result = await collect(source, tags, on_event)
        except TikTokUnavailable as exc:
            options = source_options or SourceOptions()
            if options.kind not in (None, "auto") or options.catalog:
                raise
            # auto chose TikTok (tiktok.com answered) but no session could start or TikTok refused
            # it: the catalog still answers, and the notice says why it is not live.
            notice = f"live TikTok unavailable, the bundled catalog answers instead: {exc}"
            await source.aclose()
            source = open_source(dataclasses.replace(options, kind="catalog"), settings)
            result = await collect(source, tags, on_event)
        corpus = corpus_of(source, tags, weights)
        stored = isinstance(getattr(source, "store", None), Store)
    finally:
        await source.aclose()
    counted = result.videos
    if query.since is not None:  # only videos posted in the period count (--since)
        counted = [video for video in counted if in_period(video.create_time, query.since)]
    rows, total = modes.rank_counted(
        counted, tags, query.mode, weights, corpus, require_all=query.require_all, limit=query.limit
    )
    return Recommendation(
        tags=tags,
        label=result.label,
        rows=rows,
        total=total,
        videos=result.videos,
        failures=result.failures,
        fetched_at=result.fetched_at,
        notice=notice,
        stored=stored,
    )
