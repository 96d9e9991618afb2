"""Real audio for player tests: ffmpeg tones served by http.server on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import io
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tiktune_tui.core.models import Song
from tiktune_tui.playback.player import Notice, PlayerState, StatusChanged


def make_tone(path: Path, seconds: float, frequency: int = 440) -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency={frequency}:duration={seconds}",
            "-ac",
            "1",
            "-ar",
            "22050",
            "-b:a",
            "32k",
            str(path),
        ],
        check=True,
    )
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    # URL path -> (status, content type): how an expired CDN link answers instead of the file.
    refusals: Mapping[str, tuple[int, str]] = {}
    requested: list[str] | None = None

    def send_head(self):
        if self.requested is not None:
            self.requested.append(self.path)
        refusal = self.refusals.get(self.path)
        if refusal is None:
            return super().send_head()
        status, kind = refusal
        body = b"<html><body>Access denied</body></html>"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve_directory(
    directory: Path, refusals: Mapping[str, tuple[int, str]] | None = None, requested: list[str] | None = None
) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1; yields the base URL (ending in /).

    `refusals` maps URL paths ("/stale.mp3") to the (status, content type) they answer instead;
    `requested`, if given, collects the path of every request.
    """
    handler_class = type("Handler", (_QuietHandler,), {"refusals": dict(refusals or {}), "requested": requested})
    handler = functools.partial(handler_class, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="test-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def song(song_id: str, url: str | None, title: str | None = None) -> Song:
    return Song(id=song_id, title=title or f"Tone {song_id}", author="ffmpeg", play_url=url)


class Recorder:
    """The listener: keeps every event, as a UI would receive them."""

    def __init__(self) -> None:
        self.events: list = []
        self.lock = threading.Lock()

    def __call__(self, event) -> None:
        with self.lock:
            self.events.append(event)

    @property
    def notices(self) -> list[str]:
        with self.lock:
            return [e.message for e in self.events if isinstance(e, Notice)]

    @property
    def states(self) -> list[PlayerState]:
        with self.lock:
            return [e.status.state for e in self.events if isinstance(e, StatusChanged)]


def playing(index: int):
    return lambda s: s.state == PlayerState.PLAYING and s.index == index
