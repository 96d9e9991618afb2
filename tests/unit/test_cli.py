"""The CLI end to end, through the installed console script."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.factories import video, write_catalog

TIKTUNE = shutil.which("tiktune", path=str(Path(sys.executable).parent)) or "tiktune"


def tiktune(*args, env=None):
    return subprocess.run(
        [TIKTUNE, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


@pytest.fixture
def small_catalog(tmp_path):
    return write_catalog(
        tmp_path / "small.csv",
        [
            video("1", "100", "cooking diy", play=1000, title="[bold red]x[/] \x1b[31mred", author="Ann"),
            video("2", "100", "cooking", play=10),
            video("3", "200", "diy", play=5000, share=10, title="Big", author="Bob"),
            video("4", "300", "gaming", play=10**9),
        ],
    )


def test_version():
    result = tiktune("--version")
    assert result.returncode == 0 and result.stdout.startswith("tiktune ")


def test_help_has_examples():
    result = tiktune("--help")
    assert result.returncode == 0
    assert "tiktune recommend cooking --json" in result.stdout
    assert "--weights" in tiktune("recommend", "--help").stdout
    # The app has no subcommand of its own: the top help names every option it takes.
    from tiktune_tui.cli import build_app_parser

    options = {o for action in build_app_parser()._actions for o in action.option_strings if o.startswith("--")}
    missing = {o for o in options - {"--help", "--version", "--debug"} if o not in result.stdout}
    assert not missing, missing


def test_recommend_json_on_a_user_catalog(small_catalog):
    result = tiktune("recommend", "#Cooking,", "DIY", "--catalog", str(small_catalog), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["rank"], r["music_id"], r["score"], r["videos"], r["matched_tags"]) for r in rows] == [
        (1, "200", 5040, 1, ["diy"]),
        (2, "100", 1010, 2, ["cooking", "diy"]),
    ]
    assert set(rows[0]) >= {
        "rank",
        "music_id",
        "title",
        "author",
        "score",
        "play_count",
        "digg_count",
        "comment_count",
        "share_count",
        "videos",
        "matched_tags",
    }


def test_recommend_all_limit_weights_and_csv(small_catalog):
    result = tiktune("recommend", "cooking", "diy", "--all", "--catalog", str(small_catalog), "--csv")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("rank,music_id,title") and len(lines) == 2 and ",cooking diy" in lines[1]
    result = tiktune(
        "recommend",
        "cooking",
        "diy",
        "--weights",
        "play=1,share=0",
        "--limit",
        "1",
        "--catalog",
        str(small_catalog),
        "--json",
    )
    assert [r["music_id"] for r in json.loads(result.stdout)] == ["200"]


def test_table_output_shows_untrusted_text_literally(small_catalog):
    result = tiktune("recommend", "cooking", "--catalog", str(small_catalog))
    assert result.returncode == 0
    assert "[bold red]x[/]" in result.stdout
    assert "\x1b" not in result.stdout and "\\x1b[31mred" in result.stdout
    assert result.stdout.startswith("catalog small.csv: 1 song for #cooking")


def test_recommend_on_the_bundled_catalog_by_default():
    result = tiktune("recommend", "fyp", "--json", "--limit", "3")
    assert result.returncode == 0
    assert [r["rank"] for r in json.loads(result.stdout)] == [1, 2, 3]


@pytest.mark.parametrize(
    "args, header",
    [
        (["fyp", "--limit", "2"], "bundled catalog: top 2 of 2,244 songs for #fyp"),
        (["fyp"], "bundled catalog: top 20 of 2,244 songs for #fyp"),
        (["fyp", "--limit", "0"], "bundled catalog: 2,244 songs for #fyp"),
        (
            ["fyp", "viral", "--all", "--limit", "3", "--rank", "fit"],
            "bundled catalog: top 3 of 681 songs for #fyp #viral, ranked by fit",
        ),
        (["จองกุก"], "bundled catalog: 1 song for #จองกุก"),
        (["nosuchtagatall"], "bundled catalog: 0 songs for #nosuchtagatall"),
    ],
)
def test_recommend_header_counts_every_matching_song(capsys, args, header):
    from tiktune_tui.cli import main

    assert main(["recommend", *args]) == 0
    assert capsys.readouterr().out.splitlines()[0] == header


def test_recommend_header_counts_the_store_songs_past_the_limit(tmp_path, capsys):
    from tiktune_tui.cli import main
    from tiktune_tui.library.store import Store

    data = tmp_path / "data"
    with Store(data / "tiktune.sqlite3") as store:
        store.save_videos(
            [video("1", "100", "t u", play=3), video("2", "200", "t", play=9), video("3", "300", "t", play=1)]
        )
    store_args = ["--source", "store", "--data-dir", str(data)]
    assert main(["recommend", "t", "--limit", "1", *store_args]) == 0
    assert ": top 1 of 3 songs for #t\n" in capsys.readouterr().out
    assert main(["recommend", "t", "u", "--all", *store_args]) == 0
    assert ": 1 song for #t #u\n" in capsys.readouterr().out
    assert main(["recommend", "t", "--limit", "1", "--json", *store_args]) == 0
    assert [r["music_id"] for r in json.loads(capsys.readouterr().out)] == ["200"]


def test_recommend_from_the_store(tmp_path):
    from tiktune_tui.library.store import Store

    data = tmp_path / "data"
    with Store(data / "tiktune.sqlite3") as store:
        store.save_videos([video("1", "A", "t", play=3), video("2", "B", "t", play=9)])
    result = tiktune("recommend", "t", "--source", "store", "--data-dir", str(data), "--json")
    assert result.returncode == 0, result.stderr
    assert [r["music_id"] for r in json.loads(result.stdout)] == ["B", "A"]


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["recommend", "rock&roll"], 2, 'invalid tag "rock&roll"'),
        (["recommend", "a", "--weights", "plays=2"], 2, "bad weight"),
        (["recommend", "a", "--limit", "-1"], 2, "--limit must be 0 or more"),
        (["recommend", "a", "--catalog", "/nonexistent.csv"], 1, "/nonexistent.csv: no such file"),
        (["recommend"], 2, "required: TAG"),
        (["recommend", "a", "--json", "--csv"], 2, "not allowed with"),
    ],
)
def test_errors_are_one_line_with_the_right_status(args, status, message):
    result = tiktune(*args)
    assert result.returncode == status
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tiktune: error: ")
    assert "Traceback" not in result.stderr


def test_bad_catalog_line_is_named_and_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "video_id,hashtags,music_id,music_title,music_author,play_count,digg_count,comment_count,"
        "share_count,create_time\n1,a,2,t,a,many,0,0,0,2025-01-01T00:00:00Z\n"
    )
    result = tiktune("recommend", "a", "--catalog", str(bad))
    assert result.returncode == 1 and f"{bad}:2: play_count 'many'" in result.stderr
    debug = tiktune("recommend", "a", "--catalog", str(bad), "--debug")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_corrupt_database_is_an_error_not_a_crash(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "tiktune.sqlite3").write_bytes(b"garbage" * 500)
    result = tiktune("recommend", "a", "--source", "store", "--data-dir", str(data))
    assert result.returncode == 1 and "left untouched" in result.stderr
    assert (data / "tiktune.sqlite3").read_bytes() == b"garbage" * 500


def test_tags_lists_known_hashtags(small_catalog):
    result = tiktune("tags", "--catalog", str(small_catalog))
    assert result.stdout.splitlines()[:2] == ["      2  #cooking", "      2  #diy"]
    result = tiktune("tags", "xuhuong", "--limit", "2", "--json")
    assert json.loads(result.stdout) == [{"tag": "xuhuong", "videos": 2446}, {"tag": "xuhuongtiktok", "videos": 1043}]


@pytest.mark.parametrize(
    "args, message",
    [
        (["tags", "a!b"], "invalid tag \"a!b\": '!' is not allowed"),
        (["tags", "--related", "a!b"], "invalid tag \"a!b\": '!' is not allowed"),
        (["tags", "cook diy"], "PREFIX takes one tag, got 'cook diy'"),
        (["tags", "--related", "cook,diy"], "--related takes one tag, got 'cook,diy'"),
        (["tags", "--limit", "-5"], "--limit must be 0 or more"),
        (["tags", "--related", "fyp", "--limit", "-1"], "--limit must be 0 or more"),
    ],
)
def test_tags_checks_its_input_as_recommend_does(capsys, args, message):
    from tiktune_tui.cli import main

    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("tiktune: error: ") and captured.err.count("\n") == 1
    assert message in captured.err


def test_tags_prefix_is_read_like_a_tag(capsys):
    from tiktune_tui.cli import main

    answers = []
    for prefix in (["#XU"], ["xu"], ["#"], []):
        assert main(["tags", *prefix, "--limit", "3", "--json"]) == 0
        answers.append(json.loads(capsys.readouterr().out))
    assert answers[0] == answers[1] and answers[0][0] == {"tag": "xuhuong", "videos": 2446}
    assert answers[2] == answers[3] and answers[2][0] == {"tag": "fyp", "videos": 2620}


@pytest.mark.parametrize("json_output", [False, True])
def test_tags_related_says_why_an_answer_is_empty(capsys, json_output):
    from tiktune_tui.cli import main

    assert main(["tags", "--related", "zzzz", *(["--json"] if json_output else [])]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        "tiktune: no related tags for #zzzz (a related tag shares at least 3 videos with it, more often than chance)\n"
    )
    assert (json.loads(captured.out) == []) if json_output else captured.out == ""
    assert main(["tags", "--related", "fyp", "--limit", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and len(captured.out.splitlines()) == 2


def test_output_into_a_closed_pipe_is_not_an_error():
    result = subprocess.run(
        f"'{TIKTUNE}' recommend fyp --limit 0 | head -1", shell=True, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in result.stderr and "Error" not in result.stderr


def test_the_app_refuses_a_bad_tag_and_an_unknown_mode_before_starting():
    assert tiktune("rock&roll").returncode == 2
    result = tiktune("fyp", "--rank", "best")
    assert result.returncode == 2 and "unknown ranking mode 'best'" in result.stderr


def test_an_error_quoting_a_hostile_path_stays_one_safe_line(tmp_path):
    hostile = str(tmp_path / "evil\x1b[31m\nname.csv")
    result = tiktune("recommend", "a", "--catalog", hostile)
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and result.stderr.count("\n") == 1
    assert "evil\\x1b[31m\\nname.csv: no such file" in result.stderr


def test_a_near_miss_of_a_command_gets_a_hint_not_a_guess():
    from tiktune_tui.cli import _near_command

    assert _near_command(["tag", "xu"]) == "tiktune tags xu"
    assert _near_command(["recomend", "fyp", "dance"]) == "tiktune recommend fyp dance"
    assert _near_command(["#tag", "xu"]) is None  # a hashtag, plainly
    assert _near_command(["cooking", "diy"]) is None and _near_command([]) is None


def test_a_mistyped_command_is_a_usage_error_not_a_search(tmp_path):
    result = subprocess.run(
        [TIKTUNE, "recomend", "fyp"],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "TIKTUNE_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "did you mean `recommend`?" in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_a_known_tag_close_to_a_command_is_searched_as_asked(tmp_path):
    # #tagz is in this catalog: the app opens for it (and refuses here only for want of a terminal).
    catalog = write_catalog(tmp_path / "tagz.csv", [video("1", "100", "tagz", play=5)])
    result = subprocess.run(
        [TIKTUNE, "tagz", "--catalog", str(catalog)],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "TIKTUNE_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 2
    assert "did you mean" not in result.stderr and "needs a terminal" in result.stderr


@pytest.mark.parametrize("closed", ["stdin", "stdout"])
def test_the_app_refuses_to_start_without_a_terminal(tmp_path, closed):
    import pty

    leader, follower = pty.openpty()
    try:
        streams = {"stdin": follower, "stdout": follower}
        streams[closed] = subprocess.DEVNULL if closed == "stdin" else open(tmp_path / "out.txt", "w")
        result = subprocess.run(
            [TIKTUNE, "fyp"],
            stdin=streams["stdin"],
            stdout=streams["stdout"],
            stderr=subprocess.PIPE,
            text=True,
            timeout=20,
            env={**os.environ, "TIKTUNE_DATA_DIR": str(tmp_path)},
        )
    finally:
        os.close(leader)
        os.close(follower)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "needs a terminal" in result.stderr
    assert "tiktune recommend" in result.stderr  # names the headless commands
    if closed == "stdout":
        assert (tmp_path / "out.txt").read_text() == ""  # no escape codes written to the file
