"""Search the offline catalog (bundled or a user CSV)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from tiktune_tui.library.catalog import Catalog, catalog_label, catalog_steps, load_catalog
from tiktune_tui.library.sources.base import SearchEvent, Source, TagProgress, VideosFound


class CatalogSource(Source):
    def __init__(self, path: str | Path | None = None, catalog: Catalog | None = None) -> None:
        self._path = path
        self._catalog = catalog
        self.label = catalog.label if catalog else catalog_label(path)

    @property
    def catalog(self) -> Catalog:
        # Loaded on first use so building a source costs nothing.
        if self._catalog is None:
            self._catalog = load_catalog(self._path)
        return self._catalog

    async def search(self, tags: Sequence[str]) -> AsyncIterator[SearchEvent]:
        if self._catalog is None:
            # Step by step, letting the loop run in between: a large file loads for seconds,
            # and a Ctrl-C (asyncio.run cancels the task) must stop it within a step.
            for step in catalog_steps(self._path):
                if step is None:
                    await asyncio.sleep(0)
                else:
                    self._catalog = step
        catalog = self.catalog
        for tag in tags:
            videos = tuple(catalog.by_tag.get(tag, ()))
            yield TagProgress(tag, 0, "running")
            if videos:
                yield VideosFound(tag, videos)
            yield TagProgress(tag, len(videos), "done")
