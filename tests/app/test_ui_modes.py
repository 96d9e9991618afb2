"""Ranking modes, explanations and related tags in the app; its background loop and TikTok resolver."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from rich.console import Console
from textual.widgets import Static

from tests.support.ui_catalog import COLUMNS, make_app, wait_for_search
from tests.support.waiting import until
from tiktune_tui.config import Settings
from tiktune_tui.core.modes import MODE_NAMES


def write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for video, tags, music, plays in rows:
            writer.writerow(
                [video, tags, music, f"Song {music}", "Artist", "", "", plays, 0, 0, 0, "2025-05-01T00:00:00Z"]
            )
    return path


def niche_catalog(path):
    """#fyp is everywhere; #sourdough is rare. A viral fyp-only song and a niche sourdough song."""
    rows = [(str(100 + i), "fyp", "900", 10_000_000) for i in range(3)]  # viral, unrelated
    rows += [(str(200 + i), "fyp sourdough baking", "500", 1_000) for i in range(4)]  # fits
    rows += [(str(300 + i), f"fyp other{i}", str(600 + i), 500) for i in range(20)]
    rows += [(str(400 + i), "baking bread", "700", 100) for i in range(5)]
    return write_rows(path, rows)


def text_of(static: Static) -> str:
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(static.content)
    return capture.get()


async def test_o_cycles_the_ranking_mode_and_reranks(tmp_path):
    app = make_app(niche_catalog(tmp_path / "c.csv"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"fyp sourdough", "enter")
        await wait_for_search(pilot)
        assert "ranked by popular" in text_of(app.status)
        assert app.table.song_ids()[0] == "900"  # raw popularity: the viral unrelated song
        seen = []
        for expected in MODE_NAMES[1:] + MODE_NAMES[:1]:
            await pilot.press("o")
            await wait_for_search(pilot)
            assert app.rank_mode == expected
            assert f"ranked by {expected}" in text_of(app.status)
            seen.append((expected, app.table.song_ids()[0]))
        assert ("fit", "500") in seen  # the niche song that fits the query wins in fit
        assert seen[-1] == ("popular", "900")


async def test_fit_mode_explains_why_in_the_details(tmp_path):
    app = make_app(niche_catalog(tmp_path / "c.csv"), tags=["fyp", "sourdough"], mode="fit")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        details = text_of(app.query_one("#details-body", Static))
        assert "why: fit" in details and "#sourdough" in details
        assert "popular" in details and "\nfit " in details


async def test_o_does_not_fire_while_typing(tmp_path):
    app = make_app(niche_catalog(tmp_path / "c.csv"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"foo")
        assert app.tag_input.value == "foo" and app.rank_mode == "popular"


async def test_related_tags_are_offered_and_added_with_one_key(tmp_path):
    app = make_app(niche_catalog(tmp_path / "c.csv"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"sourdough", "enter")
        await wait_for_search(pilot)
        related = app.query_one("#related")
        await until(pilot, lambda: related.tags)
        assert related.tags[0] == "baking"  # always with sourdough here; fyp is everywhere
        assert "1  #baking" in text_of(related)
        await pilot.press("1")
        await wait_for_search(pilot)
        assert app.query_tags == ["sourdough", "baking"]
        assert app.tag_input.value == "sourdough baking"
        assert "700" in app.table.song_ids()


async def test_the_engine_loop_and_player_stop_when_the_app_exits(tmp_path):
    app = make_app(niche_catalog(tmp_path / "c.csv"), tags=["fyp"])
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        loop = app.engine_loop
        assert loop.running
    assert not loop.running


async def test_with_a_tiktok_token_the_player_can_ask_tiktok_for_audio(tmp_path):
    from tiktune_tui.playback.song_audio import TikTokSongResolver

    app = make_app(niche_catalog(tmp_path / "c.csv"), settings=Settings(ms_token="t"))
    async with app.run_test(size=(120, 36)):
        assert isinstance(app.music_bar._resolve, TikTokSongResolver)
    plain_app = make_app(niche_catalog(tmp_path / "d.csv"))
    async with plain_app.run_test(size=(120, 36)):
        assert plain_app.music_bar._resolve is None


async def test_related_tags_number_only_what_fits_the_line():
    from textual.app import App

    from tiktune_tui.ui.widgets.related_tags import RelatedTags

    class Host(App):
        def compose(self):
            yield RelatedTags()

    offered = ["short", "x" * 40, "mid_length_tag", "another", "fifth"]
    app = Host()
    async with app.run_test(size=(60, 5)) as pilot:
        strip = app.query_one(RelatedTags)
        strip.show_tags(offered)
        await pilot.pause()
        shown = strip.render_line(0).text
        assert strip.tags == offered[: len(strip.tags)] and 2 <= len(strip.tags) < 5
        assert "#" + "x" * 22 + "…" in shown  # a long tag is cut, not the line
        assert f" {len(strip.tags) + 1} " not in shown and strip.tag_at(len(strip.tags)) is None
        await pilot.resize_terminal(200, 5)
        await pilot.pause()
        assert strip.tags == offered and "press a number to add" in strip.render_line(0).text


async def test_another_mode_opens_its_list_at_the_top(tmp_path):
    app = make_app(niche_catalog(tmp_path / "c.csv"), tags=["fyp", "sourdough"])
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        app.table.focus()
        await pilot.press("j", "j")
        assert app.table.cursor_row == 2
        await pilot.press("ctrl+r")  # the same query again: the selection stays
        await wait_for_search(pilot)
        assert app.table.cursor_row == 2
        await pilot.press("o")
        await wait_for_search(pilot)
        assert app.rank_mode == "fit" and app.table.cursor_row == 0


async def test_the_app_gives_the_music_bar_its_output_and_data_dirs_cache(tmp_path):
    app = make_app(niche_catalog(tmp_path / "c.csv"), settings=Settings(audio_output="dummy"), audio_output=None)
    app.source = replace(app.source, data_dir=str(tmp_path / "data"))  # as `--data-dir` sets it
    async with app.run_test(size=(120, 36)):
        player = app.music_bar.player
        assert player.audio_output == "dummy"  # from the settings when no --audio-output
        assert player.cache.directory == tmp_path / "data" / "audio"
    app = make_app(niche_catalog(tmp_path / "d.csv"), settings=Settings(audio_output="alsa"), audio_output="dummy")
    async with app.run_test(size=(120, 36)):
        assert app.music_bar.player.audio_output == "dummy"  # --audio-output wins
