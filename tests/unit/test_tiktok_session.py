"""Browser sessions: launched once with the right options, shared, closed; and launch failures as one line."""

from __future__ import annotations

import os

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout
from TikTokApi import TikTokApi
from TikTokApi.exceptions import EmptyResponseException, InvalidJSONException

from tests.support.tiktok_fakes import cooking, fake_session
from tiktune_tui.config import Settings
from tiktune_tui.library.sources import close_shared_sessions as close_from_cli
from tiktune_tui.library.sources import collect, tiktok_session
from tiktune_tui.library.sources.tiktok import TikTokSource
from tiktune_tui.library.sources.tiktok_errors import HttpStatusError, describe
from tiktune_tui.library.sources.tiktok_session import (
    TikTokError,
    TikTokSessions,
    browser_args,
    proxy_settings,
    shared_sessions,
)
from tiktune_tui.library.store import Store


class Launches:
    """Stands in for TikTokApi.create_sessions: records the options, opens fake tabs."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[dict] = []
        self.closed = 0
        self.fail = fail

    def install(self, monkeypatch) -> None:
        launches = self

        async def create_sessions(api, **options):
            launches.calls.append(options)
            if launches.fail is not None:
                raise launches.fail
            for _ in range(options["num_sessions"]):
                api.sessions.append(fake_session(cooking, []))

        original_close = TikTokApi.close_sessions

        async def close_sessions(api):
            launches.closed += 1
            await original_close(api)

        monkeypatch.setattr(TikTokApi, "create_sessions", create_sessions)
        monkeypatch.setattr(TikTokApi, "close_sessions", close_sessions)
        monkeypatch.setattr(tiktok_session, "find_chromium", lambda: "/usr/bin/chromium")
        monkeypatch.setattr(tiktok_session, "desktop_user_agent", lambda path: "Mozilla/5.0 Chrome/156.0.0.0")


@pytest.fixture
def launches(monkeypatch):
    launches = Launches()
    launches.install(monkeypatch)
    monkeypatch.setattr(tiktok_session, "_shared", None)
    yield launches


async def test_sessions_start_once_per_process_and_close_on_exit(launches, tmp_path):
    settings = Settings(ms_token="tok", proxy="http://user:p%40ss@proxy.example:3128")
    for _ in range(3):  # three queries, as the app would run them
        source = TikTokSource(store=Store(tmp_path / "db"), settings=settings, refresh=True)
        result = await collect(source, ["cooking"])
        await source.aclose()  # closes the store, not the shared browser
        assert len(result.videos) == 59
    assert len(launches.calls) == 1 and launches.closed == 0
    options = launches.calls[0]
    assert options["executable_path"] == "/usr/bin/chromium"
    assert options["headless"] is False and options["override_browser_args"][0] == "--headless=new"
    assert options["ms_tokens"] == ["tok"] and options["num_sessions"] == 2
    assert options["proxies"] == [{"server": "http://proxy.example:3128", "username": "user", "password": "p@ss"}]
    assert options["context_options"]["user_agent"] == "Mozilla/5.0 Chrome/156.0.0.0"
    await close_from_cli()
    assert launches.closed == 1
    await close_from_cli()  # twice is harmless
    assert launches.closed == 1


async def test_a_new_token_or_dead_tabs_start_fresh_sessions(launches):
    sessions = shared_sessions(Settings(ms_token="one"))
    api = await sessions.api()
    assert await sessions.api() is api
    api.sessions.clear()  # every tab died
    assert await sessions.api() is not api and launches.closed == 1
    assert shared_sessions(Settings(ms_token="two")) is sessions
    await sessions.api()
    assert [c["ms_tokens"] for c in launches.calls] == [["one"], ["one"], ["two"]]
    await sessions.aclose()


def anonymous_tabs(launches: Launches, cookie: str | None) -> None:
    """Tabs opened without a token; tiktok.com sets `cookie` as msToken (None: it sets none)."""

    async def create_sessions(api, **options):
        launches.calls.append(options)
        for _ in range(options["num_sessions"]):
            session = fake_session(cooking, launches.requests)
            session.ms_token = None  # TikTokApi read no cookie yet (sleep_after=0)
            session.context._cookies = {"msToken": cookie} if cookie else {"ttwid": "x"}
            api.sessions.append(session)

    launches.create_sessions = create_sessions


@pytest.fixture
def anonymous(monkeypatch, launches):
    launches.requests = []

    def use(cookie: str | None) -> None:
        anonymous_tabs(launches, cookie)
        monkeypatch.setattr(TikTokApi, "create_sessions", lambda api, **o: launches.create_sessions(api, **o))

    return use


async def test_without_a_token_the_session_takes_the_msToken_tiktok_sets(anonymous, launches, tmp_path):
    anonymous("from-the-page")
    sessions = TikTokSessions(Settings())
    source = TikTokSource(store=Store(tmp_path / "db"), settings=Settings(), sessions=sessions)
    result = await collect(source, ["cooking"])
    await source.aclose()
    await sessions.aclose()
    assert launches.calls[0]["ms_tokens"] is None and launches.calls[0]["sleep_after"] == 0
    assert len(result.videos) == 59 and result.failures == {}
    assert {q["msToken"] for _, q in launches.requests} == {"from-the-page"}


async def test_an_anonymous_session_without_msToken_says_a_token_usually_fixes_it(anonymous, launches):
    anonymous(None)
    sessions = TikTokSessions(Settings())
    sessions.anonymous_wait_s = 0.3
    with pytest.raises(TikTokError) as caught:
        await sessions.api()
    message = str(caught.value)
    assert "no msToken" in message and "a token usually fixes it" in message
    assert "TIKTUNE_MS_TOKEN" in message and "README: A TikTok token" in message
    assert launches.closed == 1  # the browser was not left running


@pytest.mark.parametrize(
    "failure", [EmptyResponseException(None, "TikTok returned an empty response"), TypeError("__init__() missing 2")]
)
def test_a_refused_anonymous_request_says_a_token_usually_fixes_it(failure):
    assert "a token usually fixes it" in describe(failure, anonymous=True)
    assert "a token usually fixes it" not in describe(failure)


async def test_region_sets_the_browser_locale_and_time_zone(launches):
    sessions = TikTokSessions(Settings(ms_token="tok", region="BR"))
    await sessions.api()
    options = launches.calls[0]["context_options"]
    assert (options["locale"], options["timezone_id"]) == ("pt-BR", "America/Sao_Paulo")
    await sessions.aclose()


async def test_no_region_keeps_tiktokapis_defaults(launches):
    sessions = TikTokSessions(Settings(ms_token="tok"))
    await sessions.api()
    assert launches.calls[0]["context_options"]["locale"] == "en-US"
    assert "timezone_id" not in launches.calls[0]["context_options"]
    await sessions.aclose()


async def test_missing_chromium_is_an_error(monkeypatch):
    monkeypatch.setenv("TIKTUNE_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(TikTokError, match="Chromium is not installed .*make setup"):
        await TikTokSessions(Settings(ms_token="tok")).api()


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (PlaywrightError("BrowserType.launch: Executable doesn't exist at /usr/bin/chromium"), "cannot be run"),
        (
            PlaywrightError("Page.goto: net::ERR_NAME_NOT_RESOLVED at https://www.tiktok.com/"),
            "cannot reach tiktok.com (net::ERR_NAME_NOT_RESOLVED)",
        ),
        (Exception("Failed to create minimum required sessions. Created 0/2"), "no browser tab reached tiktok.com"),
        (
            Exception(
                "Failed to create minimum required sessions. Created 0/2.\nErrors: ['Page.goto: "
                "net::ERR_NAME_NOT_RESOLVED at https://www.tiktok.com/']"
            ),
            "cannot reach tiktok.com (net::ERR_NAME_NOT_RESOLVED)",
        ),
        (TimeoutError(), "did not answer in time"),
    ],
)
async def test_launch_failures_close_everything_and_say_why(monkeypatch, failure, words):
    launches = Launches(fail=failure)
    launches.install(monkeypatch)
    with pytest.raises(TikTokError) as caught:
        await TikTokSessions(Settings(ms_token="tok")).api()
    assert str(caught.value).startswith("cannot start a TikTok session: ") and words in str(caught.value)
    assert launches.closed == 1


def test_browser_flags_work_as_root_in_a_container():
    args = browser_args()
    assert "--headless=new" in args and "--disable-dev-shm-usage" in args
    assert "--no-sandbox" in args  # the test suite runs as root


def test_proxy_urls():
    assert proxy_settings("socks5://10.0.0.1:1080") == {"server": "socks5://10.0.0.1:1080"}
    assert proxy_settings("proxy.example:8080") == {"server": "http://proxy.example:8080"}
    with pytest.raises(TikTokError, match="not a proxy URL"):
        proxy_settings("http://")


def invalid_json_type_error() -> TypeError:
    try:
        raise InvalidJSONException()
    except TypeError as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (EmptyResponseException("", "detected"), "TikTok sent an empty response"),
        (invalid_json_type_error(), "web page instead of data"),
        (AttributeError("'Hashtag' object has no attribute 'id'"), "no such hashtag"),
        (PlaywrightTimeout("Failed to load tiktok after 5 attempts"), "did not answer in time"),
        (HttpStatusError(429), "HTTP 429"),
        (Exception("No valid sessions available. All sessions appear to be dead."), "sessions died"),
        (Exception("Failed to generate X-Bogus"), "request signing failed"),
        (PlaywrightError("Target closed\n  stack"), "the browser failed: Target closed"),
        (ValueError("odd\x1b[2J"), "ValueError: odd\\x1b[2J"),
    ],
)
def test_tiktokapi_quirks_become_one_line(exc, message):
    text = describe(exc)
    assert message in text and "\n" not in text and "\x1b" not in text


def test_chromium_gets_a_short_tmpdir_when_the_users_is_too_long_for_its_socket(tmp_path, monkeypatch):
    import tempfile

    from tiktune_tui.library.sources import tiktok_session

    long = tmp_path / ("x" * 120)
    long.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    monkeypatch.setattr(tiktok_session, "_short_tmpdir", None)
    env = tiktok_session.browser_env()
    assert env is not None and len(env["TMPDIR"]) <= tiktok_session.LONGEST_BROWSER_TMPDIR
    with tiktok_session.browser_tmpdir_set():
        assert os.environ["TMPDIR"] == env["TMPDIR"]
    assert os.environ.get("TMPDIR") != env["TMPDIR"]
    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    assert tiktok_session.browser_env() is None
