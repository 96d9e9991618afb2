import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.factories import video
from tiktune_tui.core.models import Stats
from tiktune_tui.core.modes import rank
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights, WeightsError


def test_video_score_is_the_formula_users_know():
    assert DEFAULT_WEIGHTS.score(Stats(play=1000, digg=100, comment=10, share=1)) == 1000 + 200 + 30 + 4


def test_song_score_sums_distinct_matching_videos():
    videos = [
        video("1", "A", "cooking diy", play=100),  # found under both tags: counts once
        video("2", "A", "cooking", play=50),
        video("1", "A", "cooking diy", play=100),  # the same video again (another feed page)
        video("3", "B", "diy", play=120),
        video("4", "C", "gaming", play=10_000),  # no query tag: ignored
    ]
    rows = rank(videos, ["cooking", "diy"])
    assert [(r.song.id, r.score, r.videos, r.matched_tags) for r in rows] == [
        ("A", 150, 2, ("cooking", "diy")),
        ("B", 120, 1, ("diy",)),
    ]
    assert [r.rank for r in rows] == [1, 2]
    assert rows[0].stats == Stats(play=150)


def test_ties_break_on_matched_tags_then_song_id():
    videos = [
        video("1", "Z", "a", play=10),
        video("2", "Y", "a", play=10),
        video("3", "X", "a", play=5),
        video("4", "X", "b", play=5),
    ]
    assert [r.song.id for r in rank(videos, ["a", "b"])] == ["X", "Y", "Z"]


def test_require_all_keeps_songs_matched_by_every_tag_across_their_videos():
    videos = [video("1", "A", "a", play=1), video("2", "A", "b", play=1), video("3", "B", "a", play=99)]
    assert [r.song.id for r in rank(videos, ["a", "b"], require_all=True)] == ["A"]


def test_weights_change_the_order_and_the_breakdown_adds_up():
    videos = [video("1", "plays", "t", play=100), video("2", "shares", "t", share=30)]
    assert rank(videos, ["t"])[0].song.id == "shares"  # 4*30 = 120 > 100
    weights = Weights.parse("share=1")
    top = rank(videos, ["t"], weights=weights)[0]
    assert top.song.id == "plays"
    assert sum(top.breakdown(weights).values()) == top.score


def test_counts_are_unbounded_ints():
    huge = 10**30
    rows = rank([video("1", "A", "t", play=huge), video("2", "A", "t", play=huge)], ["t"])
    assert rows[0].score == 2 * huge


@pytest.mark.parametrize("text", ["play", "plays=1", "digg=x", "share=-1", "play=1.5", "play=99999999999999999999"])
def test_bad_weights_say_what_is_wrong(text):
    with pytest.raises(WeightsError, match="bad weight"):
        Weights.parse(text)


def test_weights_parse_defaults_and_overrides():
    assert Weights.parse("") == DEFAULT_WEIGHTS
    assert Weights.parse(" PLAY=2 , share=0") == Weights(play=2, digg=2, comment=3, share=0)


stats = st.integers(min_value=0, max_value=10**12)
videos_strategy = st.lists(
    st.builds(
        lambda vid, song, tags, p, d, c, s: video(str(vid), song, " ".join(tags), p, d, c, s),
        st.integers(0, 30),
        st.sampled_from("ABCDEF"),
        st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=3, unique=True),
        stats,
        stats,
        stats,
        stats,
    ),
    max_size=40,
)


@given(videos_strategy, st.lists(st.sampled_from(["a", "b", "c", "x"]), min_size=1, max_size=3, unique=True))
def test_ranking_properties(videos, tags):
    rows = rank(videos, tags)
    first_match = {}
    for v in videos:
        if set(v.hashtags) & set(tags):
            first_match.setdefault(v.id, v)
    matching = list(first_match.values())
    assert sum(r.videos for r in rows) == len(matching)
    assert sum(r.score for r in rows) == sum(DEFAULT_WEIGHTS.score(v.stats) for v in matching)
    keys = [(-r.score, -len(r.matched_tags), r.song.id) for r in rows]
    assert keys == sorted(keys)
    for r in rows:
        assert r.score == DEFAULT_WEIGHTS.score(r.stats)
        assert set(r.matched_tags) <= set(tags)
    assert rank(videos, tags, limit=2) == rows[:2]
