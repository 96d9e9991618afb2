"""A TikTok that answers from the recorded-shape fixtures, at the page TikTokApi drives.

TikTokApi signs each URL and fetches it with `page.evaluate(...)` inside a browser
tab. `FakePage` stands in for that tab: everything above it (tiktune's source,
TikTokApi's make_request with its params, signing call, status handling) is real.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from TikTokApi.tiktok import TikTokPlaywrightSession

from tiktune_tui.config import Settings
from tiktune_tui.library.sources.tiktok_session import TikTokSessions, TikTuneApi

FX = Path(__file__).resolve().parents[1] / "fixtures" / "tiktok"
PAGES = {"0": "challenge_item_list_cooking_page1.json", "30": "challenge_item_list_cooking_page2.json"}
COOKING_ID = "9990000000000001"

Reply = tuple[int, str]
Responder = Callable[[str, dict[str, str]], Reply | Awaitable[Reply]]


def fixture(name: str) -> str:
    return (FX / name).read_text(encoding="utf-8")


def challenge_detail(tag: str, challenge_id: str) -> str:
    detail = json.loads(fixture("challenge_detail_cooking.json"))
    detail["challengeInfo"]["challenge"].update(id=challenge_id, title=tag)
    return json.dumps(detail)


def cooking(path: str, query: dict[str, str]) -> Reply:
    """TikTok with one hashtag, #cooking: two pages of 30 items (59 distinct videos)."""
    if path == "/api/challenge/detail/":
        if query.get("challengeName") == "cooking":
            return 200, fixture("challenge_detail_cooking.json")
        return 200, fixture("challenge_detail_not_found.json")
    if path == "/api/challenge/item_list/" and query.get("challengeID") == COOKING_ID:
        return 200, fixture(PAGES[query["cursor"]])
    raise AssertionError(f"unexpected request {path} {query}")


def music_detail(music_id: str, videos: int | None) -> str:
    """/api/music/detail/ for the sound `music_id`, counting `videos` on all of TikTok (None: no count)."""
    detail = json.loads(fixture("music_detail_kitchen_groove.json"))
    detail["musicInfo"]["music"]["id"] = music_id
    if videos is None:
        del detail["musicInfo"]["stats"]
    else:
        detail["musicInfo"]["stats"]["videoCount"] = videos
    return json.dumps(detail)


class FakePage:
    """The parts of a Playwright page that TikTokApi's request path touches."""

    url = "https://www.tiktok.com/"

    def __init__(self, respond: Responder, log: list[tuple[str, dict[str, str]]]) -> None:
        self.respond = respond
        self.log = log

    async def wait_for_function(self, *args, **kwargs) -> None:
        return None  # window.byted_acrawler is "loaded"

    async def evaluate(self, script: str):
        if "frontierSign" in script:
            return {"X-Bogus": "offline"}
        if "navigator.userAgent" in script:
            return "Mozilla/5.0 (fake) Chrome/1.0"
        match = re.search(r"fetch\((\"(?:[^\"\\]|\\.)*\")", script)
        assert match, f"unexpected script {script[:200]}"
        parts = urlsplit(json.loads(match[1]))
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        self.log.append((parts.path, query))
        reply = self.respond(parts.path, query)
        if asyncio.iscoroutine(reply):
            reply = await reply
        status, body = reply
        return {"status": status, "body": body}

    async def close(self) -> None:
        return None


class FakeContext:
    def __init__(self, cookies: dict[str, str]) -> None:
        self._cookies = cookies

    async def cookies(self):
        return [{"name": name, "value": value} for name, value in self._cookies.items()]

    async def close(self) -> None:
        return None


def fake_session(respond: Responder, log: list) -> TikTokPlaywrightSession:
    return TikTokPlaywrightSession(
        context=FakeContext({"msToken": "tok", "tt_chain_token": "chain"}),
        page=FakePage(respond, log),
        params={"aid": "1988", "app_name": "tiktok_web"},
        headers={"user-agent": "Mozilla/5.0 (fake) Chrome/1.0"},
        ms_token="tok",
    )


class FakeTikTok:
    """A TikTuneApi with `sessions` fake tabs answering through `respond`; `requests` logs them."""

    def __init__(self, respond: Responder = cooking, sessions: int = 2) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.api = TikTuneApi(logger_name="tests.tiktok")
        self.api.logger.disabled = True
        for _ in range(sessions):
            self.api.sessions.append(fake_session(respond, self.requests))

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def manager(self, settings: Settings | None = None, slots: int | None = None) -> TikTokSessions:
        return TikTokSessions(settings or Settings(ms_token="tok"), api=self.api, slots=slots)


def refuse_anonymous_tokens(monkeypatch) -> None:
    """Make TikTokApi's real session start hand out a session with no msToken and no cookies
    (what tiktok.com does to an anonymous browser it distrusts), with a short anonymous wait."""
    from TikTokApi import TikTokApi

    from tiktune_tui.library.sources import tiktok_session

    async def create_sessions(api, **options):
        session = fake_session(cooking, [])
        session.ms_token, session.context._cookies = None, {}
        api.sessions.append(session)

    monkeypatch.setattr(TikTokApi, "create_sessions", create_sessions)
    monkeypatch.setattr(tiktok_session, "find_chromium", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(tiktok_session, "desktop_user_agent", lambda path: None)
    monkeypatch.setattr(tiktok_session, "ANONYMOUS_WAIT_S", 0.2)
    monkeypatch.setattr(tiktok_session, "_shared", None)
