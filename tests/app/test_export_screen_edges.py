"""The export modal's rough edges of issue 13, each with Pilot and real ffmpeg underneath."""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import Button, Checkbox, Input, RadioButton, Static

from tests.app.test_export_screen import SONG, Host, note, wait_for
from tests.support.export_media import Media, make_media, put_in_cache
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.ui.screens.export_screen import ExportScreen

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Media:
    return make_media(tmp_path_factory.mktemp("edge-media"))


def ready_screen(tmp_path, media, song_file=None) -> tuple[ExportScreen, Host]:
    shutil.copy(media.mp4, tmp_path / "clip.mp4")
    cache = AudioCache(tmp_path / "cache")
    put_in_cache(cache, SONG, song_file or media.long_song)
    screen = ExportScreen(SONG, video=tmp_path / "clip.mp4", audio_cache=cache, desktop=False)
    return screen, Host(screen)


async def until_probed(pilot, screen) -> None:
    await wait_for(pilot, lambda: screen.audio_info is not None and screen.video_info is not None)


async def test_tab_from_a_wrong_output_reaches_export_which_says_what_is_wrong(media, tmp_path):
    screen, app = ready_screen(tmp_path, media)
    async with app.run_test(size=(110, 50)) as pilot:
        await until_probed(pilot, screen)
        output = screen.query_one("#export-output", Input)
        output.value = str(tmp_path / "out.txt")
        output.focus()
        await pilot.pause()
        assert not screen.ready
        await pilot.press("tab")
        assert app.focused is screen.query_one("#export-run", Button)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.state == "form"  # not closed without a word
        message = str(screen.query_one("#export-message", Static).render())
        assert message.startswith("Not ready to export:") and "must end in one of" in message
        assert app.focused is output  # taken back to what needs fixing
    assert not (tmp_path / "out.txt").exists()


async def test_ctrl_s_exports_from_any_field_and_the_buttons_are_in_sight(media, tmp_path):
    screen, app = ready_screen(tmp_path, media)
    async with app.run_test(size=(120, 36)) as pilot:
        await until_probed(pilot, screen)
        assert "ctrl+s" in str(screen.query_one("#export").border_subtitle)
        run = screen.query_one("#export-run", Button)
        assert "ctrl+s" in str(run.label)
        assert app.screen.region.contains_region(run.region)  # not below the fold
        screen.query_one("#export-offset", Input).focus()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.state == "done")
    assert (tmp_path / "clip.sunny-day.mp4").stat().st_size > 0


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_every_field_fits_inside_the_modal(media, tmp_path, size):
    screen, app = ready_screen(tmp_path, media)
    async with app.run_test(size=size) as pilot:
        await until_probed(pilot, screen)
        box = screen.query_one("#export").content_region
        for field in screen.query("#export-form Input, #export-form Button, #export-form Checkbox"):
            field.scroll_visible(animate=False)
            await pilot.pause()
            assert box.contains_region(field.region), field.id
        assert app.screen.region.contains_region(screen.query_one("#export-run").region)


async def test_a_short_song_without_loop_is_warned_about_in_the_modal(media, tmp_path):
    screen, app = ready_screen(tmp_path, media, song_file=media.song)  # 1.5 s under a 2-s video
    async with app.run_test(size=(110, 50)) as pilot:
        await until_probed(pilot, screen)
        timing = screen.query_one("#export-timing-note", Static)
        assert "runs out at 0:01 of 0:02" in note(screen, "#export-timing-note")
        assert timing.has_class("-warning") and screen.ready  # a warning, not a problem
        await pilot.click("#export-loop")
        assert note(screen, "#export-timing-note") == "" and not timing.has_class("-warning")


async def test_radio_and_checkbox_states_differ_in_shape(media, tmp_path):
    screen, app = ready_screen(tmp_path, media)
    async with app.run_test(size=(110, 50)) as pilot:
        await until_probed(pilot, screen)

        def drawn(selector: str, kind) -> str:
            return screen.query_one(selector, kind).render_line(0).text

        assert "(•)" in drawn("#export-mode-replace", RadioButton) and "( )" in drawn("#export-mode-mix", RadioButton)
        assert "[ ]" in drawn("#export-loop", Checkbox)
        await pilot.click("#export-mode-mix")
        await pilot.click("#export-loop")
        assert "( )" in drawn("#export-mode-replace", RadioButton) and "(•)" in drawn("#export-mode-mix", RadioButton)
        assert "[x]" in drawn("#export-loop", Checkbox)
