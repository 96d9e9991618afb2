"""The shared argument checks (commands/args.py) and what they build for the engine."""

import argparse

import pytest

from tiktune_tui.commands import args as checks
from tiktune_tui.config import Settings
from tiktune_tui.core.models import Song
from tiktune_tui.core.query import Query
from tiktune_tui.core.weights import Weights
from tiktune_tui.errors import UsageError
from tiktune_tui.library.sources import SourceOptions


def recommend_args(**overrides):
    values = {
        "tags": ["#Fyp", "dance"],
        "limit": 5,
        "weights": None,
        "rank": "fit",
        "require_all": True,
        "source": None,
        "catalog": None,
        "data_dir": None,
        "per_tag": 60,
        "refresh": False,
    }
    return argparse.Namespace(**{**values, **overrides})


def test_a_query_is_built_whole_from_the_arguments():
    query = checks.query_from(recommend_args(), Settings(weights="share=10"))
    assert query == Query(
        ("fyp", "dance"),
        mode="fit",
        weights=Weights(share=10),
        require_all=True,
        limit=5,
    )
    assert checks.query_from(
        recommend_args(weights="play=3", limit=0), Settings(weights="share=10")
    ).weights == Weights(play=3)


@pytest.mark.parametrize("value, expected", [(0, None), (7, 7), (10**30, None)])
def test_limits(value, expected):
    assert checks.limit_of(value) == expected


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: checks.limit_of(-1), "--limit must be 0 or more"),
        (lambda: checks.tags_from(["a&b"]), 'invalid tag "a&b"'),
        (
            lambda: checks.one_tag("a b", "--related"),
            "--related takes one tag, got 'a b'",
        ),
        (
            lambda: checks.weights_from("plays=1", where="/c.toml"),
            "/c.toml: [ranking] bad weight 'plays=1'",
        ),
        (lambda: checks.mode_from("best"), "unknown ranking mode 'best'"),
        (lambda: checks.modes_from(["fit,best"]), "unknown ranking mode 'best'"),
        (
            lambda: checks.check_source(SourceOptions(kind="store", catalog="x.csv")),
            "--catalog goes with --source catalog",
        ),
    ],
)
def test_each_check_is_a_usage_error(call, message):
    with pytest.raises(UsageError) as error:
        call()
    assert message in str(error.value)


def test_modes_keep_the_order_given_without_repeats():
    assert checks.modes_from(["uses,FIT", "uses"]) == ("uses", "fit")
    assert checks.modes_from(None) == ("popular", "fit", "uses", "momentum", "rising")


def test_source_options_come_from_the_data_options():
    args = argparse.Namespace(source="store", catalog=None, data_dir="/d", per_tag=30, refresh=True)
    assert checks.source_options(args) == SourceOptions(kind="store", data_dir="/d", per_tag=30, refresh=True)


@pytest.mark.parametrize(
    "options, settings, label",
    [
        (SourceOptions(kind="catalog"), Settings(), "bundled catalog"),
        (SourceOptions(catalog="/some/where/mine.csv"), Settings(), "catalog mine.csv"),
        (SourceOptions(kind="store"), Settings(), "stored data"),
        (SourceOptions(kind="tiktok"), Settings(), "TikTok live"),
    ],
)
def test_a_source_names_itself(options, settings, label):
    assert options.label(settings) == label


def test_a_song_is_credited_one_way():
    assert Song("1", "Title", "Artist").credit == "Title — Artist"
    assert Song("1", "Title", "Artist").credit_parts == ("Title", " — Artist")
    assert Song("1", "", "").credit == "sound 1"
    assert Song("1", "Title").credit_parts == ("Title", "")
