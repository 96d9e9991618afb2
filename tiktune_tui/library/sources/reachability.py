"""Can tiktok.com be reached from here, right now? One TCP connection, with a short time limit.

`--source auto` (the default) asks this to choose between live TikTok and the bundled
catalog, and `tiktune doctor` reports it. A machine with no network fails the name lookup
in milliseconds, so the answer comes at once exactly when the catalog is the one to use.
The probe runs on a daemon thread: a DNS server that never answers cannot hold anyone up
past the time limit.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

TIKTOK_ADDRESS = ("www.tiktok.com", 443)
PROBE_TIMEOUT_S = 1.5
# host:port to probe instead of tiktok.com (tests and benchmarks point it at 127.0.0.1).
ADDRESS_ENV = "TIKTUNE_TIKTOK_ADDRESS"


@dataclass(frozen=True)
class Reachability:
    reachable: bool
    reason: str  # "tiktok.com answered in 42 ms", "no network (name lookup failed)"
    seconds: float


def probe_address(proxy: str | None = None) -> tuple[str, int, str]:
    """Where to connect: $TIKTUNE_TIKTOK_ADDRESS, else the proxy when one is set, else tiktok.com."""
    override = os.environ.get(ADDRESS_ENV)
    if override:
        host, _, port = override.rpartition(":")
        return host.strip("[]"), int(port), override
    if proxy:
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if parts.hostname:
            return parts.hostname, parts.port or 8080, "the proxy (TIKTUNE_PROXY)"
    return TIKTOK_ADDRESS[0], TIKTOK_ADDRESS[1], "tiktok.com"


def probe(proxy: str | None = None, timeout_s: float = PROBE_TIMEOUT_S) -> Reachability:
    """Connect once; never takes (much) longer than `timeout_s`, name lookup included."""
    started = time.monotonic()
    answer: list[Reachability] = []
    done = threading.Event()

    def attempt() -> None:
        try:
            host, port, name = probe_address(proxy)
        except ValueError:
            answer.append(Reachability(False, f"{ADDRESS_ENV} is not host:port", 0.0))
            done.set()
            return
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                spent = time.monotonic() - started
                answer.append(Reachability(True, f"{name} answered in {spent * 1000:.0f} ms", spent))
        except socket.gaierror:
            spent = time.monotonic() - started
            answer.append(Reachability(False, f"no network ({name}: name lookup failed)", spent))
        except TimeoutError:
            spent = time.monotonic() - started
            answer.append(Reachability(False, f"{name} did not answer within {timeout_s:g} s", spent))
        except OSError as exc:
            spent = time.monotonic() - started
            answer.append(Reachability(False, f"{name} unreachable ({exc.strerror or exc})", spent))
        done.set()

    threading.Thread(target=attempt, name="tiktok-reachability", daemon=True).start()
    if done.wait(timeout_s + 0.1) and answer:
        return answer[0]
    return Reachability(False, f"tiktok.com did not answer within {timeout_s:g} s", time.monotonic() - started)


class BackgroundProbe:
    """A probe started now and read later: the app starts it before its first frame and
    asks for the verdict when the first search needs it (waiting at most the time limit)."""

    def __init__(self, proxy: str | None = None, timeout_s: float = PROBE_TIMEOUT_S) -> None:
        self._result: Reachability | None = None
        self._done = threading.Event()
        self._timeout_s = timeout_s

        def run() -> None:
            self._result = probe(proxy, timeout_s)
            self._done.set()

        threading.Thread(target=run, name="tiktok-reachability-bg", daemon=True).start()

    def peek(self) -> Reachability | None:
        """The verdict if it is in, else None (never waits)."""
        return self._result if self._done.is_set() else None

    def result(self) -> Reachability:
        self._done.wait(self._timeout_s + 0.5)
        return self._result or Reachability(False, "tiktok.com did not answer in time", self._timeout_s)
