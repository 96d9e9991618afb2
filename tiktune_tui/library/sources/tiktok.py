"""Live TikTok: every tag fetched at once, pages followed, everything kept in the store.

Per search, each tag runs as its own task; requests of all tags share a semaphore
sized to the browser sessions, so a slow tag never holds the others back. A tag
fetched less than 15 minutes ago is answered from the store unless `refresh`.
A failing tag becomes a "failed" progress event; the other tags go on.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tiktune_tui.config import Settings
from tiktune_tui.core.models import Song, Video
from tiktune_tui.core.region import DEFAULT_REGION
from tiktune_tui.core.region import region as region_of
from tiktune_tui.library.sources.base import SearchEvent, Source, TagProgress, VideosFound
from tiktune_tui.library.sources.tiktok_errors import (
    CaptchaError,
    TagFailure,
    TikTokError,
    describe,
    is_retryable,
    looks_like_captcha,
)
from tiktune_tui.library.sources.tiktok_items import (
    challenge_id,
    music_video_count,
    parse_items,
    parse_music_detail,
    status_code,
    status_message,
)
from tiktune_tui.library.sources.tiktok_session import TikTokSessions, shared_sessions
from tiktune_tui.library.store import Store
from tiktune_tui.text import terminal_safe

API = "https://www.tiktok.com/api"
CHALLENGE_DETAIL = f"{API}/challenge/detail/"
CHALLENGE_ITEMS = f"{API}/challenge/item_list/"
MUSIC_DETAIL = f"{API}/music/detail/"
PAGE_SIZE = 30  # TikTok's web client always asks for 30
FRESH_FOR = timedelta(minutes=15)
MAX_RETRIES = 3
REQUEST_TIMEOUT_S = 45.0
SOURCE_NAME = "tiktok"

_DONE = object()


class TikTokSource(Source):
    label = "TikTok"

    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        per_tag: int = 60,
        refresh: bool = False,
        sessions: TikTokSessions | None = None,
        backoff_s: float = 1.0,
        request_timeout_s: float = REQUEST_TIMEOUT_S,
        now: Callable[[], datetime] | None = None,
        keep: bool = True,
    ) -> None:
        if per_tag < 1:
            raise ValueError("per_tag must be at least 1")
        self.store = store
        self.settings = settings
        self.per_tag = per_tag
        self.refresh = refresh
        self.sessions = sessions or shared_sessions(settings)
        self.backoff_s = backoff_s
        self.request_timeout_s = request_timeout_s
        self._now = now or (lambda: datetime.now(UTC))
        # False: the caller stores what it found itself (the watcher keeps a round whole or not at all).
        self.keep = keep
        self._answered_at: dict[str, datetime] = {}

    @property
    def region(self) -> str:
        """The country TikTok is asked for; what is stored is kept apart per region."""
        return self.settings.region or DEFAULT_REGION

    # -- Source -------------------------------------------------------------------

    async def search(self, tags: Sequence[str]) -> AsyncIterator[SearchEvent]:
        self._answered_at = {}
        self.label = "TikTok"
        tags = list(dict.fromkeys(tags))
        fresh = {tag: when for tag in tags if (when := self._fresh_fetch(tag)) is not None}
        live = [tag for tag in tags if tag not in fresh]
        for tag, when in fresh.items():
            async for event in self._from_store(tag, when):
                yield event
        if not live:
            self.label = "TikTok (stored)"
            return
        if fresh:
            self.label = "TikTok (partly stored)"
        for tag in live:
            yield TagProgress(tag, 0, "running")
        # Before any task starts: no token or no browser stops the whole search.
        api = await self.sessions.api()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        runner = asyncio.create_task(self._fetch_all(api, live, queue.put_nowait))
        try:
            while (event := await queue.get()) is not _DONE:
                yield event
            await runner
        finally:
            # The consumer left early (a new query, Ctrl-C): stop every request in flight.
            if not runner.done():
                runner.cancel()
                try:
                    await runner
                except asyncio.CancelledError:
                    pass

    def fetched_at(self, tags: Sequence[str]) -> datetime | None:
        """How old the answer is: the oldest of the tags it came from."""
        moments = [self._answered_at[t] for t in tags if t in self._answered_at]
        return min(moments) if moments else None

    async def aclose(self) -> None:
        # The browser sessions outlive a source: the next query reuses them.
        self.store.close()

    # -- songs and media --------------------------------------------------------------

    async def _music_detail(self, music_id: str) -> dict:
        """TikTok's /api/music/detail/ answer for the sound; a TikTokError saying why not."""
        api = await self.sessions.api()
        try:
            response = await self._request(api, MUSIC_DETAIL, {"musicId": music_id, "msToken": None})
            self._check(response, "sound", not_found="TikTok has no such sound (removed?)", key="musicInfo")
        except TagFailure as exc:
            raise TikTokError(f"sound {terminal_safe(music_id)}: {exc}") from None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes one message
            raise TikTokError(
                f"sound {terminal_safe(music_id)}: {describe(exc, anonymous=self.sessions.anonymous)}"
            ) from exc
        return response

    async def song_video_count(self, music_id: str) -> int:
        """How many videos use the sound on all of TikTok, as its own page counts them."""
        count = music_video_count(await self._music_detail(music_id))
        if count is None:
            raise TikTokError(f"sound {terminal_safe(music_id)}: TikTok gave no count of its videos")
        return count

    async def resolve_song(self, music_id: str) -> Song:
        """The song with a fresh play URL (TikTok's are signed and expire within hours)."""
        response = await self._music_detail(music_id)
        song = parse_music_detail(response)
        if song is None:
            raise TikTokError(f"sound {terminal_safe(music_id)}: TikTok has no such sound (removed?)")
        return song

    async def media_headers(self) -> dict[str, str]:
        """User-Agent, Referer and cookies to download TikTok media outside the browser."""
        return await self.sessions.media_headers()

    # -- the store ----------------------------------------------------------------------

    def _fresh_fetch(self, tag: str) -> datetime | None:
        if self.refresh:
            return None
        when = self.store.last_tag_fetch(tag, self.region)
        return when if when is not None and self._now() - when < FRESH_FOR else None

    async def _from_store(self, tag: str, when: datetime) -> AsyncIterator[SearchEvent]:
        yield TagProgress(tag, 0, "running")
        videos = tuple(await asyncio.to_thread(self.store.videos_with_any, [tag], self.region))
        if videos:
            yield VideosFound(tag, videos)
        self._answered_at[tag] = when
        yield TagProgress(tag, len(videos), "done", "from the store (fetched in the last 15 min)")

    # -- fetching -----------------------------------------------------------------------

    async def _fetch_all(self, api: Any, tags: list[str], emit: Callable[[Any], None]) -> None:
        try:
            async with asyncio.TaskGroup() as group:
                for tag in tags:
                    group.create_task(self._fetch_tag(api, tag, emit))
        finally:
            emit(_DONE)

    async def _fetch_tag(self, api: Any, tag: str, emit: Callable[[Any], None]) -> None:
        found: dict[str, Video] = {}
        skipped = 0
        problem: str | None = None
        try:
            detail = await self._request(api, CHALLENGE_DETAIL, {"challengeName": tag, "msToken": None})
            self._check(detail, f"#{tag}", not_found="TikTok has no such hashtag (or it is unavailable in your region)")
            challenge = challenge_id(detail)
            if challenge is None:
                raise TagFailure("TikTok has no such hashtag (or it is unavailable in your region)")
            cursor: Any = 0
            # Bounded even if TikTok keeps saying hasMore with the same cursor.
            for _ in range(self.per_tag // PAGE_SIZE + 3):
                page = await self._request(
                    api, CHALLENGE_ITEMS, {"challengeID": challenge, "count": PAGE_SIZE, "cursor": cursor}
                )
                self._check(page, f"#{tag}")
                parsed = parse_items(page.get("itemList"), found_under=tag)
                skipped += parsed.without_music + parsed.malformed
                new = []
                for video in parsed.videos:
                    if len(found) < self.per_tag and video.id not in found:
                        found[video.id] = video
                        new.append(video)
                if new:
                    emit(VideosFound(tag, tuple(new)))
                    emit(TagProgress(tag, len(found), "running"))
                next_cursor = page.get("cursor")
                if len(found) >= self.per_tag or not page.get("hasMore") or next_cursor in (None, "", cursor):
                    break
                cursor = next_cursor
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - one tag's failure must not end the others
            problem = describe(exc, anonymous=self.sessions.anonymous)
        when = self._now()
        if found and self.keep:
            try:
                await asyncio.to_thread(self._save, tag, list(found.values()), when, complete=problem is None)
            except Exception as exc:  # noqa: BLE001 - the results still count; say they were not kept
                problem = f"{problem + '; ' if problem else ''}not saved: {describe(exc)}"
        note = f"{skipped} item{'s' if skipped != 1 else ''} without music skipped" if skipped else ""
        if problem is not None:
            if found:
                problem = f"partial, {len(found)} videos: {problem}"
            emit(TagProgress(tag, len(found), "failed", problem))
        elif not found:
            emit(
                TagProgress(
                    tag, 0, "failed", "TikTok lists no videos for this hashtag" + (f" ({note})" if note else "")
                )
            )
        else:
            self._answered_at[tag] = when
            emit(TagProgress(tag, len(found), "done", note))

    def _save(self, tag: str, videos: list[Video], when: datetime, *, complete: bool) -> None:
        self.store.save_videos(videos, fetched_at=when, source=SOURCE_NAME, region=self.region)
        if complete:
            self.store.record_tag_fetch(
                tag, videos=len(videos), source=SOURCE_NAME, fetched_at=when, region=self.region
            )

    async def _request(self, api: Any, url: str, params: Mapping[str, Any]) -> dict:
        """One TikTok API call through the sessions, retried with backoff when it may pass next time."""
        slots = self.sessions.request_slots()
        if self.settings.region:
            # Over TikTokApi's fixed region=US and the page's language and time zone.
            params = {**region_of(self.settings.region).request_params(), **params}
        for attempt in range(MAX_RETRIES + 1):
            try:
                async with slots:
                    # retries=1: TikTokApi's own retry sleeps 2 s and 4 s and then raises a TypeError;
                    # ours below backs off with jitter and keeps the cause.
                    response = await asyncio.wait_for(
                        api.make_request(url=url, params=dict(params), retries=1), self.request_timeout_s
                    )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if attempt == MAX_RETRIES or not is_retryable(exc):
                    raise
                await asyncio.sleep(self.backoff_s * 2**attempt * random.uniform(0.5, 1.5))
                continue
            if not isinstance(response, dict):
                raise TagFailure("TikTok sent a response tiktune cannot read")
            return response
        raise AssertionError("unreachable")

    @staticmethod
    def _check(response: dict, what: str, not_found: str | None = None, key: str = "challengeInfo") -> None:
        """TikTok reports errors inside a 200 response; TikTokApi only logs them."""
        if looks_like_captcha(response):
            raise CaptchaError(what)
        code = status_code(response)
        if code == 0:
            return
        if not_found is not None and key not in response:
            raise TagFailure(f"{not_found} (TikTok status {code})")
        message = terminal_safe(status_message(response))[:120]
        raise TagFailure(f"TikTok refused the request (status {code}{': ' + message if message else ''})")
