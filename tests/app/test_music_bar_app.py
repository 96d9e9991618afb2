"""The music bar inside the real app: Enter on a row plays it, the app's keys reach the player."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest
from textual.widgets import Label

from tests.support.player_support import make_tone, serve_directory
from tests.support.ui_catalog import COLUMNS, make_app, wait_for_search
from tests.support.waiting import until
from tiktune_tui.playback.player import PlayerState
from tiktune_tui.playback.song_audio import NO_PREVIEW


@pytest.fixture
def catalog(tmp_path):
    make_tone(tmp_path / "loud.mp3", 10, 440)
    with serve_directory(tmp_path) as base_url:
        path = tmp_path / "bar.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            # The most played first: "Streamable" ranks first, "Silent" second.
            writer.writerow(
                [
                    "1",
                    "beat",
                    "21",
                    "Streamable",
                    "Ann",
                    "10",
                    base_url + "loud.mp3",
                    9000,
                    0,
                    0,
                    0,
                    "2025-05-01T10:00:00Z",
                ]
            )
            writer.writerow(["2", "beat", "22", "Silent", "Bob", "30", "", 10, 0, 0, 0, "2025-05-01T10:00:00Z"])
        yield path


def label(app, selector: str) -> str:
    content = app.query_one(selector, Label).content
    return getattr(content, "plain", str(content))


async def test_enter_plays_and_app_keys_drive_the_real_player(catalog, tmp_path):
    data = tmp_path / "data"
    app = make_app(catalog, tags=["beat"])
    app.source = replace(app.source, data_dir=str(data))  # as `--data-dir` sets it
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        app.table.focus()
        await pilot.press("enter")
        await until(pilot, lambda: label(app, "#bar-state") == "▶")
        assert label(app, "#bar-title") == "Streamable — Ann"
        await pilot.press("space")
        await until(pilot, lambda: label(app, "#bar-state") == "⏸")
        await pilot.press("greater_than_sign")
        await until(pilot, lambda: label(app, "#bar-time").startswith("0:05"))
        await pilot.press("m")
        await until(pilot, lambda: label(app, "#bar-volume") == "muted")
        await pilot.press("n")  # the next row has no audio: the bar says why, nothing crashes
        await until(pilot, lambda: app.music_bar.status.state == PlayerState.ERROR)
        assert label(app, "#bar-title") == "Silent — Bob"
        assert label(app, "#bar-message") == NO_PREVIEW
        player = app.music_bar.player
    assert player.threads == []
    assert [p.name for p in (data / "audio").iterdir()] == ["21.mp3"]  # the audio cache follows --data-dir


async def test_a_repeated_player_notice_does_not_stack_pop_ups(catalog):
    from tiktune_tui.playback.player import Notice

    app = make_app(catalog, tags=["beat"])
    async with app.run_test(notifications=True) as pilot:
        await wait_for_search(pilot)
        for _ in range(3):
            app.music_bar.notice(Notice("No preview: no audio for this song"))
        app.music_bar.notice(Notice("The audio link expired"))
        await pilot.pause()
        assert [n.message for n in app._notifications] == [
            "No preview: no audio for this song",
            "The audio link expired",
        ]


async def test_space_with_nothing_loaded_plays_the_selected_song(catalog):
    app = make_app(catalog, tags=["beat"])
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        await until(pilot, lambda: app.music_bar.status is not None and app.music_bar.status.state == PlayerState.IDLE)
        app.table.focus()
        await pilot.press("space")
        await until(pilot, lambda: label(app, "#bar-state") == "▶")
        assert label(app, "#bar-title") == "Streamable — Ann"
        await pilot.press("space")  # now loaded: space pauses
        await until(pilot, lambda: label(app, "#bar-state") == "⏸")
