"""Ranking modes on hand-made catalogs where the right answer is obvious."""

from __future__ import annotations

import sqlite3  # noqa: F401  (the store test below uses the real SQLite through Store)
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiktune_tui.core.models import Song, Stats, Video
from tiktune_tui.core.modes import MODE_NAMES, Corpus, ModeError, check_mode, next_mode, rank
from tiktune_tui.core.results import explain_text

NOW = datetime(2025, 6, 1, tzinfo=UTC)
VIRAL = Song("1", "Viral Hit")
NICHE = Song("2", "Slow Pasta Song")
OTHER = Song("3", "Other")


def video(vid, song, tags, plays, *, days_old=10):
    return Video(str(vid), song, tuple(tags), Stats(play=plays), create_time=NOW - timedelta(days=days_old))


def background(n=200):
    """Filler videos that make #fyp common and #pastamaking rare in the corpus."""
    return [video(1000 + i, OTHER, ("fyp",), 10) for i in range(n)]


def test_niche_song_that_fits_beats_viral_unrelated_one_in_fit_not_in_popular():
    videos = [
        video(1, VIRAL, ("fyp",), 50_000_000),
        video(2, NICHE, ("pastamaking", "fyp"), 20_000),
        video(3, NICHE, ("pastamaking",), 15_000),
    ] + background()
    corpus = Corpus.from_videos(videos)
    query = ["pastamaking", "fyp"]
    matching = [v for v in videos if set(v.hashtags) & set(query)]
    assert rank(matching, query, "popular", corpus=corpus)[0].song == VIRAL
    fit = rank(matching, query, "fit", corpus=corpus)
    assert fit[0].song == NICHE
    explanation = fit[0].explanation
    assert {t.tag for t in explanation.tags} == {"pastamaking", "fyp"}
    rare, common = (next(t for t in explanation.tags if t.tag == name) for name in ("pastamaking", "fyp"))
    assert rare.weight > common.weight and rare.videos == 2 and common.videos == 1
    assert explanation.score == pytest.approx(
        sum(t.points for t in explanation.tags) + explanation.popularity + dict(explanation.terms)["song_prior"]
    )
    assert "#pastamaking" in explain_text(fit[0]) and fit[0].as_dict()["explain"]["mode"] == "fit"


def test_uses_counts_matching_videos_and_breaks_ties_by_popularity():
    videos = [
        video(1, VIRAL, ("dance",), 9_000_000),
        video(2, NICHE, ("dance",), 10),
        video(3, NICHE, ("dance",), 10),
        video(4, OTHER, ("dance",), 5),
        video(5, OTHER, ("dance",), 6),
    ]
    rows = rank(videos, ["dance"], "uses")
    assert [r.song for r in rows] == [NICHE, OTHER, VIRAL]
    assert [r.score for r in rows] == [2, 2, 1]


def test_momentum_prefers_fast_risers_over_old_giants():
    videos = [
        video(1, VIRAL, ("dance",), 10_000_000, days_old=1000),  # 10k a day
        video(2, NICHE, ("dance",), 100_000, days_old=2),  # 50k a day
    ]
    corpus = Corpus.from_videos(videos, now=NOW)
    assert [r.song for r in rank(videos, ["dance"], "popular", corpus=corpus)] == [VIRAL, NICHE]
    rows = rank(videos, ["dance"], "momentum", corpus=corpus)
    assert [r.song for r in rows] == [NICHE, VIRAL]
    assert rows[0].score == pytest.approx(50_000)


def test_momentum_uses_snapshot_growth_where_known():
    videos = [video(1, VIRAL, ("dance",), 10_000_000, days_old=1), video(2, NICHE, ("dance",), 10, days_old=1)]
    corpus = Corpus.from_videos(videos, now=NOW, growth={"1": 0.0, "2": 5_000.0})
    rows = rank(videos, ["dance"], "momentum", corpus=corpus)
    assert rows[0].song == NICHE and "between snapshots" in explain_text(rows[0])


def seed_formula(videos, tags):
    """The popular ranking spelled out the slow way: per song, the formula summed over its
    distinct videos carrying a query tag; score, then matched tags, then song id."""
    by_song = {}
    for video in {v.id: v for v in videos if set(v.hashtags) & set(tags)}.values():
        score, matched, count = by_song.get(video.song.id, (0, set(), 0))
        s = video.stats
        by_song[video.song.id] = (
            score + s.play + 2 * s.digg + 3 * s.comment + 4 * s.share,
            matched | (set(video.hashtags) & set(tags)),
            count + 1,
        )
    rows = [
        (song, score, tuple(t for t in tags if t in matched), count)
        for song, (score, matched, count) in by_song.items()
    ]
    return sorted(rows, key=lambda r: (-r[1], -len(r[2]), r[0]))


def test_popular_mode_is_the_seed_formula_row_for_row():
    from tiktune_tui.library.catalog import load_catalog

    catalog = load_catalog()
    for query in (["fyp", "xuhuong", "viral"], ["dance"], ["capcut", "trend"]):
        videos = list(catalog.videos_with_any(query))
        got = rank(videos, query, "popular", limit=50)
        assert [(r.song.id, r.score, r.matched_tags, r.videos) for r in got] == seed_formula(videos, query)[:50]


def test_require_all_and_limit_apply_in_every_mode():
    videos = [video(1, VIRAL, ("a",), 100), video(2, NICHE, ("a", "b"), 1), video(3, OTHER, ("b",), 5)]
    for mode in MODE_NAMES:
        rows = rank(videos, ["a", "b"], mode, require_all=True, corpus=Corpus.from_videos(videos, now=NOW))
        assert [r.song for r in rows] == [NICHE]
        assert len(rank(videos, ["a", "b"], mode, limit=2)) == 2


def test_related_tags_add_candidates_to_fit_only():
    videos = [video(1, VIRAL, ("pasta",), 100), video(2, NICHE, ("spaghetti",), 100)]
    corpus = Corpus.from_videos(videos).with_related({"spaghetti": 0.5})
    fit = rank(videos, ["pasta"], "fit", corpus=corpus)
    assert [r.song for r in fit] == [VIRAL, NICHE]
    assert fit[1].explanation.tags[0].related and fit[1].videos == 0
    assert [r.song for r in rank(videos, ["pasta"], "popular", corpus=corpus)] == [VIRAL]


def test_mode_names_are_checked_and_cycle():
    assert check_mode(" Fit ") == "fit"
    with pytest.raises(ModeError, match="popular, fit, uses, momentum, rising"):
        check_mode("random")
    assert [next_mode(m) for m in MODE_NAMES] == ["fit", "uses", "momentum", "rising", "popular"]


def test_recommend_cli_ranks_by_mode_and_explains(capsys):
    from tiktune_tui.cli import main

    assert main(["recommend", "dance", "--source", "catalog", "--rank", "fit", "--limit", "2", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "ranked by fit" in out and "fit " in out and "#dance" in out
    assert main(["recommend", "dance", "--rank", "best"]) == 2


tags_strategy = st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=3), min_size=0, max_size=4, unique=True)


@st.composite
def catalogs(draw):
    count = draw(st.integers(0, 12))
    return [
        Video(
            str(i),
            Song(str(draw(st.integers(1, 4)))),
            tuple(draw(tags_strategy)),
            Stats(*(draw(st.integers(0, 10**6)) for _ in range(4))),
            create_time=draw(st.one_of(st.none(), st.just(NOW - timedelta(days=i)))),
        )
        for i in range(count)
    ]


@settings(max_examples=150, deadline=None)
@given(videos=catalogs(), query=tags_strategy.filter(bool), mode=st.sampled_from(MODE_NAMES), with_corpus=st.booleans())
def test_modes_never_crash_and_rank_only_matching_songs(videos, query, mode, with_corpus):
    corpus = Corpus.from_videos(videos) if with_corpus else None
    rows = rank(videos, query + ["unknowntag"], mode, corpus=corpus)
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    expected = {v.song.id for v in videos if set(v.hashtags) & set(query)}
    assert {r.song.id for r in rows} == expected
    for row in rows:
        assert isinstance(explain_text(row), str) and row.as_dict()["mode"] == mode
    assert rank([], query, mode, corpus=Corpus()) == []


def test_the_fit_explanation_adds_up():
    import re

    from tiktune_tui.library.catalog import load_catalog
    from tiktune_tui.library.recommend import catalog_corpus

    catalog = load_catalog()
    query = ["viral", "dance", "fyp"]
    for row in rank(list(catalog.videos_with_any(query)), query, "fit", corpus=catalog_corpus(catalog), limit=20):
        text = explain_text(row)
        parts = re.findall(r"#\S+ ([\d.]+) \(([\d.]+) × ([\d.]+) for (\d+) videos?\)", text)
        assert len(parts) == len(row.matched_tags), text
        for points, weight, factor, _videos in parts:
            assert float(points) == pytest.approx(float(weight) * float(factor), abs=0.1), text
        total = sum(float(p) for p, *_ in parts) + sum(
            float(x) for x in re.findall(r"(?:prior|popularity) ([\d.]+)", text)
        )
        assert total == pytest.approx(row.score, abs=0.2), text
