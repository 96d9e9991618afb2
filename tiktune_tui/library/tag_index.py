"""Known hashtags and how many videos carry each, from the catalog and the store."""

from __future__ import annotations

from collections import Counter

from tiktune_tui.library.store import open_store, store_exists, store_location


def known_tags(
    prefix: str = "",
    *,
    catalog: str | None = None,
    data_dir: str | None = None,
    source_kind: str = "catalog",
) -> list[tuple[str, int]]:
    """(tag, videos) pairs starting with `prefix`, most used first, then by name.

    `source_kind` is the resolved source (catalog, store or tiktok). The catalog counts
    unless the source is the store; the store counts unless the source is a catalog, and
    only when its database exists (asking never creates one). Counts are summed: a
    tag's count is what tiktune has seen of it.
    """
    counts: Counter[str] = Counter()
    if source_kind != "store":
        from tiktune_tui.library.catalog import load_catalog

        counts.update({tag: n for tag, n in load_catalog(catalog).tag_counts().items() if tag.startswith(prefix)})
    path = store_location(data_dir)
    if source_kind != "catalog" and store_exists(path):
        with open_store(path) as store:
            counts.update(dict(store.tag_counts(prefix)))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def related_tags(
    tag: str,
    limit: int | None = 10,
    *,
    catalog: str | None = None,
    data_dir: str | None = None,
    source_kind: str = "catalog",
) -> list[tuple[str, float]]:
    """Tags that co-occur with `tag` (NPMI, best first), where the resolved source's data is:
    the store for the store and TikTok (the catalog for TikTok while nothing is stored yet),
    the catalog otherwise."""
    path = store_location(data_dir)
    if source_kind in ("store", "tiktok") and store_exists(path):
        with open_store(path) as store:
            return store.related_tags(tag, limit)
    if source_kind == "store":
        return []
    from tiktune_tui.library.catalog import load_catalog

    return catalog_related_tags(load_catalog(catalog), tag, limit)


def catalog_related_tags(catalog, tag: str, limit: int | None = 10) -> list[tuple[str, float]]:
    """Related tags from a loaded Catalog, counted over the videos carrying `tag` only."""
    from tiktune_tui.core import related

    videos = catalog.by_tag.get(tag, ())
    together = related.co_counts(tag, (video.hashtags for video in videos))
    counts = {other: len(catalog.by_tag.get(other, ())) for other in together} | {tag: len(videos)}
    return related.related_tags(tag, together, counts, len(catalog.videos), limit=limit)
