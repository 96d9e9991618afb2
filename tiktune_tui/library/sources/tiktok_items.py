"""TikTok web-API JSON → core videos and songs. Pure: no TikTokApi, no I/O.

TikTok's item JSON changes shape over time and per endpoint, so every field is
optional here: a missing or odd value becomes "unknown", never an exception.
Counts come from `statsV2` (exact, as strings) when present, else from `stats`
(ints rounded to three significant figures on current items).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.core.tags import normalize_tag

# Our stat name → TikTok's key in both `stats` and `statsV2`.
_STAT_KEYS = {"play": "playCount", "digg": "diggCount", "comment": "commentCount", "share": "shareCount"}
_HASHTAG_TEXT = 1  # textExtra type: 1 is a hashtag, 0 an @mention


@dataclass
class ParsedPage:
    videos: list[Video]
    without_music: int = 0
    malformed: int = 0


def status_code(response: Mapping[str, Any]) -> int:
    """TikTok's own error code: 0 means success. Either spelling may be present."""
    for key in ("statusCode", "status_code"):
        value = response.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                continue
    return 0


def status_message(response: Mapping[str, Any]) -> str:
    for key in ("status_msg", "statusMsg", "message"):
        value = response.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _count(value: Any) -> int | None:
    """A non-negative count from an int or a digit string; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value.strip())
    return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _id(value: Any) -> str:
    """TikTok ids are digit strings (older data: ints); anything else is no id."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    text = _text(value)
    return text if text.isdigit() and text.isascii() else ""


def _url(value: Any) -> str | None:
    text = _text(value)
    return text if text.startswith(("https://", "http://")) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_stats(item: Mapping[str, Any]) -> Stats:
    """Exact `statsV2` strings first, `stats` ints for what they lack, 0 when neither has it."""
    exact = _mapping(item.get("statsV2"))
    rounded = _mapping(item.get("stats"))
    values = {}
    for name, key in _STAT_KEYS.items():
        value = _count(exact.get(key))
        if value is None:
            value = _count(rounded.get(key))
        values[name] = value or 0
    return Stats(**values)


def parse_hashtags(item: Mapping[str, Any]) -> tuple[str, ...]:
    """Hashtags from `textExtra` (type 1) and `challenges`, normalised, first-seen order."""
    names: list[str] = []
    extras = item.get("textExtra")
    if not isinstance(extras, list):
        contents = item.get("contents")
        first = contents[0] if isinstance(contents, list) and contents else {}
        extras = _mapping(first).get("textExtra")
    for extra in extras if isinstance(extras, list) else ():
        extra = _mapping(extra)
        if extra.get("type") == _HASHTAG_TEXT:
            names.append(_text(extra.get("hashtagName")))
    challenges = item.get("challenges")
    for challenge in challenges if isinstance(challenges, list) else ():
        names.append(_text(_mapping(challenge).get("title")))
    return _unique_tags(names)


def _unique_tags(names: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in names:
        tag = normalize_tag(name)
        # A tag with whitespace cannot come from a real hashtag; it would also break the store's
        # space-joined hashtag lists.
        if tag and not any(ch.isspace() for ch in tag):
            seen.setdefault(tag, None)
    return tuple(seen)


def parse_music(music: Any) -> Song | None:
    """The `music` object of an item (or of /api/music/detail/); None without an id."""
    music = _mapping(music)
    music_id = _id(music.get("id"))
    if not music_id:
        return None
    original = music.get("original")
    cover = next((url for key in ("coverMedium", "coverLarge", "coverThumb") if (url := _url(music.get(key)))), None)
    duration = _count(music.get("duration"))
    return Song(
        id=music_id,
        title=_text(music.get("title")),
        author=_text(music.get("authorName")),
        duration_s=duration or None,
        play_url=_url(music.get("playUrl")),
        cover_url=cover,
        original=original if isinstance(original, bool) else None,
    )


def _create_time(value: Any) -> datetime | None:
    seconds = _count(value)
    if not seconds:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_item(item: Any, found_under: str | None = None) -> Video | None:
    """One `itemList` entry as a Video, or None when it has no id or no music.

    `found_under` is the tag whose feed listed the item: TikTok files it under that
    hashtag even when the caption lost it, so the video carries it too.
    """
    item = _mapping(item)
    video_id = _id(item.get("id"))
    song = parse_music(item.get("music"))
    if not video_id or song is None:
        return None
    hashtags = parse_hashtags(item)
    if found_under:
        hashtags = _unique_tags((*hashtags, found_under))
    author = _mapping(item.get("author"))
    return Video(
        id=video_id,
        song=song,
        hashtags=hashtags,
        stats=parse_stats(item),
        create_time=_create_time(item.get("createTime")),
        author=_text(author.get("uniqueId")) or _text(author.get("nickname")),
        description=_text(item.get("desc")),
    )


def parse_items(items: Any, found_under: str | None = None) -> ParsedPage:
    """A page's `itemList`: the videos, and how many items were skipped and why."""
    page = ParsedPage(videos=[])
    for item in items if isinstance(items, list) else ():
        video = parse_item(item, found_under)
        if video is not None:
            page.videos.append(video)
        elif _id(_mapping(item).get("id")):
            page.without_music += 1
        else:
            page.malformed += 1
    return page


def parse_music_detail(response: Mapping[str, Any]) -> Song | None:
    """The song in a /api/music/detail/ response (`musicInfo.music`), if any."""
    info = _mapping(response.get("musicInfo"))
    return parse_music(info.get("music"))


def music_video_count(response: Mapping[str, Any]) -> int | None:
    """How many videos use the sound on all of TikTok, from a /api/music/detail/ response:
    `musicInfo.statsV2.videoCount` (exact, a string) or `musicInfo.stats.videoCount` (an int)."""
    info = _mapping(response.get("musicInfo"))
    exact = _count(_mapping(info.get("statsV2")).get("videoCount"))
    return exact if exact is not None else _count(_mapping(info.get("stats")).get("videoCount"))


def challenge_id(response: Mapping[str, Any]) -> str | None:
    """The challenge id in a /api/challenge/detail/ response, if the tag exists."""
    challenge = _mapping(_mapping(response.get("challengeInfo")).get("challenge"))
    return _id(challenge.get("id")) or None
