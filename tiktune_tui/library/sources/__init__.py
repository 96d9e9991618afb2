"""Song sources and the choice between them."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from tiktune_tui.config import Settings
from tiktune_tui.errors import UsageError
from tiktune_tui.library.sources.base import SearchResult, Source, collect

__all__ = [
    "SearchResult",
    "Source",
    "SourceOptions",
    "close_shared_sessions",
    "collect",
    "default_kind",
    "open_source",
]


# What the app calls live TikTok before it has answered once (it then says "TikTok", "TikTok (stored)").
TIKTOK_LIVE_LABEL = "TikTok live"


@dataclass(frozen=True)
class SourceOptions:
    """Where a search takes its songs from: `--source`, `--catalog`, `--data-dir` and the TikTok knobs."""

    kind: str | None = None  # auto | catalog | store | tiktok; None is auto
    catalog: str | None = None
    data_dir: str | None = None
    per_tag: int = 60
    refresh: bool = False

    @property
    def is_auto(self) -> bool:
        return self.kind in (None, "auto") and self.catalog is None

    def resolved_kind(self, settings: Settings) -> str:
        """Waits for auto's verdict (a short time at most): call it off the event loop."""
        return default_kind(self, settings)

    def label(self, settings: Settings) -> str:
        """What to call the source before it has answered once ("bundled catalog", "catalog x.csv");
        never waits for auto's verdict."""
        if self.is_auto:
            from tiktune_tui.library.sources import auto

            choice = auto.choice(settings, wait=False)
            return choice.describe() if choice is not None else "auto: checking tiktok.com…"
        kind = self.resolved_kind(settings)
        if kind == "catalog":
            from tiktune_tui.library.catalog import catalog_label

            return catalog_label(self.catalog)
        if kind == "store":
            from tiktune_tui.library.sources.store import StoreSource

            return StoreSource.label
        return TIKTOK_LIVE_LABEL if kind == "tiktok" else kind


def default_kind(options: SourceOptions, settings: Settings) -> str:
    """The source a search uses. `auto` (the default) asks whether tiktok.com is reachable
    (library.sources.auto: at most a short wait, milliseconds when offline)."""
    if options.kind and options.kind != "auto":
        return options.kind
    if options.catalog:
        return "catalog"
    from tiktune_tui.library.sources import auto

    return auto.choice(settings).kind


def open_source(options: SourceOptions, settings: Settings) -> Source:
    kind = default_kind(options, settings)
    if options.catalog and kind != "catalog":
        raise UsageError("--catalog goes with --source catalog")
    if kind == "catalog":
        from tiktune_tui.library.sources.catalog import CatalogSource

        return CatalogSource(options.catalog)
    from tiktune_tui.library.store import open_store, store_location

    store = open_store(store_location(options.data_dir))
    if kind == "store":
        from tiktune_tui.library.sources.store import StoreSource

        return StoreSource(store, region=settings.region)
    from tiktune_tui.library.sources.tiktok import TikTokSource

    return TikTokSource(store=store, settings=settings, per_tag=options.per_tag, refresh=options.refresh)


async def close_shared_sessions() -> None:
    """Close the live TikTok browser, if this process started one (call before the loop ends)."""
    module = sys.modules.get("tiktune_tui.library.sources.tiktok_session")
    if module is not None:  # never imported: TikTok was not used, nothing to close
        await module.close_shared_sessions()
