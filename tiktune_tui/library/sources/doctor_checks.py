"""`tiktune doctor`: Chromium, the TikTok token (never shown), and whether tiktok.com gives a session."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess

from tiktune_tui.config import Settings
from tiktune_tui.health import Check, CheckResult, ok, problem
from tiktune_tui.library.sources.reachability import probe
from tiktune_tui.text import terminal_safe

INSTALL_CHROMIUM = "apt-get install chromium (or `make setup`; or set $TIKTUNE_CHROMIUM to a Chrome)"
CHROMIUM_LIMIT_S = 20.0
SESSION_LIMIT_S = 40.0
TOKEN_STEPS = "README: A TikTok token"


def check_chromium() -> list[CheckResult]:
    from tiktune_tui.library.sources.tiktok_errors import TikTokError
    from tiktune_tui.library.sources.tiktok_session import browser_args, browser_env, find_chromium

    try:
        path = find_chromium()
    except TikTokError:
        return [problem("Chromium", "not found", INSTALL_CHROMIUM)]
    env = browser_env()
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10, check=False, env=env).stdout
    match = re.search(r"\d+\.\d+\.\d+\.\d+", out)
    version = match[0] if match else "unknown version"
    # The flags live TikTok starts it with: if this page loads, TikTokApi's launch will too.
    started = subprocess.run(
        [path, *browser_args(), "--disable-gpu", "--dump-dom", "about:blank"],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_LIMIT_S - 2,
        check=False,
        env=env,
    )
    if "<html" not in started.stdout:
        last = next((line for line in reversed(started.stderr.splitlines()) if line.strip()), "no output")
        return [
            problem(
                "Chromium",
                f"{version} at {path} does not start headless: {terminal_safe(last)[:120]}",
                "apt-get install --reinstall chromium",
            )
        ]
    return [ok("Chromium", f"{version} at {path}, starts headless")]


def token_origin(settings: Settings) -> str | None:
    """Where the token comes from (never the token itself), or None when there is none."""
    if os.environ.get("TIKTUNE_MS_TOKEN"):
        return "$TIKTUNE_MS_TOKEN"
    if settings.ms_token:
        return f"ms_token under [tiktok] in {terminal_safe(str(settings.path or 'config.toml'))}"
    return None


def check_token(settings: Settings) -> CheckResult:
    origin = token_origin(settings)
    if origin is None:
        # Not a problem: anonymous sessions often work; the session check says if this one did.
        return ok(
            "TikTok token", f"none set: live TikTok opens anonymous sessions ({TOKEN_STEPS} if refused)", needed=False
        )
    return ok("TikTok token", f"set, from {origin}", needed=False)


async def _session_token(settings: Settings) -> bool:
    from tiktune_tui.library.sources.tiktok_session import TikTokSessions

    sessions = TikTokSessions(settings, num_sessions=1)
    try:
        return await sessions.has_ms_token()
    finally:
        await sessions.aclose()


def check_tiktok(settings: Settings) -> list[CheckResult]:
    reach = probe(settings.proxy)
    if not reach.reachable:
        return [
            problem(
                "tiktok.com",
                f"not reachable: {reach.reason}; `auto` uses the bundled catalog",
                "connect to the internet, or set TIKTUNE_PROXY if tiktok.com is blocked here",
                needed=False,
            )
        ]
    results = [ok("tiktok.com", f"reachable ({reach.reason})", needed=False)]
    try:
        got = asyncio.run(asyncio.wait_for(_session_token(settings), SESSION_LIMIT_S - 5))
    except Exception as exc:  # noqa: BLE001 - reported as the finding it is
        from tiktune_tui.library.sources.tiktok_errors import describe

        results.append(
            problem("TikTok session", terminal_safe(describe(exc))[:160], f"set a token ({TOKEN_STEPS})", needed=False)
        )
        return results
    if got:
        results.append(ok("TikTok session", "a browser session got an msToken", needed=False))
    else:
        results.append(
            problem(
                "TikTok session",
                "the session got no msToken (TikTok may refuse requests)",
                f"set a token ({TOKEN_STEPS})",
                needed=False,
            )
        )
    return results


def checks(settings: Settings) -> list[Check]:
    return [
        Check(
            "Chromium", check_chromium, limit_s=CHROMIUM_LIMIT_S, fix_on_timeout="apt-get install --reinstall chromium"
        ),
        Check("TikTok token", lambda: check_token(settings), needed=False),
        Check(
            "tiktok.com",
            lambda: check_tiktok(settings),
            limit_s=SESSION_LIMIT_S,
            needed=False,
            fix_on_timeout="check your connection, or set TIKTUNE_PROXY if tiktok.com is blocked here",
        ),
    ]
