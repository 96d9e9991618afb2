"""The evaluation counts cases and hits exactly as the issue defines them."""

from __future__ import annotations

import json

import pytest

from tiktune_tui.core.evaluation import cross_validate, evaluate, folds
from tiktune_tui.core.models import Song, Stats, Video

A, B, C = Song("1", "A"), Song("2", "B"), Song("3", "C")


def video(vid, song, tags, plays=1):
    return Video(str(vid), song, tuple(tags), Stats(play=plays))


TRAIN = [
    video(1, A, ("cats",), 1000),
    video(2, B, ("cats", "funny"), 10),
    video(3, B, ("funny",), 10),
    video(4, C, ("dogs",), 5),
]
HOLDOUT = [
    video(10, B, ("cats",)),  # case: popular ranks A first (B second); uses ties 1:1, popularity puts A first
    video(11, C, ("dogs", "new")),  # case: only C matches #dogs: a hit at 1 everywhere
    video(12, A, ()),  # not a case: no hashtag
    video(13, Song("9"), ("cats",)),  # not a case: its song is not in the training data
    video(14, A, ("unseen",)),  # a case nobody can hit: no training video carries #unseen
]


def test_cases_and_hits_follow_the_definition():
    report = evaluate(TRAIN, HOLDOUT, ["popular", "uses", "fit"], [1, 2, 10])
    assert report.cases == 3 and report.reachable == 2  # nothing in training carries #unseen
    assert report.hits["popular"] == {1: 1, 2: 2, 10: 2}
    assert report.hits["uses"] == {1: 1, 2: 2, 10: 2}
    assert report.hr("popular", 1) == pytest.approx(1 / 3)
    as_json = report.as_dict()
    assert (
        as_json["cases"] == 3
        and as_json["reachable"] == 2
        and as_json["modes"]["popular"]["hr"] == {"1": 0.3333, "2": 0.6667, "10": 0.6667}
    )


def test_fit_finds_the_song_the_rare_tag_points_to():
    train = TRAIN + [video(20 + i, A, ("fyp",), 10**6) for i in range(30)] + [video(5, B, ("ramen", "fyp"), 1)]
    report = evaluate(train, [video(99, B, ("ramen", "fyp"))], ["popular", "fit"], [1])
    assert report.cases == 1 and report.hits == {"popular": {1: 0}, "fit": {1: 1}}


def test_folds_split_by_video_with_a_fixed_seed():
    videos = [video(i, A, ("x",)) for i in range(23)]
    splits = folds(videos, 5)
    assert splits == folds(videos, 5)
    held = [v.id for _, test in splits for v in test]
    assert sorted(held, key=int) == [v.id for v in videos]
    for train, test in splits:
        assert not {v.id for v in train} & {v.id for v in test} and len(train) + len(test) == 23


def test_cross_validation_sums_the_folds_and_workers_agree():
    videos = TRAIN + HOLDOUT + [video(40 + i, [A, B, C][i % 3], (["cats", "dogs", "funny"][i % 3],)) for i in range(30)]
    serial = cross_validate(videos, 3, ks=[1, 10])
    parallel = cross_validate(videos, 3, ks=[1, 10], workers=2)
    assert serial.as_dict() == parallel.as_dict()
    assert serial.reachable == sum(evaluate(tr, te, ks=[1, 10]).reachable for tr, te in folds(videos, 3))
    assert serial.cases == sum(evaluate(tr, te, ks=[1, 10]).cases for tr, te in folds(videos, 3))


def test_empty_inputs_give_zero_cases():
    assert evaluate([], HOLDOUT).cases == 0 and evaluate(TRAIN, []).hr("fit", 10) == 0.0


def write_csv(path, videos):
    lines = [
        "video_id,hashtags,music_id,music_title,music_author,play_count,digg_count,comment_count,share_count,create_time"
    ]
    lines += [f"{v.id},{' '.join(v.hashtags)},{v.song.id},{v.song.title},,{v.stats.play},0,0,0," for v in videos]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_eval_command_on_csv_files(tmp_path, capsys):
    from tiktune_tui.cli import main

    write_csv(tmp_path / "train.csv", TRAIN)
    write_csv(tmp_path / "test.csv", HOLDOUT)
    args = ["eval", "--catalog", str(tmp_path / "train.csv"), "--holdout", str(tmp_path / "test.csv")]
    assert main([*args, "--k", "1,2", "--rank", "popular", "uses", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cases"] == 3 and set(out["modes"]) == {"popular", "uses"}
    assert out["modes"]["popular"]["hr"] == {"1": 0.3333, "2": 0.6667}
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "3 cases, 2 reachable (66.7%" in text and "| fit |" in text and "HR@50" in text
    assert main([*args, "--rank", "nope"]) == 2
    assert main([*args, "--folds", "3"]) == 2  # one or the other
    # Neither: 5-fold cross-validation of the catalog given.
    assert main(["eval", "--catalog", str(tmp_path / "train.csv"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cases"] >= 0
    assert main([*args, "--k", "0"]) == 2
