import pytest

from tests.support.factories import video
from tiktune_tui.library.sources.base import Source, TagProgress, VideosFound, collect
from tiktune_tui.library.sources.catalog import CatalogSource


class Recording(Source):
    label = "recording"

    def __init__(self):
        self.closed = False

    async def search(self, tags):
        try:
            for tag in tags:
                yield TagProgress(tag, 0, "running")
                yield VideosFound(tag, (video(f"{tag}1", "A", tag, play=1),))
                yield TagProgress(tag, 1, "done")
        finally:
            self.closed = True


async def test_collect_dedupes_and_counts():
    class Twice(Recording):
        async def search(self, tags):
            yield VideosFound("a", (video("1", "A", "a b"),))
            yield VideosFound("b", (video("1", "A", "a b"), video("2", "B", "b")))
            yield TagProgress("a", 1, "done")
            yield TagProgress("b", 2, "done")
            yield TagProgress("c", 0, "failed", "boom")

    result = await collect(Twice(), ["a", "b", "c"])
    assert [v.id for v in result.videos] == ["1", "2"]
    assert result.per_tag == {"a": 1, "b": 2} and result.failures == {"c": "boom"}


async def test_a_search_stopped_by_its_listener_is_closed_at_once():
    source = Recording()

    class Stop(Exception):
        pass

    def stop_at_first_videos(event):
        if isinstance(event, VideosFound):
            raise Stop

    with pytest.raises(Stop):
        await collect(source, ["a", "b"], stop_at_first_videos)
    assert source.closed  # not left for the garbage collector, after the store is closed


async def test_catalog_source_streams_per_tag(tmp_path):
    from tests.support.factories import write_catalog

    path = write_catalog(tmp_path / "c.csv", [video("1", "10", "a"), video("2", "20", "a b")])
    events = [e async for e in CatalogSource(path).search(["a", "zz"])]
    assert [(type(e).__name__, e.tag) for e in events] == [
        ("TagProgress", "a"),
        ("VideosFound", "a"),
        ("TagProgress", "a"),
        ("TagProgress", "zz"),
        ("TagProgress", "zz"),
    ]
    assert events[2].videos == 2 and events[4].state == "done"
