"""SVG snapshots of every screen state at 80x24 and 120x36 (update with --snapshot-update)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.ui_catalog import make_app, wait_for_search, write_catalog

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def steady(pilot) -> None:
    # A blinking cursor would make the picture depend on timing.
    pilot.app.tag_input.cursor_blink = False


def catalog_app(tmp_path, tags=()):
    return make_app(write_catalog(tmp_path / "ui.csv"), tags=tags)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare, tmp_path, size):
    async def run_before(pilot):
        steady(pilot)
        await wait_for_search(pilot)
        pilot.app.table.focus()
        await pilot.press("j")  # the hostile ANSI artist, in the table and the details

    assert snap_compare(catalog_app(tmp_path, ["cooking", "diy"]), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, tmp_path, size):
    async def run_before(pilot):
        steady(pilot)
        await wait_for_search(pilot)
        pilot.app.table.focus()
        await pilot.press("question_mark")

    assert snap_compare(catalog_app(tmp_path, ["cooking"]), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_empty_start(snap_compare, tmp_path, size):
    async def run_before(pilot):
        steady(pilot)
        await pilot.pause()

    assert snap_compare(catalog_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_error_state(snap_compare, tmp_path, monkeypatch, size):
    # A relative path, so the message on screen is the same on every run.
    monkeypatch.chdir(tmp_path)
    broken = Path("broken.csv")
    broken.write_text("video_id,hashtags\n1,cooking\n", encoding="utf-8")

    async def run_before(pilot):
        steady(pilot)
        await wait_for_search(pilot)

    assert snap_compare(make_app(broken, tags=["cooking"]), terminal_size=size, run_before=run_before)


def test_no_results_and_a_bad_tag(snap_compare, tmp_path):
    async def run_before(pilot):
        steady(pilot)
        await wait_for_search(pilot)
        pilot.app.tag_input.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"bad!tag", "enter")

    assert snap_compare(catalog_app(tmp_path, ["nosuchtag"]), terminal_size=(80, 24), run_before=run_before)


def test_light_theme(snap_compare, tmp_path):
    async def run_before(pilot):
        steady(pilot)
        pilot.app.theme = "textual-light"
        await wait_for_search(pilot)
        pilot.app.table.focus()

    assert snap_compare(catalog_app(tmp_path, ["cooking", "diy"]), terminal_size=(80, 24), run_before=run_before)
