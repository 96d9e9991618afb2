"""TikTok item JSON → core videos and songs, on the recorded-shape fixtures and on broken items."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.tiktok_fakes import fixture
from tiktune_tui.core.models import Stats
from tiktune_tui.library.sources.tiktok_items import (
    challenge_id,
    parse_item,
    parse_items,
    parse_music_detail,
    parse_stats,
    status_code,
)


@pytest.fixture(scope="module")
def raw_items() -> list[dict]:
    return [
        item
        for page in ("challenge_item_list_cooking_page1.json", "challenge_item_list_cooking_page2.json")
        for item in json.loads(fixture(page))["itemList"]
    ]


def by_id(items: list[dict], video_id: str) -> dict:
    return next(item for item in items if item["id"] == video_id)


def test_fixture_pages_aggregate_per_song_as_the_readme_says(raw_items):
    page = parse_items(raw_items, found_under="cooking")
    assert (len(page.videos), page.without_music, page.malformed) == (60, 0, 0)
    unique = {video.id: video for video in page.videos}
    assert len(unique) == 59
    uses: Counter[str] = Counter()
    plays: defaultdict[str, int] = defaultdict(int)
    for video in unique.values():
        uses[video.song.id] += 1
        plays[video.song.id] += video.stats.play
    assert len(uses) == 23
    expected = {
        "9991000000000000001": (12, 586494),
        "9991000000000000002": (9, 10928107),
        "9991000000000000003": (7, 1227782),
        "9991000000000000004": (5, 355995),
        "9991000000000000005": (4, 99527),
        "9991000000000000006": (3, 1172534),
        "9991200000000000004": (3, 74046),
    }
    assert {song: (uses[song], plays[song]) for song in expected} == expected


def test_song_fields_come_from_the_music_object(raw_items):
    songs = {video.song.id: video.song for video in parse_items(raw_items).videos}
    groove = songs["9991000000000000001"]
    assert (groove.title, groove.author, groove.original) == ("Kitchen Groove", "Synthetic Artist A", False)
    assert groove.duration_s and groove.duration_s > 0
    assert groove.play_url and "mime_type=audio_mpeg" in groove.play_url
    assert groove.cover_url and "720:720" in groove.cover_url  # the medium cover
    assert songs["9991000000000000005"].play_url is None  # "Sunday Brunch" has no playUrl
    assert songs["9991000000000000003"].play_url.endswith(".mp3")
    original = songs["9991200000000000004"]
    assert (original.title, original.author, original.original) == (
        "original sound - chef_synth_04",
        "Synthetic Chef 04",
        True,
    )


def test_stats_prefer_the_exact_statsv2_strings(raw_items):
    item = by_id(raw_items, "9990000000000000001")
    assert item["stats"]["playCount"] == 44000 and item["statsV2"]["playCount"] == "43974"
    assert parse_stats(item) == Stats(play=43974, digg=4093, comment=104, share=76)


def test_stats_fall_back_to_the_rounded_ints_without_statsv2(raw_items):
    old = by_id(raw_items, "9990000000000000041")
    assert "statsV2" not in old
    assert parse_stats(old) == Stats(play=491000, digg=43000, comment=1020, share=1670)


def test_stats_fall_back_field_by_field_and_never_crash():
    item = {"statsV2": {"playCount": "12", "diggCount": "n/a"}, "stats": {"diggCount": 5, "shareCount": -3}}
    assert parse_stats(item) == Stats(play=12, digg=5, comment=0, share=0)
    assert parse_stats({"stats": "garbage", "statsV2": None}) == Stats()


def test_hashtags_from_text_extra_and_challenges_without_mentions(raw_items):
    videos = parse_items(raw_items).videos
    counts = Counter(tag for video in videos for tag in video.hashtags)
    assert counts["cooking"] == 59  # one of the 60 items has no hashtags at all
    assert "" not in counts
    mentions = [v for v in raw_items if any(e.get("type") == 0 for e in v.get("textExtra", []))]
    assert len(mentions) == 5
    bare = parse_item(by_id(raw_items, "9990000000000000018"))
    assert bare.hashtags == ()
    # TikTok listed it under #cooking, so it counts for #cooking.
    assert parse_item(by_id(raw_items, "9990000000000000018"), found_under="cooking").hashtags == ("cooking",)


def test_hashtags_are_normalised_and_unique():
    item = {
        "id": "1",
        "music": {"id": "2"},
        "textExtra": [
            {"type": 1, "hashtagName": "Cooking"},
            {"type": 0, "hashtagName": "", "userUniqueId": "someone"},
            {"type": 1, "hashtagName": "two words"},
        ],
        "challenges": [{"title": "COOKING"}, {"title": "Straße"}, "junk", {"title": None}],
    }
    assert parse_item(item).hashtags == ("cooking", "strasse")


def test_items_without_music_are_skipped_and_counted():
    items = [
        {"id": "1", "music": {"id": "10", "title": "A"}},
        {"id": "2"},
        {"id": "3", "music": {"title": "no id"}},
        {"music": {"id": "10"}},
        "not an item",
        None,
    ]
    page = parse_items(items)
    assert [v.id for v in page.videos] == ["1"]
    assert (page.without_music, page.malformed) == (2, 3)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4),
        max_leaves=20,
    )
)
def test_missing_or_odd_fields_never_crash(value):
    items = [
        value,
        {
            "id": "1",
            "music": value,
            "stats": value,
            "statsV2": value,
            "author": value,
            "createTime": value,
            "textExtra": value,
            "challenges": value,
            "desc": value,
        },
    ]
    page = parse_items(items)
    assert page.without_music + page.malformed + len(page.videos) == 2


def test_create_time_is_utc_and_ids_may_be_ints():
    video = parse_item({"id": 7, "music": {"id": 9, "duration": "30"}, "createTime": "1759901873"})
    assert video.id == "7" and video.song.id == "9" and video.song.duration_s == 30
    assert video.create_time == datetime.fromtimestamp(1759901873, tz=UTC)
    assert parse_item({"id": "7", "music": {"id": "9"}, "createTime": 10**30}).create_time is None


def test_status_codes_and_detail_responses():
    assert status_code(json.loads(fixture("challenge_item_list_error_status.json"))) == 10201
    assert status_code(json.loads(fixture("challenge_item_list_cooking_page1.json"))) == 0
    assert status_code({"status_code": "7"}) == 7
    assert status_code({}) == 0
    assert challenge_id(json.loads(fixture("challenge_detail_cooking.json"))) == "9990000000000001"
    assert challenge_id(json.loads(fixture("challenge_detail_not_found.json"))) is None
    song = parse_music_detail({"musicInfo": {"music": {"id": "5", "title": "T", "playUrl": "https://x/y.mp3"}}})
    assert (song.id, song.title, song.play_url) == ("5", "T", "https://x/y.mp3")
    assert parse_music_detail({"statusCode": 10203}) is None


def test_a_live_item_in_a_page_is_skipped_and_counted_and_a_removed_sound_has_no_link():
    from tiktune_tui.library.sources.tiktok_items import parse_items as parse_page

    live = {
        "id": "7300000000000000001",
        "liveRoomInfo": {"roomId": "1", "title": "LIVE now"},
        "author": {"uniqueId": "x"},
    }
    live_with_empty_music = {"id": "7300000000000000002", "music": {}, "author": {"uniqueId": "y"}}
    removed = {"id": "7300000000000000003", "music": {"id": "55", "title": "gone"}, "author": {"uniqueId": "z"}}
    page = parse_page([live, live_with_empty_music, removed], found_under="fyp")
    assert page.without_music == 2 and page.malformed == 0
    assert [v.id for v in page.videos] == ["7300000000000000003"] and page.videos[0].song.play_url is None
