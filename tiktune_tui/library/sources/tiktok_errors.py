"""What can go wrong with TikTok, as one line a user can act on.

TikTokApi 7.x reports trouble in odd ways: a bot wall is an EmptyResponseException,
an HTML page surfaces as a TypeError (its InvalidJSONException is raised with the
wrong arguments), an unknown hashtag as an AttributeError, and error codes in the
JSON are only logged. `describe` turns all of that into plain words.
"""

from __future__ import annotations

import asyncio

from tiktune_tui.errors import TiktuneError
from tiktune_tui.text import terminal_safe

FIX_BLOCKED = "get a fresh ms_token from your browser, wait a few minutes, or set TIKTUNE_PROXY"
# Without a token, a refusal is most often cured by one.
FIX_ANONYMOUS = (
    "it refuses anonymous sessions at times, and a token usually fixes it: copy the msToken cookie "
    "from tiktok.com in your browser into TIKTUNE_MS_TOKEN (README: A TikTok token)"
)


class TikTokError(TiktuneError):
    """TikTok cannot be used at all (no token, no browser, no session); nothing was fetched."""


class TagFailure(Exception):
    """One tag could not be fetched; the message is already meant for the user."""


class HttpStatusError(Exception):
    """TikTok answered with an HTTP error status worth retrying (429 or 5xx)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class CaptchaError(Exception):
    """TikTok answered with a captcha challenge instead of data."""


def looks_like_captcha(body: object) -> bool:
    """A bot-check page or JSON: TikTok's verify responses carry "captcha" or type "verify"."""
    if isinstance(body, dict):
        return body.get("type") == "verify" or "captcha" in str(body.get("status_msg", "")).lower()
    return isinstance(body, str) and "captcha" in body[:20000].lower()


def is_retryable(exc: BaseException) -> bool:
    """Worth another try after a pause: rate limits, server errors, timeouts, a garbled page.

    An empty body is TikTok's bot verdict, and retrying at once only makes it surer.
    """
    from playwright.async_api import Error as PlaywrightError

    if isinstance(exc, HttpStatusError):
        return True
    # Timeouts, and a tab that died: TikTokApi drops a dead tab, so the next try uses another.
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError, PlaywrightError)):
        return True
    # TikTokApi 7.3.3 raises InvalidJSONException() without its arguments → TypeError.
    return isinstance(exc, TypeError) and _is_invalid_json_bug(exc)


def _is_invalid_json_bug(exc: TypeError) -> bool:
    return "__init__() missing" in str(exc)


def _first_line(text: str, limit: int = 160) -> str:
    line = terminal_safe(text.strip().splitlines()[0] if text.strip() else "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def describe(exc: BaseException, *, anonymous: bool = False) -> str:
    """One line for the user about why a TikTok request failed.

    `anonymous`: the session has no token of the user's; a refusal then says a token usually helps.
    """
    message = _describe(exc)
    if anonymous and is_refusal(exc):
        return f"{message.split(': ')[0]}; {FIX_ANONYMOUS}"
    return message


def is_refusal(exc: BaseException) -> bool:
    """TikTok saw the request and would not answer it: a bot wall, a captcha, a web page for data."""
    from TikTokApi.exceptions import CaptchaException, EmptyResponseException, InvalidJSONException

    if isinstance(exc, (CaptchaError, CaptchaException, EmptyResponseException, InvalidJSONException)):
        return True
    if isinstance(exc, TypeError) and _is_invalid_json_bug(exc):
        return True
    return "X-Bogus" in str(exc)


def _describe(exc: BaseException) -> str:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    from TikTokApi.exceptions import (
        CaptchaException,
        EmptyResponseException,
        InvalidJSONException,
        InvalidResponseException,
        NotFoundException,
    )

    if isinstance(exc, (TagFailure, TikTokError)):
        return str(exc)
    if isinstance(exc, (CaptchaError, CaptchaException)):
        return "TikTok wants a captcha solved: open tiktok.com in your browser, solve it, then copy a fresh ms_token"
    if isinstance(exc, EmptyResponseException):
        return f"TikTok sent an empty response (it thinks tiktune is a bot): {FIX_BLOCKED}"
    if isinstance(exc, HttpStatusError):
        if exc.status == 429:
            return "TikTok is rate limiting (HTTP 429), still after retries: wait a few minutes or set TIKTUNE_PROXY"
        return f"TikTok's servers failed (HTTP {exc.status}), still after retries: try again later"
    if isinstance(exc, (InvalidJSONException,)) or (isinstance(exc, TypeError) and _is_invalid_json_bug(exc)):
        return f"TikTok answered with a web page instead of data (blocked or rate limited): {FIX_BLOCKED}"
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError, PlaywrightTimeout)):
        return "TikTok did not answer in time: check your connection, or set TIKTUNE_PROXY if tiktok.com is blocked"
    if isinstance(exc, (NotFoundException, AttributeError)):
        # TikTokApi's Hashtag.videos() meets an unknown challenge as a missing `id` attribute.
        return "TikTok has no such hashtag (or it is unavailable in your region)"
    if isinstance(exc, InvalidResponseException):
        return "TikTok sent a response tiktune cannot read"
    if isinstance(exc, PlaywrightError):
        message = str(getattr(exc, "message", "") or exc)
        if "net::ERR_" in message:
            code = message[message.index("net::ERR_") :].split()[0]
            return f"cannot reach tiktok.com ({terminal_safe(code)}): check your connection or TIKTUNE_PROXY"
        return f"the browser failed: {_first_line(message)}"
    message = str(exc)
    if "No valid sessions" in message or "No sessions created" in message:
        return "the TikTok browser sessions died; the next search starts new ones"
    if "X-Bogus" in message or "returned None" in message:
        return f"TikTok's page did not load properly (request signing failed): {FIX_BLOCKED}"
    return f"{exc.__class__.__name__}: {_first_line(message)}"
