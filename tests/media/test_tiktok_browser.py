"""The whole real stack offline: TikTokApi in Debian's Chromium, tiktok.com answered by Playwright routing.

Proves that our launch options start Chromium as root, that TikTokApi's session set-up,
signing call and in-page fetch work with them, that HTTP statuses reach our retry logic,
and that closing leaves no Chromium behind.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.tiktok_fakes import COOKING_ID, PAGES, challenge_detail, fixture
from tiktune_tui.config import Settings
from tiktune_tui.library.sources import collect
from tiktune_tui.library.sources.tiktok import TikTokSource
from tiktune_tui.library.sources.tiktok_errors import TikTokError
from tiktune_tui.library.sources.tiktok_session import CHROMIUM, TikTokSessions
from tiktune_tui.library.store import Store

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and os.environ.get("TIKTUNE_REQUIRE_BROWSER") != "1",
        reason=f"{CHROMIUM} is not installed (make setup installs it; CI requires it)",
    ),
]

# What TikTokApi needs from tiktok.com: the signer, and a request after `load` (it copies that
# request's headers for its own fetches). Pings keep coming for 2 s so a slow start still sees one.
PAGE = """<!doctype html><html><head><script>
window.byted_acrawler = {frontierSign: () => ({"X-Bogus": "offline"})};
addEventListener("load", () => {
  let n = 0;
  const timer = setInterval(() => { fetch("/ping").catch(() => {}); if (++n >= 10) clearInterval(timer); }, 200);
});
</script></head><body>offline tiktok.com</body></html>"""
LIMITED_ID = "9990000000000999"


class OfflineTikTok:
    def __init__(self) -> None:
        self.api_calls: list[tuple[str, dict[str, str]]] = []
        self.escaped: list[str] = []

    async def route(self, route, request) -> None:
        parts = urlsplit(request.url)
        if parts.hostname != "www.tiktok.com":
            self.escaped.append(request.url)
            await route.abort()
            return
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if parts.path.startswith("/api/"):
            self.api_calls.append((parts.path, query))
        status, body, kind = self.answer(parts.path, query)
        await route.fulfill(status=status, body=body, content_type=kind)

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, str, str]:
        if path == "/api/challenge/detail/":
            if query["challengeName"] == "cooking":
                return 200, fixture("challenge_detail_cooking.json"), "application/json"
            return 200, challenge_detail(query["challengeName"], LIMITED_ID), "application/json"
        if path == "/api/challenge/item_list/":
            if query["challengeID"] == COOKING_ID:
                return 200, fixture(PAGES[query["cursor"]]), "application/json"
            return 429, "Too Many Requests", "text/plain"
        if path == "/api/music/detail/":
            music = {"id": query["musicId"], "title": "Kitchen Groove", "playUrl": "https://example.invalid/a.mp3"}
            return 200, json.dumps({"musicInfo": {"music": music}, "statusCode": 0}), "application/json"
        if path.startswith("/api/"):
            return 404, "", "text/plain"
        return 200, PAGE, "text/html"

    async def page_factory(self, context):
        await context.route("**/*", self.route)
        return await context.new_page()


def descendants(root: int) -> dict[int, str]:
    """Live processes under `root`: pid → command name."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if rest[0] != "Z":
            parents[int(entry.name)], names[int(entry.name)] = int(rest[1]), name
    found, frontier = {}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = names[pid]
                frontier.append(pid)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


@pytest.mark.timeout(120)
async def test_real_tiktokapi_in_real_chromium_offline(tmp_path):
    offline = OfflineTikTok()
    settings = Settings(ms_token="test")
    sessions = TikTokSessions(settings, page_factory=offline.page_factory)
    source = TikTokSource(store=Store(tmp_path / "db"), settings=settings, sessions=sessions, backoff_s=0.05)
    try:
        result = await collect(source, ["cooking", "limited"])
        chromium = {pid for pid, name in descendants(os.getpid()).items() if "chrom" in name}
        song = await source.resolve_song("9991000000000000001")
        headers = await source.media_headers()
    finally:
        await source.aclose()
        await sessions.aclose()

    assert len(result.videos) == 59 and result.per_tag == {"cooking": 59}
    assert "HTTP 429" in result.failures["limited"]  # the real status, through the page's fetch
    items = [q for path, q in offline.api_calls if path == "/api/challenge/item_list/"]
    assert [q["cursor"] for q in items if q["challengeID"] == COOKING_ID] == ["0", "30"]
    assert sum(q["challengeID"] == LIMITED_ID for q in items) == 4  # first try and 3 retries
    assert all(q["msToken"] == "test" and q["X-Bogus"] == "offline" for q in items)
    assert song.play_url == "https://example.invalid/a.mp3"
    assert headers["Referer"] == "https://www.tiktok.com/" and "msToken=test" in headers["Cookie"]
    assert "HeadlessChrome" not in headers["User-Agent"]
    assert offline.escaped == []  # nothing but tiktok.com was asked for, and that was routed

    assert chromium, "Chromium was not found among this process's children"
    for _ in range(100):  # closing is asynchronous at the OS level; wait for the processes to go
        if not any(alive(pid) for pid in chromium):
            break
        await asyncio.sleep(0.1)
    assert [pid for pid in chromium if alive(pid)] == []


# tiktok.com as a first visit without a token: the page sets msToken itself once loaded.
ANONYMOUS_PAGE = PAGE.replace(
    'addEventListener("load", () => {',
    'addEventListener("load", () => {\n  document.cookie = "msToken=anon-page-token; path=/; secure";',
)
CAPTCHA_PAGE = "<html><body><div id='captcha-verify-container'>Verify to continue: captcha</div></body></html>"


class AnonymousTikTok(OfflineTikTok):
    """tiktok.com for a session without a token: `page` decides whether it sets msToken;
    `refusals` maps a challenge id to the refusal its item list gets ("empty" or "captcha")."""

    def __init__(self, page: str = ANONYMOUS_PAGE, refusals: dict[str, str] | None = None) -> None:
        super().__init__()
        self.page = page
        self.refusals = refusals or {}

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, str, str]:
        if path == "/api/challenge/item_list/" and query["challengeID"] in self.refusals:
            if self.refusals[query["challengeID"]] == "empty":
                return 200, "", "application/json"
            return 200, CAPTCHA_PAGE, "text/html"
        status, body, kind = super().answer(path, query)
        return (status, self.page, kind) if kind == "text/html" and body == PAGE else (status, body, kind)


@pytest.mark.timeout(120)
async def test_an_anonymous_session_takes_the_msToken_the_page_sets_and_works_end_to_end(tmp_path):
    offline = AnonymousTikTok()
    settings = Settings()  # no token anywhere
    sessions = TikTokSessions(settings, page_factory=offline.page_factory)
    source = TikTokSource(store=Store(tmp_path / "db"), settings=settings, sessions=sessions, backoff_s=0.05)
    try:
        result = await collect(source, ["cooking"])
    finally:
        await source.aclose()
        await sessions.aclose()
    assert len(result.videos) == 59 and result.failures == {}
    items = [q for path, q in offline.api_calls if path == "/api/challenge/item_list/"]
    assert items and all(q["msToken"] == "anon-page-token" for q in items)
    assert offline.escaped == []


@pytest.mark.timeout(120)
async def test_an_anonymous_session_that_gets_no_msToken_says_a_token_usually_fixes_it(tmp_path):
    offline = AnonymousTikTok(page=PAGE)  # the page sets no cookie
    sessions = TikTokSessions(Settings(), page_factory=offline.page_factory, num_sessions=1)
    sessions.anonymous_wait_s = 1.0
    with pytest.raises(TikTokError, match="no msToken.*a token usually fixes it.*README: A TikTok token"):
        await sessions.api()
    await sessions.aclose()
    assert offline.api_calls == []


@pytest.mark.timeout(120)
async def test_an_empty_body_or_a_captcha_page_for_an_anonymous_session_says_a_token_usually_fixes_it(tmp_path):
    offline = AnonymousTikTok(refusals={COOKING_ID: "empty", LIMITED_ID: "captcha"})
    sessions = TikTokSessions(Settings(), page_factory=offline.page_factory, num_sessions=1)
    source = TikTokSource(store=Store(tmp_path / "db"), settings=Settings(), sessions=sessions, backoff_s=0.05)
    try:
        result = await collect(source, ["cooking", "limited"])
    finally:
        await source.aclose()
        await sessions.aclose()
    assert result.videos == []
    assert result.failures["cooking"].startswith("TikTok sent an empty response")
    assert result.failures["limited"].startswith("TikTok wants a captcha solved")
    for message in result.failures.values():
        assert "a token usually fixes it" in message and "README: A TikTok token" in message
