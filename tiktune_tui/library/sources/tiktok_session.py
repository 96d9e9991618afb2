"""TikTok browser sessions: started once per process, reused by every search, closed on exit.

TikTokApi signs and sends each request from inside a Chromium page, so a session
is a browser tab on tiktok.com. Starting Chromium costs seconds; tiktune starts
it on the first live search and keeps it until `close_shared_sessions()` (the CLI
calls it before exiting, the app when it quits).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from TikTokApi import TikTokApi

from tiktune_tui.config import Settings
from tiktune_tui.core.region import region
from tiktune_tui.library.sources.tiktok_errors import (
    CaptchaError,
    HttpStatusError,
    TikTokError,
    describe,
    looks_like_captcha,
)

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright's own browser download is not used
DEFAULT_SESSIONS = 2
# Each tab runs several fetches at once: the page's fetch() is asynchronous.
REQUESTS_PER_SESSION = 3
LAUNCH_TIMEOUT_S = 90
REFERER = "https://www.tiktok.com/"
LOGGER_NAME = "tiktune.tiktokapi"
ANONYMOUS_WAIT_S = 3

PageFactory = Callable[[Any], Awaitable[Any]]


class TikTuneApi(TikTokApi):
    """TikTokApi whose in-page fetch also reports the HTTP status, which 7.x throws away.

    Without it a 429 or a 503 only shows up as an unreadable body; with it, the
    status becomes an HttpStatusError that the source retries with backoff.
    """

    def generate_js_fetch(self, method: str, url: str, headers: dict) -> str:
        return (
            f"() => fetch({json.dumps(url)}, {{method: {json.dumps(method)}, headers: {json.dumps(headers)}}})"
            ".then(async (response) => ({status: response.status, body: await response.text()}))"
        )

    async def run_fetch_script(self, url: str, headers: dict, **kwargs: Any) -> Any:
        result = await super().run_fetch_script(url, headers, **kwargs)
        if not isinstance(result, dict) or "status" not in result:
            return result
        status, body = result.get("status"), result.get("body")
        if isinstance(status, int) and (status == 429 or status >= 500):
            raise HttpStatusError(status)
        if isinstance(body, str) and not body.lstrip().startswith("{") and looks_like_captcha(body):
            raise CaptchaError(body[:200])
        return body


def find_chromium() -> str:
    """The Chromium to drive: $TIKTUNE_CHROMIUM, Debian's /usr/bin/chromium, or one on PATH."""
    wanted = os.environ.get("TIKTUNE_CHROMIUM")
    candidates = [wanted] if wanted else [CHROMIUM, "chromium", "chromium-browser", "google-chrome"]
    for name in candidates:
        path = shutil.which(name)
        if path:
            return path
    raise TikTokError(
        f"Chromium is not installed ({wanted or CHROMIUM} not found), and live TikTok needs it: "
        "run `make setup` (it installs Debian's chromium) or `apt-get install chromium`"
    )


def desktop_user_agent(executable: str) -> str | None:
    """A desktop Chrome User-Agent of the installed version.

    Headless Chromium announces itself as "HeadlessChrome", which TikTok blocks on sight.
    """
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=15, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\b(\d+)\.\d+\.\d+\.\d+\b", out)
    if not match:
        return None
    return (
        f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{match[1]}.0.0.0 Safari/537.36"
    )


def browser_args() -> list[str]:
    """Headless Chromium flags that also work as root in a container."""
    args = [
        "--headless=new",
        # Containers give /dev/shm 64 MB; Chromium then crashes on busy pages.
        "--disable-dev-shm-usage",
        "--disable-blink-features=AutomationControlled",
        "--mute-audio",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    return args


# Chromium keeps a Unix socket under $TMPDIR, and a socket path holds at most 107 bytes: under a
# longer TMPDIR it aborts ("Socket path too long"). Such a TMPDIR is swapped for a short one.
LONGEST_BROWSER_TMPDIR = 60
_short_tmpdir: str | None = None


def browser_tmpdir() -> str | None:
    """A short temporary folder for Chromium when the user's is too long for its socket, else None."""
    global _short_tmpdir
    if len(os.fsencode(tempfile.gettempdir())) <= LONGEST_BROWSER_TMPDIR:
        return None
    if _short_tmpdir is None or not os.path.isdir(_short_tmpdir):
        _short_tmpdir = tempfile.mkdtemp(prefix="tiktune-", dir="/tmp")
        atexit.register(shutil.rmtree, _short_tmpdir, True)
    return _short_tmpdir


def browser_env() -> dict[str, str] | None:
    """The environment to start Chromium in (None: this process's own)."""
    short = browser_tmpdir()
    return None if short is None else {**os.environ, "TMPDIR": short}


@contextlib.contextmanager
def browser_tmpdir_set() -> Iterator[None]:
    """TMPDIR short enough for Chromium while Playwright's driver starts: TikTokApi passes no env.

    The driver inherits this process's environment when it starts and Chromium the driver's,
    so the swap only has to last through the launch.
    """
    short = browser_tmpdir()
    if short is None:
        yield
        return
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = short
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = before


def proxy_settings(proxy: str) -> dict[str, str]:
    """TIKTUNE_PROXY ("http://user:pass@host:port", "socks5://host:port") as Playwright wants it."""
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if not parts.hostname:
        # Not the value itself: it may hold a password.
        raise TikTokError("TIKTUNE_PROXY is not a proxy URL like http://user:pass@host:port")
    server = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    settings = {"server": server}
    if parts.username:
        settings["username"] = unquote(parts.username)
        settings["password"] = unquote(parts.password or "")
    return settings


TOKEN_STEPS = (
    "a token usually fixes it: on tiktok.com in your browser open DevTools (F12) > Application > Cookies, "
    "copy msToken's value and set TIKTUNE_MS_TOKEN (or ms_token under [tiktok] in {where}); "
    "README: A TikTok token"
)


def token_steps(settings: Settings) -> str:
    return TOKEN_STEPS.format(where=settings.path or "config.toml")


def no_token_message(settings: Settings) -> str:
    """An anonymous session that got no msToken: TikTok would refuse every request."""
    return f"TikTok gave the anonymous session no msToken (it refuses such sessions); {token_steps(settings)}"


class TikTokSessions:
    """The browser and its TikTok tabs, opened on first use and shared by every search.

    `api` may be given ready-made (tests, benchmarks): it is then used as it is and
    never launched. `page_factory` lets a test open the tabs itself (to route requests).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        num_sessions: int = DEFAULT_SESSIONS,
        api: TikTokApi | None = None,
        page_factory: PageFactory | None = None,
        slots: int | None = None,
    ) -> None:
        self.settings = settings
        self.num_sessions = num_sessions
        self.slots = slots or num_sessions * REQUESTS_PER_SESSION
        self.page_factory = page_factory
        self._api = api
        self._given = api is not None
        self._stale = False
        # asyncio primitives belong to one loop; tests and the CLI may run several in turn.
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        # Without a token the page sets msToken itself on first load; TikTokApi waits this long for it.
        self.anonymous_wait_s = ANONYMOUS_WAIT_S
        self._slot_gates: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}
        self.launches = 0

    @property
    def anonymous(self) -> bool:
        """No token configured: the sessions take whatever msToken tiktok.com sets."""
        return not self.settings.ms_token

    @property
    def is_open(self) -> bool:
        return self._api is not None and not self._given

    def configure(self, settings: Settings) -> None:
        """New settings: a changed token or proxy takes effect with fresh sessions."""
        if (settings.ms_token, settings.proxy, settings.region) != (
            self.settings.ms_token,
            self.settings.proxy,
            self.settings.region,
        ):
            self._stale = True
        self.settings = settings

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        return self._locks.setdefault(loop, asyncio.Lock())

    def request_slots(self) -> asyncio.Semaphore:
        """Bounds the requests in flight across every search and song lookup using these sessions."""
        loop = asyncio.get_running_loop()
        return self._slot_gates.setdefault(loop, asyncio.Semaphore(self.slots))

    async def api(self) -> TikTokApi:
        """The live API, launching Chromium and the sessions on first call only."""
        if self._given:
            return self._api  # type: ignore[return-value]
        async with self._lock():
            api = self._api
            if api is not None and api.sessions and not self._stale:
                return api
            if api is not None:  # every tab died, or the token changed: start afresh
                await self.aclose()
            self._stale = False
            self._api = await self._launch()
            return self._api

    async def _launch(self) -> TikTokApi:
        executable = find_chromium()
        proxies = [proxy_settings(self.settings.proxy)] if self.settings.proxy else None
        context_options: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "locale": "en-US"}
        if self.settings.region:
            # The browser's language and clock match the region asked for: TikTok reads both.
            place = region(self.settings.region)
            context_options.update(locale=place.locale, timezone_id=place.timezone)
        agent = await asyncio.to_thread(desktop_user_agent, executable)
        if agent:
            context_options["user_agent"] = agent
        debug = os.environ.get("TIKTUNE_DEBUG") == "1"
        # TikTokApi logs whole responses at ERROR; they would drown the user's terminal.
        api = TikTuneApi(logging_level=logging.WARNING if debug else logging.CRITICAL, logger_name=LOGGER_NAME)
        del api.logger.handlers[:-1]  # it adds a handler per instance
        self.launches += 1
        try:
            with browser_tmpdir_set():
                await asyncio.wait_for(
                    api.create_sessions(
                        num_sessions=self.num_sessions,
                        ms_tokens=[self.settings.ms_token] if self.settings.ms_token else None,
                        proxies=proxies,
                        # headless through the flag (Chromium's new headless mode), as TikTokApi does
                        headless=False,
                        override_browser_args=browser_args(),
                        executable_path=executable,
                        # Without a token, _await_ms_tokens below waits for the cookie (no fixed sleep).
                        sleep_after=0 if self.anonymous else 1,
                        context_options=context_options,
                        timeout=30000,
                        page_factory=self.page_factory,
                        allow_partial_sessions=True,
                        min_sessions=1,
                    ),
                    LAUNCH_TIMEOUT_S,
                )
        except BaseException as exc:
            await api.close_sessions()
            if isinstance(exc, Exception):
                raise TikTokError(f"cannot start a TikTok session: {_launch_problem(exc, executable)}") from exc
            raise
        if not api.sessions:
            await api.close_sessions()
            raise TikTokError("cannot start a TikTok session: no browser tab reached tiktok.com")
        if self.anonymous and not await self._await_ms_tokens(api):
            await api.close_sessions()
            raise TikTokError(no_token_message(self.settings))
        return api

    async def _await_ms_tokens(self, api: TikTokApi) -> bool:
        """Anonymous sessions: wait (up to anonymous_wait_s) for tiktok.com to set the msToken cookie."""
        deadline = asyncio.get_running_loop().time() + self.anonymous_wait_s
        while True:
            for session in api.sessions:
                if not session.ms_token:
                    session.ms_token = (await api.get_session_cookies(session)).get("msToken")
            if all(session.ms_token for session in api.sessions):
                return True
            if asyncio.get_running_loop().time() >= deadline:
                return any(session.ms_token for session in api.sessions)
            await asyncio.sleep(0.1)

    async def has_ms_token(self) -> bool:
        """Whether a session holds an msToken (given, or set by tiktok.com), launching if need be."""
        try:
            api = await self.api()
        except TikTokError as exc:
            if "no msToken" in str(exc):
                return False
            raise
        for session in api.sessions:
            if session.ms_token or (await api.get_session_cookies(session)).get("msToken"):
                return True
        return False

    async def media_headers(self) -> dict[str, str]:
        """Headers that let a plain HTTP client download TikTok media like the session's browser."""
        api = await self.api()
        session = next((s for s in api.sessions if s.is_valid), None)
        if session is None:
            return {"Referer": REFERER}
        agent = (session.headers or {}).get("user-agent") or await session.page.evaluate("() => navigator.userAgent")
        cookies = await api.get_session_cookies(session)
        headers = {"User-Agent": agent, "Referer": REFERER}
        jar = "; ".join(
            f"{name}={value}" for name, value in cookies.items() if _cookie_safe(name) and _cookie_safe(value)
        )
        if jar:
            headers["Cookie"] = jar
        return headers

    async def aclose(self) -> None:
        """Close the tabs, the browser and Playwright's driver. Safe to call twice."""
        api, self._api = self._api, None
        if api is not None and not self._given:
            await api.close_sessions()


def _cookie_safe(text: str) -> bool:
    return bool(text) and not any(ch in text for ch in "\r\n;\x00")


def _launch_problem(exc: Exception, executable: str) -> str:
    message = str(exc)
    if "Executable doesn't exist" in message or "ENOENT" in message:
        return f"{executable} cannot be run; install Chromium with `make setup`"
    if "net::ERR_" in message:
        code = re.search(r"net::ERR_[A-Z_]+", message)[0]
        return f"cannot reach tiktok.com ({code}): check your connection, or set TIKTUNE_PROXY if it is blocked"
    if "Failed to create minimum required sessions" in message:
        return "no browser tab reached tiktok.com (offline, or tiktok.com is blocked here: try TIKTUNE_PROXY)"
    return describe(exc)


_shared: TikTokSessions | None = None


def shared_sessions(settings: Settings) -> TikTokSessions:
    """The process's one set of sessions (created, not launched, on first call)."""
    global _shared
    if _shared is None:
        _shared = TikTokSessions(settings)
    else:
        _shared.configure(settings)
    return _shared


async def close_shared_sessions() -> None:
    if _shared is not None:
        await _shared.aclose()
