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


async def test_the_modal_normalizes_loudness_shows_the_measuring_pass_and_ducks_in_mix_mode(media, tmp_path):
    import stat

    from tiktune_tui.export.exporter import Exporter

    slow = tmp_path / "slow-ffmpeg"  # the real ffmpeg at real-time speed: time to see each pass
    slow.write_text(f'#!/bin/sh\nexec {shutil.which("ffmpeg")} -re "$@"\n')
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    shutil.copy(media.mp4, tmp_path / "clip.mp4")
    cache = AudioCache(tmp_path / "cache")
    put_in_cache(cache, SONG, media.long_song)
    screen = ExportScreen(
        SONG,
        video=tmp_path / "clip.mp4",
        audio_cache=cache,
        desktop=False,
        exporter_service=Exporter(ffmpeg_cmd=str(slow)),
    )
    app = Host(screen)
    async with app.run_test(size=(110, 50)) as pilot:
        await until_probed(pilot, screen)
        assert screen.query_one("#export-loudness", Input).value == "-14"
        duck = screen.query_one("#export-duck", Input)
        assert duck.disabled  # replace mode: no voice to duck under
        screen.query_one("#export-loudness", Input).value = "loud"
        await pilot.pause()
        assert "LUFS" in note(screen, "#export-volume-note") and not screen.ready
        screen.query_one("#export-loudness", Input).value = "-16"
        await pilot.click("#export-mode-mix")
        assert not duck.disabled and duck.value == "12"
        await pilot.press("ctrl+s")
        label = screen.query_one("#export-progress-label", Static)
        await wait_for(pilot, lambda: "Measuring loudness" in str(label.render()) or screen.state == "done")
        assert "Measuring loudness" in str(label.render())
        await wait_for(pilot, lambda: screen.state == "done")
        assert "-16 LUFS" in str(screen.query_one("#export-message", Static).render())
        await pilot.pause()  # the buttons of the done state are laid out before they are clicked
        await pilot.click("#export-close")
        await wait_for(pilot, lambda: app.results)
    [result] = app.results
    assert result.loudness_lufs == -16 and result.duck_db == 12 and result.mode == "mix"


async def test_best_part_sets_the_start_and_the_modal_shows_the_part_of_the_song_used(tmp_path):
    from tests.media.test_export_best_part import LOUD_AT_S, planted_song
    from tests.support.export_media import H264, _testsrc, ffmpeg
    from tiktune_tui.export.options import parse_clock

    video = tmp_path / "clip.mp4"
    ffmpeg(*_testsrc(10), *H264, str(video))
    song = planted_song(tmp_path / "song.mp3")
    screen = ExportScreen(None, video=video, desktop=False)
    app = Host(screen)
    async with app.run_test(size=(110, 50)) as pilot:
        screen.query_one("#export-audio", Input).value = str(song)
        await until_probed(pilot, screen)
        assert note(screen, "#export-span") == "Video 0:10: uses 0:00–0:10 of the song (1:00)"
        await pilot.click("#export-best-part")
        await wait_for(pilot, lambda: screen.best_part is not None)
        offset = parse_clock(screen.query_one("#export-offset", Input).value)
        assert abs(offset - LOUD_AT_S) <= 1.0
        # The span follows the start field once its change is handled.
        await wait_for(pilot, lambda: note(screen, "#export-span").startswith("Video 0:10: uses 0:2"))
