"""A CDN on 127.0.0.1 that answers like TikTok's: only with the session's cookie and referer,
after a simulated latency, and (for cancellation tests) held until a gate opens."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class CdnLog:
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)
    held: set[str] = field(default_factory=set)  # paths that wait for the gate
    hold_all: bool = False  # every path waits for the gate
    arrived: threading.Event = field(default_factory=threading.Event)  # a held request came in

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@contextmanager
def serve_cdn(
    files: dict[str, Path], *, latency_s: float = 0.0, cookie: str | None = None, default: Path | None = None
) -> Iterator[tuple[str, CdnLog]]:
    """Serve `files` (URL path -> file; any other path: `default`) on 127.0.0.1; yields
    (base URL without a slash, log).

    With `cookie`, a request without that Cookie header or without TikTok's Referer gets 403,
    as TikTok's CDN does.
    """
    log = CdnLog()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            log.requests.append((self.path, dict(self.headers)))
            if log.hold_all or self.path in log.held:
                log.arrived.set()
                log.gate.wait(30)
            if latency_s:
                time.sleep(latency_s)  # the simulated network, not a test waiting
            target = files.get(self.path, default)
            allowed = cookie is None or (
                cookie in (self.headers.get("Cookie") or "")
                and (self.headers.get("Referer") or "").startswith("https://www.tiktok.com/")
            )
            if target is None or not allowed:
                self.send_response(404 if target is None else 403)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = target.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "audio/mpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                # In pieces, so a cancelled download stops between them.
                for start in range(0, len(body), 16 * 1024):
                    self.wfile.write(body[start : start + 16 * 1024])
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format, *args):  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="test-cdn", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        log.gate.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
