"""The export modal's settings survive a restart (state.json in the data dir), driven with Pilot."""

from __future__ import annotations

import json
import shutil
import time

import pytest
from textual.widgets import Checkbox, Input, RadioButton

from tests.support.export_media import H264, _testsrc, ffmpeg, put_in_cache
from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tiktune_tui.core.models import Song
from tiktune_tui.library.state import AppState, ExportSettings, load_state, save_state, state_path
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.ui.screens.export_screen import ExportScreen

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")

SONG = Song(id="12", title="[bold red]x[/]", author="Markup Max")  # the first row for #cooking


async def until(pilot, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "never got there"
        await pilot.pause(0.05)


def value(screen: ExportScreen, selector: str) -> str:
    return screen.query_one(selector, Input).value


async def open_modal(pilot) -> ExportScreen:
    app = pilot.app
    await wait_for_search(pilot)
    app.table.focus()
    await pilot.press("e")
    await until(pilot, lambda: isinstance(app.screen, ExportScreen))
    screen = app.screen
    await until(pilot, lambda: screen.audio_info is not None)
    return screen


async def test_every_setting_of_the_modal_survives_a_restart(tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    video = folder / "clip.mp4"
    ffmpeg(*_testsrc(2), *H264, str(video))
    song = tmp_path / "song.mp3"  # quiet, then loud from 4 s to 6 s: its best part starts at 0:04
    ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=600:duration=8,volume='if(between(t,4,6),0.8,0.02)':eval=frame", str(song)
    )
    put_in_cache(AudioCache.default(), SONG, song)
    catalog = write_catalog(tmp_path / "ui.csv")

    first = make_app(catalog, tags=["cooking"])
    async with first.run_test(size=(120, 36)) as pilot:
        screen = await open_modal(pilot)
        screen.query_one("#export-video", Input).value = str(video)
        await until(pilot, lambda: screen.video_info is not None)
        await pilot.click("#export-mode-mix")
        for selector, text in (
            ("#export-song-volume", "80"),
            ("#export-original-volume", "50"),
            ("#export-loudness", "off"),
            ("#export-duck", "6"),
            ("#export-fade-in", "1"),
            ("#export-fade", "0.5"),
        ):
            screen.query_one(selector, Input).value = text
        screen.query_one("#export-loop", Checkbox).value = True
        screen.pick_best_part()  # the Best part button: the offset mode becomes "auto"
        await until(pilot, lambda: value(screen, "#export-offset") == "0:04")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(first.screen, ExportScreen))
        await pilot.press("q")
    saved = json.loads(state_path().read_text(encoding="utf-8"))["export"]
    assert saved["offset"] == "auto" and saved["loudness"] == "off" and saved["mode"] == "mix"

    second = make_app(catalog, tags=["cooking"])
    async with second.run_test(size=(120, 36)) as pilot:
        screen = await open_modal(pilot)
        assert value(screen, "#export-video") == str(video)
        assert screen.query_one("#export-mode-mix", RadioButton).value
        assert not screen.query_one("#export-original-volume", Input).disabled
        assert [value(screen, s) for s in ("#export-song-volume", "#export-original-volume")] == ["80", "50"]
        assert [value(screen, s) for s in ("#export-loudness", "#export-duck")] == ["off", "6"]
        assert [value(screen, s) for s in ("#export-fade-in", "#export-fade")] == ["1", "0.5"]
        assert screen.query_one("#export-loop", Checkbox).value
        assert screen._picker_start(None) == folder  # the video picker opens where the video was
        # "auto": the best part is found again once the song and the video are known.
        await until(pilot, lambda: value(screen, "#export-offset") == "0:04")
        assert screen.offset_auto
        screen.query_one("#export-offset", Input).value = "0:01"  # a time typed: auto no more
        await until(pilot, lambda: not screen.offset_auto)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(second.screen, ExportScreen))
        await pilot.press("q")

    third = make_app(catalog, tags=["cooking"])
    async with third.run_test(size=(120, 36)) as pilot:
        screen = await open_modal(pilot)
        await until(pilot, lambda: screen.video_info is not None)
        await pilot.pause()
        assert value(screen, "#export-offset") == "0:01" and not screen.offset_auto


def test_export_settings_of_the_wrong_type_are_dropped_one_by_one(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(
        json.dumps({"export": {"mode": 3, "loop": 1, "fade_s": True, "duck_db": 6, "loudness": "off", "offset": 5}}),
        encoding="utf-8",
    )
    state, warning = load_state(path)
    assert warning is None and state == AppState(export=ExportSettings(duck_db=6, loudness="off"))
    path.write_text(json.dumps({"volume": 40, "export": "mix"}), encoding="utf-8")
    assert load_state(path) == (AppState(volume=40), None)
    save_state(path, AppState(export=ExportSettings(song_volume_pct=80.0, loop=False)))
    assert json.loads(path.read_text()) == {"export": {"song_volume_pct": 80.0, "loop": False}}
