"""TikTokSource over the real TikTokApi request path, answered from the fixtures (no browser, no network)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Error as PlaywrightError
from TikTokApi import TikTokApi

from tests.support.tiktok_fakes import COOKING_ID, PAGES, FakeTikTok, challenge_detail, cooking, fixture
from tiktune_tui.cli import main
from tiktune_tui.config import Settings
from tiktune_tui.core.modes import rank
from tiktune_tui.library.sources import collect
from tiktune_tui.library.sources.base import TagProgress, VideosFound
from tiktune_tui.library.sources.store import StoreSource
from tiktune_tui.library.sources.tiktok import MAX_RETRIES, TikTokSource
from tiktune_tui.library.sources.tiktok_errors import TikTokError
from tiktune_tui.library.sources.tiktok_session import TikTokSessions
from tiktune_tui.library.store import Store

DETAIL, ITEMS = "/api/challenge/detail/", "/api/challenge/item_list/"
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "tiktune.db") as store:
        yield store


def source_for(fake: FakeTikTok, store: Store, *, slots: int | None = None, **kwargs) -> TikTokSource:
    kwargs.setdefault("backoff_s", 0.001)
    return TikTokSource(store=store, settings=Settings(ms_token="tok"), sessions=fake.manager(slots=slots), **kwargs)


def with_items(replies: dict, fallback=cooking):
    """`cooking`, except item_list replies taken in turn from `replies[cursor]` (a list)."""

    def respond(path, query):
        if path == ITEMS and replies.get(query["cursor"]):
            return replies[query["cursor"]].pop(0)
        return fallback(path, query)

    return respond


def many_tags(path, query):
    """Any tag exists; each one's feed is the cooking fixture pages."""
    if path == DETAIL:
        name = query["challengeName"]
        return 200, challenge_detail(name, COOKING_ID)
    return cooking(path, query)


# -- the happy path -----------------------------------------------------------------------------


async def test_cooking_follows_the_cursor_and_aggregates_per_song(store):
    fake = FakeTikTok()
    events = []
    result = await collect(source_for(fake, store), ["cooking"], events.append)
    assert fake.paths() == [DETAIL, ITEMS, ITEMS]
    detail, first, second = (query for _, query in fake.requests)
    assert detail["challengeName"] == "cooking" and detail["msToken"] == "tok" and detail["X-Bogus"] == "offline"
    assert (first["challengeID"], first["count"], first["cursor"]) == (COOKING_ID, "30", "0")
    assert second["cursor"] == "30"  # TikTok's string cursor, passed back as it came
    assert len(result.videos) == 59 and result.failures == {} and result.per_tag == {"cooking": 59}
    assert events[0] == TagProgress("cooking", 0, "running")
    assert events[-1] == TagProgress("cooking", 59, "done")
    assert sum(len(e.videos) for e in events if isinstance(e, VideosFound)) == 59
    assert result.label == "TikTok" and result.fetched_at is not None
    top = rank(result.videos, ["cooking"])[0]
    assert (top.song.title, top.videos) == ("Sizzle Beat", 9)


async def test_per_tag_limits_the_videos_and_the_pages(store):
    fake = FakeTikTok()
    result = await collect(source_for(fake, store, per_tag=30), ["cooking"])
    assert len(result.videos) == 30 and fake.paths() == [DETAIL, ITEMS]
    fake = FakeTikTok()
    assert len((await collect(source_for(fake, store, per_tag=5, refresh=True), ["cooking"])).videos) == 5


async def test_the_documented_seam_a_stubbed_make_request_works_too(store, monkeypatch):
    api = TikTokApi()
    calls = []

    async def fake_make_request(url, headers=None, params=None, **kwargs):
        calls.append((url.removeprefix("https://www.tiktok.com"), dict(params)))
        path = calls[-1][0]
        return json.loads(fixture("challenge_detail_cooking.json" if path == DETAIL else PAGES[str(params["cursor"])]))

    monkeypatch.setattr(api, "make_request", fake_make_request)
    sessions = TikTokSessions(Settings(ms_token="tok"), api=api)
    source = TikTokSource(store=store, settings=Settings(ms_token="tok"), sessions=sessions)
    result = await collect(source, ["cooking"])
    assert len(result.videos) == 59
    assert [c[1].get("cursor") for c in calls] == [None, 0, "30"]


async def test_all_tags_are_fetched_at_once(store):
    tags = ["alpha", "beta", "gamma", "delta"]
    waiting: set[str] = set()
    all_in = asyncio.Event()

    async def respond(path, query):
        if path == DETAIL:
            waiting.add(query["challengeName"])
            if len(waiting) == len(tags):
                all_in.set()
            # Each tag's first request waits for every other tag's: only concurrent fetching gets past.
            await asyncio.wait_for(all_in.wait(), 10)
        return many_tags(path, query)

    result = await collect(source_for(FakeTikTok(respond), store), tags)
    assert result.failures == {} and len(result.videos) == 59
    assert result.per_tag == dict.fromkeys(tags, 59)


async def test_requests_in_flight_are_bounded_by_the_session_slots(store):
    in_flight = peak = 0

    async def respond(path, query):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return many_tags(path, query)

    await collect(source_for(FakeTikTok(respond), store, slots=2), ["a", "b", "c", "d", "e"])
    assert peak == 2


async def test_videos_are_deduplicated_across_tags_and_carry_both(store):
    result = await collect(source_for(FakeTikTok(many_tags), store), ["cooking", "dinner"])
    assert len(result.videos) == 59
    assert all({"cooking", "dinner"} <= set(v.hashtags) for v in store.videos_with_any(["cooking"]))
    assert store.counts()["videos"] == 59


# -- the store ---------------------------------------------------------------------------------


async def test_everything_fetched_is_stored_with_a_snapshot(store):
    clock = Clock()
    await collect(source_for(FakeTikTok(), store, now=clock), ["cooking"])
    counts = store.counts()
    assert (counts["videos"], counts["songs"], counts["stats_snapshots"]) == (59, 23, 59)
    assert store.last_tag_fetch("cooking") == T0
    assert store.song("9991000000000000001").author == "Synthetic Artist A"
    [(when, stats)] = store.snapshots("9990000000000000001")
    assert when == T0 and stats.play == 43974  # the exact statsV2 count


async def test_a_tag_fetched_within_15_minutes_is_answered_from_the_store(store):
    clock = Clock()
    await collect(source_for(FakeTikTok(), store, now=clock), ["cooking"])
    clock.now = T0 + timedelta(minutes=14)
    fake = FakeTikTok()
    result = await collect(source_for(fake, store, now=clock), ["cooking"])
    assert fake.requests == [] and len(result.videos) == 59
    assert result.label == "TikTok (stored)" and result.fetched_at == T0

    refreshed = FakeTikTok()
    await collect(source_for(refreshed, store, now=clock, refresh=True), ["cooking"])
    assert refreshed.paths() == [DETAIL, ITEMS, ITEMS]
    clock.now = T0 + timedelta(minutes=14 + 16)  # 16 min after the refresh
    stale = FakeTikTok()
    result = await collect(source_for(stale, store, now=clock), ["cooking"])
    assert stale.paths() == [DETAIL, ITEMS, ITEMS] and result.fetched_at == clock.now
    assert len(store.snapshots("9990000000000000001")) == 3  # one per fetch: history is kept


async def test_store_source_answers_offline_with_the_age(store):
    clock = Clock()
    await collect(source_for(FakeTikTok(), store, now=clock), ["cooking"])
    result = await collect(StoreSource(store), ["cooking"])
    assert len(result.videos) == 59 and result.fetched_at == T0


# -- errors --------------------------------------------------------------------------------------


async def failure_for(store, respond, tags=("cooking",), **kwargs):
    fake = FakeTikTok(respond)
    result = await collect(source_for(fake, store, **kwargs), list(tags))
    return result, fake


@pytest.mark.parametrize(
    ("reply", "words", "tries"),
    [
        ((200, ""), "empty response (it thinks tiktune is a bot)", 1),
        ((200, fixture("challenge_item_list_blocked_html.txt")), "web page instead of data", MAX_RETRIES + 1),
        ((200, fixture("challenge_item_list_error_status.json")), "TikTok refused the request (status 10201)", 1),
        ((200, "<html>Please complete the captcha</html>"), "captcha", 1),
        ((200, json.dumps({"code": "10000", "type": "verify", "subtype": "slide"})), "captcha", 1),
        ((429, "rate limited"), "rate limiting (HTTP 429)", MAX_RETRIES + 1),
        ((503, "<html>oops</html>"), "servers failed (HTTP 503)", MAX_RETRIES + 1),
    ],
    ids=["empty-body", "blocked-html", "error-status", "captcha-page", "captcha-json", "http-429", "http-503"],
)
async def test_each_failure_is_one_clear_message(store, reply, words, tries):
    result, fake = await failure_for(store, with_items({"0": [reply] * 10}))
    assert list(result.failures) == ["cooking"] and words in result.failures["cooking"]
    assert fake.paths().count(ITEMS) == tries
    assert result.videos == [] and store.last_tag_fetch("cooking") is None


async def test_an_unknown_hashtag_and_an_empty_feed(store):
    def respond(path, query):
        if path == DETAIL and query["challengeName"] == "emptytag":
            return 200, challenge_detail("emptytag", "42")
        if path == ITEMS and query["challengeID"] == "42":
            return 200, fixture("challenge_item_list_empty_page.json")
        return cooking(path, query)

    result, _ = await failure_for(store, respond, tags=("nosuchtag", "emptytag", "cooking"))
    assert "no such hashtag" in result.failures["nosuchtag"] and "10205" in result.failures["nosuchtag"]
    assert result.failures["emptytag"] == "TikTok lists no videos for this hashtag"
    assert len(result.videos) == 59 and result.per_tag == {"cooking": 59}  # the good tag is kept


async def test_rate_limits_are_retried_then_succeed(store):
    result, fake = await failure_for(store, with_items({"30": [(429, ""), (502, "bad gateway")]}))
    assert result.failures == {} and len(result.videos) == 59
    assert [q["cursor"] for p, q in fake.requests if p == ITEMS] == ["0", "30", "30", "30"]


async def test_a_timeout_is_retried_then_reported(store):
    async def respond(path, query):
        if path == ITEMS:
            await asyncio.Event().wait()  # TikTok never answers
        return cooking(path, query)

    result, fake = await failure_for(store, respond, request_timeout_s=0.05)
    assert "did not answer in time" in result.failures["cooking"]
    assert fake.paths().count(ITEMS) == MAX_RETRIES + 1


async def test_a_dead_tab_is_dropped_and_the_request_retried_on_another(store):
    died = []

    def respond(path, query):
        if path == ITEMS and not died:
            died.append(1)
            raise PlaywrightError("Target page, context or browser has been closed")
        return cooking(path, query)

    fake = FakeTikTok(respond, sessions=2)
    result = await collect(source_for(fake, store), ["cooking"])
    assert result.failures == {} and len(result.videos) == 59 and len(fake.api.sessions) == 1


async def test_a_page_failing_keeps_the_videos_before_it(store):
    result, _ = await failure_for(store, with_items({"30": [(200, "")]}))
    assert result.failures["cooking"].startswith("partial, 30 videos: TikTok sent an empty response")
    assert len(result.videos) == 30
    assert store.counts()["videos"] == 30  # kept...
    assert store.last_tag_fetch("cooking") is None  # ...but the next query fetches the tag again


async def test_tiktok_text_in_messages_cannot_drive_the_terminal(store):
    body = json.dumps({"statusCode": 10201, "status_msg": "bad \x1b[31mred\x1b[0m"})
    result, _ = await failure_for(store, with_items({"0": [(200, body)]}))
    assert "\x1b" not in result.failures["cooking"] and "\\x1b[31mred" in result.failures["cooking"]


# -- cancellation -----------------------------------------------------------------------------------


async def test_cancelling_a_search_stops_every_request_and_the_next_one_works(store):
    started = asyncio.Event()
    cancelled = []
    blocking = True

    async def respond(path, query):
        if blocking and path == ITEMS:
            started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append(query["challengeID"])
                raise
        return many_tags(path, query)

    fake = FakeTikTok(respond)
    source = source_for(fake, store)
    before = asyncio.all_tasks()
    search = asyncio.create_task(collect(source, ["cooking", "dinner", "lunch"]))
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.sleep(0.05)  # let every tag reach its first page
    search.cancel()
    with pytest.raises(asyncio.CancelledError):
        await search
    assert len(cancelled) == 3
    assert asyncio.all_tasks() == before  # nothing left running
    blocking = False
    result = await collect(source, ["cooking"])
    assert len(result.videos) == 59


async def test_leaving_the_stream_early_cancels_the_rest(store):
    cancelled = []

    async def respond(path, query):
        if path == ITEMS and query["cursor"] == "30":
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append(1)
                raise
        return many_tags(path, query)

    source = source_for(FakeTikTok(respond), store)
    stream = source.search(["cooking"])
    async for event in stream:
        if isinstance(event, VideosFound):
            break
    await stream.aclose()
    assert cancelled == [1]


# -- songs and media ----------------------------------------------------------------------------------


async def test_resolve_song_fetches_a_fresh_play_url(store):
    def respond(path, query):
        assert path == "/api/music/detail/"
        if query["musicId"] == "9991000000000000001":
            music = {
                "id": "9991000000000000001",
                "title": "Kitchen Groove",
                "authorName": "Synthetic Artist A",
                "playUrl": "https://sf16-ies-music.tiktokcdn.com/obj/fresh.mp3",
                "duration": 31,
            }
            return 200, json.dumps({"musicInfo": {"music": music}, "statusCode": 0})
        return 200, json.dumps({"statusCode": 10203, "status_msg": ""})

    source = source_for(FakeTikTok(respond), store)
    song = await source.resolve_song("9991000000000000001")
    assert (song.title, song.play_url, song.duration_s) == (
        "Kitchen Groove",
        "https://sf16-ies-music.tiktokcdn.com/obj/fresh.mp3",
        31,
    )
    with pytest.raises(TikTokError, match="sound 123: TikTok has no such sound"):
        await source.resolve_song("123")


async def test_media_headers_copy_the_browser_session(store):
    headers = await source_for(FakeTikTok(), store).media_headers()
    assert headers == {
        "User-Agent": "Mozilla/5.0 (fake) Chrome/1.0",
        "Referer": "https://www.tiktok.com/",
        "Cookie": "msToken=tok; tt_chain_token=chain",
    }


# -- choosing TikTok, and the command line ----------------------------------------------------------------


def test_cli_anonymous_session_without_msToken_says_a_token_usually_fixes_it(monkeypatch, capsys):
    from tests.support.tiktok_fakes import refuse_anonymous_tokens

    refuse_anonymous_tokens(monkeypatch)
    assert main(["recommend", "cooking", "--source", "tiktok"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tiktune: error: TikTok gave the anonymous session no msToken")
    assert "a token usually fixes it" in err and "TIKTUNE_MS_TOKEN" in err and "[tiktok]" in err
    assert err.count("\n") == 1


def test_cli_answers_live_then_from_the_store(monkeypatch, capsys):
    import socket

    fake = FakeTikTok()
    monkeypatch.setenv("TIKTUNE_MS_TOKEN", "tok")
    monkeypatch.setattr("tiktune_tui.library.sources.tiktok.shared_sessions", lambda settings: fake.manager(settings))
    tiktok_com = socket.create_server(("127.0.0.1", 0))  # reachable: auto goes live
    monkeypatch.setenv("TIKTUNE_TIKTOK_ADDRESS", f"127.0.0.1:{tiktok_com.getsockname()[1]}")
    with tiktok_com:
        assert main(["recommend", "cooking", "--limit", "3"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert out.startswith("TikTok, fetched just now: top 3 of 23 songs for #cooking") and "Sizzle Beat" in out
    assert "tiktune: auto: live TikTok: 127.0.0.1:" in captured.err and "with your token" in captured.err
    assert main(["recommend", "cooking", "--source", "store", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["title"] == "Sizzle Beat"
    assert captured.err == "tiktune: answered by stored data, fetched just now\n"
    assert main(["recommend", "cooking", "nosuchtag", "--per-tag", "30", "--refresh", "--csv"]) == 0
    captured = capsys.readouterr()
    assert "tiktune: warning: #nosuchtag: TikTok has no such hashtag" in captured.err
    assert fake.paths()[-3:].count(ITEMS) == 1  # --per-tag 30: one page


async def test_region_reaches_the_request_parameters(tmp_path):
    fake = FakeTikTok()
    settings = Settings(ms_token="tok", region="BR")
    source = TikTokSource(store=Store(tmp_path / "db"), settings=settings, sessions=fake.manager(settings))
    await collect(source, ["cooking"])
    await source.aclose()
    assert fake.requests, "no request reached the page"
    for _, query in fake.requests:
        assert (query["region"], query["priority_region"], query["language"]) == ("BR", "BR", "pt-BR")
        assert query["tz_name"] == "America/Sao_Paulo"


async def test_without_a_region_tiktokapis_request_parameters_stand(tmp_path):
    fake = FakeTikTok()
    source = TikTokSource(store=Store(tmp_path / "db"), settings=Settings(ms_token="tok"), sessions=fake.manager())
    await collect(source, ["cooking"])
    await source.aclose()
    assert all("region" not in query for _, query in fake.requests)  # the fake session's params have none
