"""Live-TikTok fetching: one tag after another vs all tags at once, plus the store's upsert cost.

No network and no browser: TikTokApi's `make_request` (the seam every request goes
through) is replaced by one that waits 300 ms, as a round trip to TikTok would, and
answers from the recorded-shape fixtures. 5 tags x (1 challenge lookup + 2 pages).

- sequential: one search per tag, one request at a time (what the app this replaces did);
- concurrent: one search for all 5 tags, requests bounded by the session slots.

Then the SQLite upsert of fetched videos (songs, hashtags, a stats snapshot each) per
1,000 videos, first insert and re-fetch update. The last line ends with the speed-up ratio.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from TikTokApi import TikTokApi  # noqa: E402

from tiktune_tui.config import Settings  # noqa: E402
from tiktune_tui.library.sources import collect  # noqa: E402
from tiktune_tui.library.sources.tiktok import TikTokSource  # noqa: E402
from tiktune_tui.library.sources.tiktok_items import parse_items  # noqa: E402
from tiktune_tui.library.sources.tiktok_session import TikTokSessions  # noqa: E402
from tiktune_tui.library.store import Store  # noqa: E402

FX = ROOT / "tests" / "fixtures" / "tiktok"
TAGS = ["cooking", "dinner", "recipe", "foodtok", "homecooking"]
LATENCY_S = 0.3
SETTINGS = Settings(ms_token="bench")


def load(name: str) -> dict:
    return json.loads((FX / name).read_text(encoding="utf-8"))


DETAIL = load("challenge_detail_cooking.json")
PAGES = {"0": load("challenge_item_list_cooking_page1.json"), "30": load("challenge_item_list_cooking_page2.json")}


def tag_page(tag_index: int, cursor: str) -> dict:
    """The fixture page with ids of this tag's own, so no tag's videos repeat another's."""
    page = copy.deepcopy(PAGES[cursor])
    for item in page["itemList"]:
        item["id"] = f"{tag_index}{item['id']}"
    return page


def tag_detail(tag_index: int) -> dict:
    detail = copy.deepcopy(DETAIL)
    detail["challengeInfo"]["challenge"].update(id=str(tag_index), title=TAGS[tag_index])
    return detail


# Built before timing: copying a page costs more than tiktune's own work on it.
DETAILS = {tag: tag_detail(index) for index, tag in enumerate(TAGS)}
TAG_PAGES = {(index, cursor): tag_page(index, cursor) for index in range(len(TAGS)) for cursor in PAGES}


def simulated_api() -> tuple[TikTokApi, list[str]]:
    api = TikTokApi(logger_name="bench.tiktok")
    api.logger.disabled = True
    requests: list[str] = []

    async def make_request(url, headers=None, params=None, **kwargs):
        requests.append(url)
        await asyncio.sleep(LATENCY_S)
        if url.endswith("/challenge/detail/"):
            return DETAILS[params["challengeName"]]
        return TAG_PAGES[int(params["challengeID"]), str(params["cursor"])]

    api.make_request = make_request
    return api, requests


async def sequential(store: Store) -> tuple[float, int, int]:
    api, requests = simulated_api()
    # One request at a time, one tag after another.
    source = TikTokSource(store=store, settings=SETTINGS, sessions=TikTokSessions(SETTINGS, api=api, slots=1))
    started = time.perf_counter()
    videos = 0
    for tag in TAGS:
        videos += len((await collect(source, [tag])).videos)
    return time.perf_counter() - started, videos, len(requests)


async def concurrent(store: Store) -> tuple[float, int, int]:
    api, requests = simulated_api()
    source = TikTokSource(store=store, settings=SETTINGS, sessions=TikTokSessions(SETTINGS, api=api))
    started = time.perf_counter()
    videos = len((await collect(source, TAGS)).videos)
    return time.perf_counter() - started, videos, len(requests)


def upsert_cost(directory: Path, total: int = 20_000, batch: int = 60) -> tuple[float, float]:
    """Seconds per 1,000 videos saved in per-tag batches: first insert, then the same videos again."""
    template = parse_items(PAGES["0"]["itemList"] + PAGES["30"]["itemList"], found_under="cooking").videos
    videos = [
        type(v)(
            id=f"{n}{v.id}",
            song=v.song,
            hashtags=v.hashtags,
            stats=v.stats,
            create_time=v.create_time,
            author=v.author,
            description=v.description,
        )
        for n in range(total // len(template) + 1)
        for v in template
    ][:total]
    with Store(directory / "upsert.db") as store:
        costs = []
        for _ in range(2):
            started = time.perf_counter()
            for start in range(0, total, batch):
                store.save_videos(videos[start : start + batch], source="tiktok")
            costs.append((time.perf_counter() - started) / total * 1000)
            time.sleep(1.01)  # the next round is a later fetch: a new snapshot, not a replaced one
    return costs[0], costs[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        seq_s, seq_videos, seq_requests = asyncio.run(sequential(Store(directory / "seq.db")))
        con_s, con_videos, con_requests = asyncio.run(concurrent(Store(directory / "con.db")))
        assert seq_videos == con_videos == 5 * 59 and seq_requests == con_requests == 15
        insert_s, update_s = upsert_cost(directory)
    print(f"simulated TikTok: {len(TAGS)} tags x (lookup + 2 pages of 30), {LATENCY_S * 1000:.0f} ms per request")
    print(f"sequential: {seq_s:.2f} s for {seq_requests} requests, {seq_videos} videos")
    print(f"concurrent: {con_s:.2f} s for {con_requests} requests, {con_videos} videos")
    print(
        f"store upsert per 1,000 videos (batches of 60): {insert_s * 1000:.1f} ms new, {update_s * 1000:.1f} ms re-fetched"
    )
    print(f"concurrent vs sequential fetch wall time: {seq_s / con_s:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
