"""Known hashtags and how many videos carry each, from the catalog and the store."""

from __future__ import annotations

from collections import Counter

from tiktune_tui.paths import database_path


def known_tags(
    prefix: str = "",
    *,
    catalog: str | None = None,
    data_dir: str | None = None,
    source_kind: str | None = None,
) -> list[tuple[str, int]]:
    """(tag, videos) pairs starting with `prefix`, most used first, then by name.

    The catalog and the store are summed: a tag's count is what tiktune has seen of it.
    """
    counts: Counter[str] = Counter()
    if source_kind in (None, "catalog", "tiktok"):
        from tiktune_tui.catalog import load_catalog

        counts.update(
            {tag: n for tag, n in load_catalog(catalog).tag_counts().items() if tag.startswith(prefix)}
        )
    path = database_path(data_dir)
    if source_kind != "catalog" or path.exists():
        if path.exists() or source_kind == "store":
            from tiktune_tui.store import Store

            with Store(path) as store:
                counts.update(dict(store.tag_counts(prefix)))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def related_tags(
    tag: str,
    limit: int | None = 10,
    *,
    catalog: str | None = None,
    data_dir: str | None = None,
    source_kind: str | None = None,
) -> list[tuple[str, float]]:
    """Tags that co-occur with `tag` (NPMI, best first): from the store when the source
    is the store or TikTok and a database exists, else from the catalog."""
    path = database_path(data_dir)
    if source_kind in ("store", "tiktok") and (path.exists() or source_kind == "store"):
        from tiktune_tui.store import Store

        with Store(path) as store:
            return store.related_tags(tag, limit)
    from tiktune_tui.catalog import load_catalog

    return catalog_related_tags(load_catalog(catalog), tag, limit)


def catalog_related_tags(catalog, tag: str, limit: int | None = 10) -> list[tuple[str, float]]:
    """Related tags from a loaded Catalog, counted over the videos carrying `tag` only."""
    from tiktune_tui.core import related

    videos = catalog.by_tag.get(tag, ())
    together = related.co_counts(tag, (video.hashtags for video in videos))
    counts = {other: len(catalog.by_tag.get(other, ())) for other in together} | {tag: len(videos)}
    return related.related_tags(tag, together, counts, len(catalog.videos), limit=limit)
