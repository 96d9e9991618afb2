"""Songs' audio kept on disk, so a song heard once replays and exports offline.

TikTok's CDN links expire within hours, so the audio is worth keeping the first time it
is fetched. The cache is a flat directory of `<song key>.<ext>` files whose modification
time is their last use; beyond `max_bytes` the least recently used go first.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tiktune_tui.core.models import Song
from tiktune_tui.errors import TiktuneError
from tiktune_tui.files import replacing
from tiktune_tui.paths import data_dir

DEFAULT_MAX_BYTES = 500 * 1024 * 1024

# TikTok's CDN answers 403 to clients that do not look like a browser on tiktok.com.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Referer": "https://www.tiktok.com/"}

_CONTENT_TYPE_SUFFIX = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/aac": ".aac",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/webm": ".webm",
    "video/mp4": ".mp4",
}
_KNOWN_SUFFIXES = frozenset(_CONTENT_TYPE_SUFFIX.values()) | {".opus", ".flac"}
_TEMP_PREFIX = ".fetch-"
_STALE_TEMP_S = 3600
_CHUNK = 64 * 1024
_WAIT_STEP_S = 0.05  # how often a fetch waiting for another's download looks at its own cancel

# Downloads in progress in this process, by (cache directory, song key). Every AudioCache on
# one directory is the same cache (the player, the prefetch and the export modal each make
# theirs), so a second fetch of a song being downloaded (Enter on a song the prefetch is
# still fetching) waits for that download and uses its file instead of downloading it again.
_downloads: dict[tuple[str, str], threading.Event] = {}
_downloads_lock = threading.Lock()


class AudioUnavailable(TiktuneError):
    """The song's audio cannot be had: no URL, a dead link, or the network failed."""


class LinkExpired(AudioUnavailable):
    """The server answered, but not with the audio: how TikTok's CDN treats a link past its expiry.

    A fresh link for the same song may well work, where a network failure would not.
    """


# 403 and 410 are what TikTok's CDN answers for a link past its expiry; 404 for one it forgot.
_EXPIRED_STATUSES = frozenset({403, 404, 410})


def song_key(song: Song) -> str:
    """A file-name-safe key for `song`. Ids come from TikTok: never trust them as paths."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,80}", song.id):
        return song.id
    return "id-" + hashlib.sha256(song.id.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _suffix_for(url: str, content_type: str | None) -> str:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in _CONTENT_TYPE_SUFFIX:
        return _CONTENT_TYPE_SUFFIX[kind]
    suffix = Path(urllib.parse.urlsplit(url).path).suffix.lower()
    return suffix if suffix in _KNOWN_SUFFIXES else ".audio"


def _looks_like_text(content_type: str | None) -> bool:
    """An expired CDN link often answers 200 with an HTML or XML error page."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind.startswith("text/") or kind in ("application/json", "application/xml")


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would follow a redirect to ftp:; an audio link has no business going there."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise AudioUnavailable(f"the audio link redirected to a {scheme or 'relative'} URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


class AudioCache:
    """A size-capped LRU directory of downloaded song audio. Safe to use from several threads."""

    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    @classmethod
    def default(cls, data_directory: str | os.PathLike[str] | None = None) -> AudioCache:
        return cls(data_dir(data_directory) / "audio")

    def path_for(self, song: Song) -> Path | None:
        """The cached audio of `song`, marked as just used; None when not cached."""
        found = self._find(song_key(song))
        if found is not None:
            try:
                os.utime(found)
            except OSError:
                return None
        return found

    def wait_for(self, song: Song, cancel: threading.Event | None = None) -> Path | None:
        """As `path_for`, once a download of `song` in progress (another thread's) has ended.

        Raises AudioUnavailable if `cancel` is set while waiting.
        """
        with _downloads_lock:
            running = _downloads.get(self._download_key(song))
        if running is not None:
            _wait(running, cancel)
        return self.path_for(song)

    def fetch(
        self,
        song: Song,
        url: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
        cancel: threading.Event | None = None,
    ) -> Path:
        """The cached audio of `song`, downloaded from `url` (else `song.play_url`) if missing.

        A download of the same song already in progress is waited for, not repeated; only if
        it fails does this one download. `cancel`, when set, aborts the wait or the download
        in progress (between chunks).
        """
        cached = self.wait_for(song, cancel)
        if cached is not None:
            return cached
        url = url or song.play_url
        if not url:
            raise AudioUnavailable(f"no audio URL for {song.display_title!r}")
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise AudioUnavailable(f"cannot download audio from a {scheme or 'relative'} URL; only http and https")
        claimed = self._claim_download(song, cancel)
        if isinstance(claimed, Path):
            return claimed  # another thread's download got it meanwhile
        try:
            cached = self.path_for(song)  # a download that ended between the look above and the claim
            if cached is not None:
                return cached
            return self._download(song, url, headers, timeout, cancel)
        finally:
            with _downloads_lock:
                _downloads.pop(self._download_key(song), None)
            claimed.set()

    def _download_key(self, song: Song) -> tuple[str, str]:
        return os.path.abspath(self.directory), song_key(song)

    def _claim_download(self, song: Song, cancel: threading.Event | None) -> threading.Event | Path:
        """This thread's right to download `song` (set it when done), or the file another
        thread's download of it left."""
        key = self._download_key(song)
        while True:
            with _downloads_lock:
                running = _downloads.get(key)
                if running is None:
                    mine = _downloads[key] = threading.Event()
                    return mine
            _wait(running, cancel)
            cached = self.path_for(song)
            if cached is not None:
                return cached
            # That download failed (or was cancelled): this fetch tries with its own link.

    def _download(
        self, song: Song, url: str, headers: dict[str, str] | None, timeout: float, cancel: threading.Event | None
    ) -> Path:
        request = urllib.request.Request(url, headers={**DEFAULT_HEADERS, **(headers or {})})
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                content_type = response.headers.get("Content-Type")
                if _looks_like_text(content_type):
                    raise LinkExpired(f"the audio link returned {content_type}, not audio (expired?)")
                target = self.directory / (song_key(song) + _suffix_for(url, content_type))
                return self._store(song, response, target, cancel)
        except urllib.error.HTTPError as exc:
            failure = LinkExpired if exc.code in _EXPIRED_STATUSES else AudioUnavailable
            raise failure(f"the audio link failed: HTTP {exc.code} {exc.reason}".rstrip()) from None
        except urllib.error.URLError as exc:
            raise AudioUnavailable(f"cannot download the audio: {exc.reason}") from None
        except (TimeoutError, OSError) as exc:
            raise AudioUnavailable(f"cannot download the audio: {exc}") from None

    # -- internals ---------------------------------------------------------------------

    def _find(self, key: str) -> Path | None:
        try:
            candidates = [p for p in self.directory.glob(key + ".*") if p.is_file()]
        except OSError:
            return None
        # Keys hold no glob characters or dots (see song_key), so this only drops odd names.
        candidates = [p for p in candidates if p.name.rpartition(".")[0] == key]
        return max(candidates, key=_mtime, default=None)

    def _store(self, song: Song, stream, target: Path, cancel: threading.Event | None) -> Path:
        def commit(temp: Path, target: Path) -> None:
            with self._lock:
                # One song, one file: a re-fetch with another format replaces the old one.
                old = self._find(song_key(song))
                os.replace(temp, target)
                if old is not None and old != target:
                    old.unlink(missing_ok=True)
                self._evict(keep=target)

        written = 0
        with replacing(target, binary=True, prefix=_TEMP_PREFIX, suffix=".part", commit=commit) as out:
            while chunk := stream.read(_CHUNK):
                if cancel is not None and cancel.is_set():
                    raise AudioUnavailable("download cancelled")
                written += len(chunk)
                if written > self.max_bytes:
                    raise AudioUnavailable("the audio is larger than the whole audio cache")
                out.write(chunk)
            if written == 0:
                raise AudioUnavailable("the audio link returned an empty file")
        return target

    def usage(self) -> tuple[int, int]:
        """How many songs the cache holds and their bytes."""
        entries = self._entries()
        return len(entries), sum(size for _, size, _ in entries)

    def _entries(self) -> list[tuple[Path, int, float]]:
        entries: list[tuple[Path, int, float]] = []
        try:
            children = list(self.directory.iterdir())
        except OSError:
            return entries
        for child in children:
            try:
                info = child.stat()
            except OSError:
                continue
            if not child.is_file():
                continue
            if child.name.startswith(_TEMP_PREFIX):
                # Left by a crash mid-download; a live download is never that old.
                if time.time() - info.st_mtime > _STALE_TEMP_S:
                    child.unlink(missing_ok=True)
                continue
            entries.append((child, info.st_size, info.st_mtime))
        return entries

    def _evict(self, keep: Path) -> None:
        entries = sorted(self._entries(), key=lambda e: e[2])
        total = sum(size for _, size, _ in entries)
        for path, size, _ in entries:
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            try:
                path.unlink()
            except OSError:
                continue
            total -= size

    def forget(self, song: Song) -> None:
        """Drop `song`'s cached audio (it turned out unplayable)."""
        with self._lock:
            found = self._find(song_key(song))
            if found is not None:
                found.unlink(missing_ok=True)


def _wait(download: threading.Event, cancel: threading.Event | None) -> None:
    while not download.wait(_WAIT_STEP_S):
        if cancel is not None and cancel.is_set():
            raise AudioUnavailable("download cancelled")


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


__all__ = ["DEFAULT_HEADERS", "AudioCache", "AudioUnavailable", "LinkExpired", "song_key"]
