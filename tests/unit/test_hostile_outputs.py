"""Hostile text through every headless output, as real `tiktune` processes (issue 12).

A catalog whose titles, artists, tags and file name hold C0 and C1 controls, bidi controls,
OSC 0/8/52, CSI and Rich markup goes through the table, --explain, --json, --csv, tags,
eval, export --json and the stderr notices. No raw control byte may leave (a newline only
as layout), and the text stays recognisable: escaped as \\x1b in text, lossless in JSON,
markup shown literally.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.factories import video, write_catalog
from tiktune_tui.text import terminal_safe

TIKTUNE = shutil.which("tiktune", path=str(Path(sys.executable).parent)) or "tiktune"

CSI_CLEAR = "\x1b[2J"
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_LINK = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
OSC_CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
C1 = "\x9b31m\x85"  # U+009B is CSI in one character; U+0085 is NEL
BIDI = "\u202eevil\u202c\u2066\u200f\u061c"
MARKUP = "[bold red]x[/]"
LINK_MARKUP = "[link=http://evil.example]y[/link]"

# One song per payload, so each is checked on its own (and no title is cut by the table).
TITLES = {
    "101": f"csi {CSI_CLEAR}",
    "102": f"title {OSC_TITLE}",
    "103": f"link {OSC_LINK}",
    "104": f"clip {OSC_CLIPBOARD}",
    "105": "nul \x00 del \x7f",
    "106": f"c1 {C1}",
    "107": f"bidi {BIDI}",
    "108": f"markup {MARKUP}",
}
ARTISTS = {
    "101": f"by {OSC_TITLE}",
    "102": f"by {C1}",
    "103": f"by {BIDI}",
    "104": "plain",
    "105": f"by {CSI_CLEAR}",
    "106": "by \x00",
    "107": f"by {OSC_CLIPBOARD}",
    "108": LINK_MARKUP,
}
# Tags are split on whitespace: these payloads hold none.
HOSTILE_TAGS = [
    "tag\x1b[2j",
    "tag\x1b]0;pwned\x07",
    "tag\x9b31m",
    "tag\u202eevil",
    "tag[bold]x",
    "tag\x1b]52;c;zxzpba==\x07",
]
FILE_NAME = "songs \x1b]0;pwned\x07\x9b\u202e[b]x\x1b[2J.csv"

# What must never reach a terminal raw: C0 but newline, DEL, C1, bidi controls.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def assert_no_raw_control(text: str, what: str) -> None:
    found = RAW_CONTROL.search(text)
    assert found is None, (
        f"{what}: raw {found.group()!r} at {found.start()}: {text[max(0, found.start() - 40) : found.start() + 40]!r}"
    )


def tiktune(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    # Bytes, not text: a NUL or a lone surrogate must be seen as it was written.
    result = subprocess.run([TIKTUNE, *args], stdout=stdout, stderr=subprocess.PIPE, timeout=120)
    result.out = (result.stdout or b"").decode("utf-8")
    result.err = result.stderr.decode("utf-8")
    assert_no_raw_control(result.out, f"stdout of {args[0]}")
    assert_no_raw_control(result.err, f"stderr of {args[0]}")
    return result


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    videos = [
        video(
            str(n),
            music,
            "hostile " + HOSTILE_TAGS[n % len(HOSTILE_TAGS)],
            play=1000 - n,
            title=TITLES[music],
            author=ARTISTS[music],
        )
        for n, music in enumerate(TITLES)
    ]
    # More videos of the same songs, so eval has cases to hold out.
    videos += [
        video(
            str(100 + n),
            music,
            "hostile " + HOSTILE_TAGS[(n + 1) % len(HOSTILE_TAGS)],
            play=10,
            title=TITLES[music],
            author=ARTISTS[music],
        )
        for n, music in enumerate(TITLES)
    ]
    return write_catalog(folder / FILE_NAME, videos)


SAFE_LABEL = "catalog " + terminal_safe(FILE_NAME)


def test_the_hostile_file_name_is_a_real_file_name(catalog):
    assert catalog.name == FILE_NAME and catalog.is_file()


@pytest.mark.parametrize("explain", [False, True], ids=["table", "explain"])
def test_the_table_escapes_titles_artists_and_the_file_name(catalog, explain):
    result = tiktune("recommend", "hostile", "--catalog", str(catalog), *(["--explain"] if explain else []))
    assert result.returncode == 0, result.err
    assert result.out.startswith(f"{SAFE_LABEL}: 8 songs for #hostile")
    for music in TITLES:
        song = f"{terminal_safe(TITLES[music])} — {terminal_safe(ARTISTS[music])}"
        assert song in result.out or song[:59] + "…" in result.out  # the table cuts at 60 columns
    assert MARKUP in result.out and LINK_MARKUP in result.out  # literally, never interpreted
    if explain:
        assert result.out.count("popular ") >= 8


def test_csv_escapes_cells_as_the_table_does(catalog):
    result = tiktune("recommend", "hostile", "--catalog", str(catalog), "--csv", "--limit", "0")
    assert result.returncode == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert {row["music_id"]: row["title"] for row in rows} == {m: terminal_safe(t) for m, t in TITLES.items()}
    assert {row["music_id"]: row["author"] for row in rows} == {m: terminal_safe(a) for m, a in ARTISTS.items()}
    assert result.err == f"tiktune: answered by {SAFE_LABEL}\n"


FORMULAS = {
    "201": '=HYPERLINK("http://evil.example","click")',
    "202": "+cmd|' /C calc'!A0",
    "203": "-2+3",
    "204": "@SUM(1+1)",
    "205": "plain = not a formula",
}


def test_csv_cells_a_spreadsheet_would_run_are_quoted_as_text(tmp_path):
    videos = [video(str(n), m, "sheet", play=100 - n, title=t, author=t) for n, (m, t) in enumerate(FORMULAS.items())]
    catalog = write_catalog(tmp_path / "sheet.csv", videos)
    result = tiktune("recommend", "sheet", "--catalog", str(catalog), "--csv", "--limit", "0")
    assert result.returncode == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    quoted = {m: t if m == "205" else "'" + t for m, t in FORMULAS.items()}
    assert {row["music_id"]: row["title"] for row in rows} == quoted
    assert {row["music_id"]: row["author"] for row in rows} == quoted
    raw = subprocess.run(
        [TIKTUNE, "recommend", "sheet", "--catalog", str(catalog), "--csv", "--raw", "--limit", "0"],
        capture_output=True,
        timeout=120,
    )
    raw_rows = list(csv.DictReader(io.StringIO(raw.stdout.decode("utf-8"), newline="")))
    assert {row["music_id"]: row["title"] for row in raw_rows} == FORMULAS  # --raw asked for the bytes


def test_csv_raw_into_a_pipe_gives_the_bytes_as_tiktok_sent_them(catalog):
    result = subprocess.run(
        [TIKTUNE, "recommend", "hostile", "--catalog", str(catalog), "--csv", "--raw", "--limit", "0"],
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8"), newline="")))
    assert {row["music_id"]: row["title"] for row in rows} == TITLES
    assert {row["music_id"]: row["author"] for row in rows} == ARTISTS
    assert_no_raw_control(result.stderr.decode("utf-8"), "stderr")  # the notices stay escaped


def test_csv_raw_onto_a_terminal_is_still_escaped_with_a_note(catalog):
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [TIKTUNE, "recommend", "hostile", "--catalog", str(catalog), "--csv", "--raw", "--limit", "0"],
            stdout=terminal,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        os.close(terminal)
        terminal = -1
        shown = b""
        while True:  # until the child closes its end of the terminal
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the other end is closed
                break
            if not chunk:
                break
            shown += chunk
        stderr = process.stderr.read().decode("utf-8")
        assert process.wait(timeout=60) == 0, stderr
    finally:
        os.close(controller)
        if terminal != -1:
            os.close(terminal)
    text = shown.decode("utf-8").replace("\r\n", "\n")  # the terminal's own line discipline
    assert_no_raw_control(text, "the terminal")
    assert terminal_safe(TITLES["102"]) in text
    assert "--raw ignored: stdout is a terminal" in stderr and stderr.count("\n") == 2  # the note + answered by


def test_raw_without_csv_is_a_usage_error(catalog):
    for output in ([], ["--json"]):
        result = tiktune("recommend", "hostile", "--catalog", str(catalog), "--raw", *output)
        assert result.returncode == 2 and result.out == ""
        assert result.err.startswith("tiktune: error: --raw goes with --csv")


def test_json_escapes_every_control_and_stays_lossless(catalog):
    result = tiktune("recommend", "hostile", "--catalog", str(catalog), "--json", "--limit", "0")
    assert result.returncode == 0, result.err
    rows = json.loads(result.out)
    assert {row["music_id"]: row["title"] for row in rows} == TITLES
    assert {row["music_id"]: row["author"] for row in rows} == ARTISTS
    assert "\\u009b31m\\u0085" in result.out and "\\u202eevil\\u202c\\u2066\\u200f\\u061c" in result.out
    assert result.err == f"tiktune: answered by {SAFE_LABEL}\n"


def test_tags_text_and_json(catalog):
    result = tiktune("tags", "--catalog", str(catalog), "--limit", "0")
    assert result.returncode == 0, result.err
    for tag in HOSTILE_TAGS:
        assert "#" + terminal_safe(tag) in result.out
    result = tiktune("tags", "--catalog", str(catalog), "--limit", "0", "--json")
    assert result.returncode == 0, result.err
    assert {row["tag"] for row in json.loads(result.out)} == {"hostile", *HOSTILE_TAGS}
    result = tiktune("tags", "--catalog", str(catalog), "--related", "hostile", "--json")
    assert result.returncode == 0, result.err


@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
def test_eval_names_the_hostile_catalogs_safely(catalog, tmp_path, json_output):
    holdout = Path(shutil.copy(catalog, tmp_path / ("held " + FILE_NAME)))
    result = tiktune(
        "eval", "--catalog", str(catalog), "--holdout", str(holdout), "--k", "1", *(["--json"] if json_output else [])
    )
    assert result.returncode == 0, result.err
    if json_output:
        assert json.loads(result.out)["cases"] > 0
    else:
        assert result.out.startswith(f"catalog {terminal_safe(holdout.name)} against {SAFE_LABEL}: ")
    result = tiktune("eval", "--catalog", str(catalog), "--folds", "2", "--k", "1")
    assert result.returncode == 0, result.err
    assert result.out.startswith(f"2-fold cross-validation over the {SAFE_LABEL}: ")


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
def test_export_names_hostile_files_safely(tmp_path, json_output):
    from tests.support.export_media import H264, SONG_TONE_HZ, VIDEO_TONE_HZ, _sine, _testsrc, ffmpeg

    folder = tmp_path / f"clips {CSI_CLEAR}{BIDI}"
    folder.mkdir()
    clip, song = folder / f"in {OSC_TITLE}.mp4", folder / f"song {C1}{MARKUP.replace('/', '')}.m4a"
    ffmpeg(*_testsrc(1), *_sine(VIDEO_TONE_HZ, 1), *H264, "-c:a", "aac", "-shortest", str(clip))
    ffmpeg(*_sine(SONG_TONE_HZ, 1), "-c:a", "aac", str(song))
    wanted = folder / f"out {OSC_CLIPBOARD}.mp4"
    wanted.write_bytes(b"taken: the export writes beside it and says so on stderr")
    args = ["export", "--video", str(clip), "--audio", str(song), "--out", str(wanted), "--no-open"]
    result = tiktune(*args, *(["--json"] if json_output else []))
    assert result.returncode == 0, result.err
    written = wanted.with_name(f"out {OSC_CLIPBOARD}-2.mp4")
    assert written.is_file()
    assert f"tiktune: {terminal_safe(str(wanted))} exists; wrote {terminal_safe(written.name)}" in result.err
    if json_output:
        assert json.loads(result.out)["output"] == str(written)
    else:
        assert result.out.startswith(f"wrote {terminal_safe(str(written))} (")


@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
def test_doctor_names_a_hostile_data_dir_safely(tmp_path, json_output):
    data = tmp_path / f"data {C1}{BIDI}{OSC_TITLE}"
    data.mkdir()
    result = tiktune("doctor", "--data-dir", str(data), "--audio-output", "dummy", *(["--json"] if json_output else []))
    assert result.returncode in (0, 1), result.err
    if json_output:
        assert any(
            str(data) in check["result"] or terminal_safe(str(data)) in check["result"]
            for check in json.loads(result.out)["checks"]
        )
    else:
        assert terminal_safe(str(data)) in result.out


def test_an_error_naming_the_hostile_catalog_is_one_safe_line(catalog, tmp_path):
    broken = tmp_path / FILE_NAME
    broken.write_text("not,a,catalog\n1,2,3\n", encoding="utf-8")
    result = tiktune("recommend", "hostile", "--catalog", str(broken))
    assert result.returncode == 1 and result.err.count("\n") == 1
    assert terminal_safe(FILE_NAME) in result.err


def test_the_safe_text_helpers_cover_every_control_and_round_trip():
    from tiktune_tui.text import json_text

    controls = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
    controls += ["\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
    controls.append("\ud800")  # a lone surrogate (TikTok's JSON may carry one): written, not a crash
    for ch in controls:
        text = f"a{ch}b"
        assert_no_raw_control(terminal_safe(text), repr(ch))
        assert terminal_safe(terminal_safe(text)) == terminal_safe(text)
        encoded = json_text({"t": text})
        assert_no_raw_control(encoded.replace("\n", ""), repr(ch))
        assert "\ud800" not in encoded and json.loads(encoded) == {"t": text}
    assert terminal_safe("naïve 日本 🎵 [b]x[/b]") == "naïve 日本 🎵 [b]x[/b]"  # the rest untouched
