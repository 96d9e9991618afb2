"""The app driven with Pilot: the search flow, keys, focus, keymaps, and hostile text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.command import CommandList
from textual.geometry import Region
from textual.widgets import Static

from tests.support.ui_catalog import (
    ANSI_ARTIST,
    CONTROL_TITLE,
    COOKING_DIY_ORDER,
    MARKUP_TITLE,
    make_app,
    wait_for_search,
    write_catalog,
    write_many_songs,
)
from tests.support.waiting import until
from tiktune_tui.config import load_settings
from tiktune_tui.library.recommend import Recommendation
from tiktune_tui.ui.keymap import check_keymap
from tiktune_tui.ui.screens.help_screen import HelpScreen
from tiktune_tui.ui.widgets.tag_input import TagSuggester


@pytest.fixture
def catalog(tmp_path) -> Path:
    return write_catalog(tmp_path / "ui.csv")


class Recorder:
    """Stands in for the music bar's controls; records what the app asked for."""

    def __init__(self, app) -> None:
        self.calls: list[tuple] = []
        bar = app.music_bar
        for name in (
            "toggle_pause",
            "next_song",
            "previous_song",
            "seek_relative",
            "change_volume",
            "toggle_mute",
            "play_songs",
        ):
            setattr(bar, name, self._record(name))

    def _record(self, name):
        def record(*args):
            self.calls.append((name, *args))

        return record

    @property
    def names(self) -> list[str]:
        return [call[0] for call in self.calls]


def song_ids(app) -> list[str]:
    return app.table.song_ids()


def plain(static: Static) -> str:
    """What a Static shows, as plain text (styles dropped)."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(static.content)
    return capture.get()


def details_text(app) -> str:
    return plain(app.query_one("#details-body", Static))


async def test_type_tags_run_move_sort_help(catalog):
    app = make_app(catalog)
    async with app.run_test(size=(120, 36)) as pilot:
        # The input has the focus at start: typing goes straight in.
        assert app.focused is app.tag_input
        await pilot.press(*"cooking diy", "enter")
        await wait_for_search(pilot)
        assert song_ids(app) == COOKING_DIY_ORDER
        assert app.focused is app.table
        assert app.table.current_song_id == "12"

        await pilot.press("j")
        assert app.table.current_song_id == "13"
        assert "Bravo Beat" in details_text(app)
        await pilot.press("down", "k")
        assert app.table.current_song_id == "13"

        # Sort by likes from the keyboard: s walks the columns (rank, title, artist, score, plays, likes).
        await pilot.press(*"sssss")
        assert app.table.sort_column == "likes"
        assert app.table.current_song_id == "13"  # the cursor followed the song
        assert song_ids(app)[0] == "13"  # 900 likes tops the column
        assert "sorted by likes ↓" in plain(app.status)
        await pilot.press("r")
        assert song_ids(app)[-1] == "13"
        assert app.table.current_song_id == "13"

        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        assert app.table.current_song_id == "13"


async def test_query_from_command_line_runs_at_start(catalog):
    app = make_app(catalog, tags=["diy"])
    async with app.run_test() as pilot:
        await wait_for_search(pilot)
        assert app.tag_input.value == "diy"
        assert app.focused is app.table  # as after Enter: the keys drive the results, not the query
        assert song_ids(app) == ["13", "11", "14"]
        status = plain(app.status)
        assert "catalog ui.csv" in status and "3 songs for #diy" in status


async def test_details_show_exact_counts_and_breakdown(catalog):
    app = make_app(catalog, tags=["dance"])
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        text = details_text(app)
        for expected in (
            "Dance Floor",
            "DJ Delta",
            "3:00",
            "1,234,567",
            "45,678",
            "× 2 =",
            "91,356",
            "901",
            "2,345",
            "1,338,006",
            "1 video uses it",
            "#dance",
            "video 1006",
        ):
            assert expected in text, expected
        # The table shows the short form.
        assert app.table.cells("15")[4].plain == "1.2M"


async def test_a_billion_play_song_fits_the_details_pane(tmp_path):
    big = (
        "2001",
        "viral",
        "21",
        "Huge Hit",
        "Star",
        "60",
        1_234_000_000,
        98_700_000,
        4_321_000,
        1_234_000,
        "2025-05-01T10:00:00Z",
    )
    app = make_app(write_catalog(tmp_path / "big.csv", [big]), tags=["viral"], mode="fit")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        body = app.query_one("#details-body", Static)
        shown = "\n".join(strip.text for strip in body.render_lines(Region(0, 0, *body.size)))  # at the pane's width
        for expected in (
            "1,234,000,000 × 1 =",
            "1.2B",
            "98,700,000 × 2 =",
            "197M",
            "4,321,000 × 3 =",
            "13M",
            "1,234,000 × 4 =",
            "4.9M",
            "popular",
            "1,449,299,000",
        ):
            assert expected in shown, expected
        assert "…" not in shown


async def test_player_keys_do_not_fire_while_typing(catalog):
    app = make_app(catalog)
    async with app.run_test() as pilot:
        player = Recorder(app)
        await pilot.press(
            *"n p m", "space", "plus", "minus", "less_than_sign", "greater_than_sign", "s", "q", "question_mark"
        )
        assert app.tag_input.value == "n p m +-<>sq?"
        assert player.calls == []
        assert not isinstance(app.screen, HelpScreen)
        assert app.is_running

        await pilot.press("ctrl+a", "ctrl+k", *"cooking", "enter")
        await wait_for_search(pilot)
        await pilot.press("space", "n", "p", "m", "plus", "equals_sign", "minus", "less_than_sign", "greater_than_sign")
        assert player.names[0] == "play_songs"  # nothing loaded yet: space plays the selected song
        assert player.calls[1:] == [
            ("next_song",),
            ("previous_song",),
            ("toggle_mute",),
            ("change_volume", 5),
            ("change_volume", 5),
            ("change_volume", -5),
            ("seek_relative", -5),
            ("seek_relative", 5),
        ]


async def test_enter_plays_the_rows_in_view_order_from_the_cursor(catalog):
    app = make_app(catalog, tags=["cooking", "diy"])
    async with app.run_test() as pilot:
        await wait_for_search(pilot)
        player = Recorder(app)
        app.table.focus()
        await pilot.press("j", "enter")
        name, songs, index = player.calls[-1]
        assert name == "play_songs"
        assert [song.id for song in songs] == COOKING_DIY_ORDER and index == 1


async def test_keymap_from_config_file_remaps_by_binding_id(catalog, isolated_user_dirs):
    config = isolated_user_dirs / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[keys]\nnext-song = "x"\nhelp = "f1"\nno-such-binding = "z"\n', encoding="utf-8")
    settings = load_settings()
    assert settings.keys["next-song"] == "x"
    app = make_app(catalog, tags=["cooking"], settings=settings)
    app.NOTIFICATION_TIMEOUT = 3600  # still listed however long the search takes on a busy machine
    async with app.run_test(notifications=True) as pilot:
        await wait_for_search(pilot)
        player = Recorder(app)
        # A remap to a printable key still never fires in the input.
        app.tag_input.focus()
        await pilot.press("x")
        assert player.calls == [] and app.tag_input.value.endswith("x")
        app.table.focus()
        await pilot.press("n", "x")
        assert player.names == ["next_song"]
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert "f1" in plain(app.screen.query_one("#help-body", Static))
        await pilot.press("escape")
        assert any("no-such-binding" in n.message for n in app._notifications)


def test_check_keymap_explains_bad_entries():
    checked = check_keymap({"mute": "M", "quit": "", "bogus": "b", "help": "?"})
    assert checked.keymap == {"mute": "M", "help": "question_mark"}
    assert len(checked.problems) == 2


async def test_bad_tag_is_shown_inline_and_nothing_runs(catalog):
    app = make_app(catalog)
    async with app.run_test() as pilot:
        await pilot.press(*"coo!king", "enter")
        error = app.query_one("#tag-error", Static)
        assert error.has_class("-shown") and app.tag_input.has_class("-invalid")
        assert "invalid tag" in plain(error) and "'!'" in plain(error)
        assert app.search_state == "idle" and app.focused is app.tag_input
        await pilot.press("backspace")
        assert not error.has_class("-shown")


async def test_suggestion_completes_the_last_word_most_used_first(catalog):
    app = make_app(catalog)
    async with app.run_test() as pilot:
        await until(pilot, lambda: app.tag_input.tag_suggester.tags)
        # cooking (4 videos) beats cookingtips (1)
        await pilot.press(*"diy coo")
        await pilot.pause()
        assert app.tag_input._suggestion == "diy cooking"
        await pilot.press("right")
        assert app.tag_input.value == "diy cooking"


async def test_suggester_matches_whatever_case_and_separator():
    suggester = TagSuggester()
    suggester.tags = ["viral", "video", "vietnam"]
    assert await suggester.get_suggestion("fyp,#VI") == "fyp,#VIral"
    assert await suggester.get_suggestion("viral ") is None
    assert await suggester.get_suggestion("viral") is None
    assert await suggester.get_suggestion("viet") == "vietnam"


async def search_in_turn(pilot, *queries: str) -> None:
    """Type each query into the tag input and wait for its results, as a user would."""
    for query in queries:
        pilot.app.tag_input.focus()
        await pilot.press("ctrl+a", "ctrl+k", *query, "enter")
        await wait_for_search(pilot)


async def test_history_walks_back_and_forth(catalog):
    app = make_app(catalog)
    async with app.run_test() as pilot:
        await search_in_turn(pilot, "cooking", "diy")
        app.tag_input.focus()
        await pilot.press("ctrl+a", "ctrl+k", *"dra")
        await pilot.press("up")
        assert app.tag_input.value == "diy"
        await pilot.press("up", "up")
        assert app.tag_input.value == "cooking"
        await pilot.press("down")
        assert app.tag_input.value == "diy"
        await pilot.press("down")
        assert app.tag_input.value == "dra"
        await pilot.press("down")  # past the newest, down goes to the results
        assert app.focused is app.table


async def test_untrusted_text_is_shown_literally(catalog):
    app = make_app(catalog, tags=["cooking", "diy"])
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        row = app.table.cells("12")
        assert row[1].plain == MARKUP_TITLE and not row[1].spans
        assert app.table.cells("13")[2].plain == "\\x1b[31mEvil\\x1b[0m"
        control = app.table.cells("14")[1].plain
        assert control == "Line\\nBreak\\x07\\u202eevil"
        assert not any(ch in control for ch in CONTROL_TITLE if not ch.isprintable())

        svg = app.export_screenshot()
        assert "[bold&#160;red]x[/]" in svg
        assert "\x1b" not in svg and "\x07" not in svg and "\u202e" not in svg
        app.table.focus()
        await pilot.press("j")
        assert "\\x1b[31mEvil" in details_text(app)
        assert ANSI_ARTIST not in details_text(app)


async def test_partial_failures_become_literal_notifications(catalog):
    app = make_app(catalog)
    async with app.run_test(notifications=True) as pilot:
        app.search_done(
            Recommendation(tags=["x"], label="TikTok live", rows=[], failures={"x[b]": "[red]blocked\x1b[2J"})
        )
        await pilot.pause()
        (note,) = [n for n in app._notifications if n.title == "search"]
        assert note.message == "#x[b]: [red]blocked\\x1b[2J" and note.markup is False
        assert "No songs for #x" in details_text(app)


async def test_sort_and_refresh_keep_the_song_with_10000_rows(tmp_path):
    catalog = write_many_songs(tmp_path / "many.csv", 10_000)
    app = make_app(catalog, tags=["bench"])
    async with app.run_test() as pilot:
        await wait_for_search(pilot)
        assert app.table.row_count == 10_000
        app.table.focus()
        await pilot.press("pagedown", "j")
        song = app.table.current_song_id
        app.sort_by("plays")
        assert app.table.current_song_id == song
        await pilot.press("ctrl+r")
        await wait_for_search(pilot)
        assert app.table.current_song_id == song
        assert app.table.sort_column == "plays"


async def test_a_new_query_replaces_the_running_one(catalog):
    app = make_app(catalog)
    async with app.run_test() as pilot:
        app.start_search(["dance"])
        first = app._search
        app.start_search(["diy"])
        assert first.is_cancelled
        await wait_for_search(pilot)
        assert app.query_tags == ["diy"] and song_ids(app) == ["13", "11", "14"]


async def test_broken_catalog_shows_an_error_state(tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("video_id,hashtags\n1,cooking\n", encoding="utf-8")
    app = make_app(broken, tags=["cooking"])
    async with app.run_test() as pilot:
        await wait_for_search(pilot)
        assert app.search_state == "failed"
        # Words, not lines: a long temp path wraps the message anywhere.
        assert "search failed" in plain(app.status) and "missing columns" in " ".join(details_text(app).split())
        assert app.is_running


async def test_command_palette_lists_the_apps_actions(catalog):
    app = make_app(catalog, tags=["cooking", "diy"])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_search(pilot)
        app.table.focus()
        await pilot.press("ctrl+p")
        await pilot.press(*"sort by likes")
        for _ in range(300):
            await pilot.pause(0.01)
            if app.screen.query(CommandList) and app.screen.query_one(CommandList).option_count:
                break
        titles = [str(option.prompt) for option in app.screen.query_one(CommandList).options]
        assert any("Sort by likes" in title for title in titles), titles
        await pilot.press("enter")
        await pilot.pause()
        assert app.table.sort_column == "likes"


async def test_quit_shuts_the_player_down(catalog):
    app = make_app(catalog)
    async with app.run_test() as pilot:
        calls = []
        app.music_bar.shutdown = lambda: calls.append("shutdown")
        app.table.focus()
        await pilot.press("q")
    # The app stops the player before it exits (the bar may stop it again when unmounted).
    assert calls and set(calls) == {"shutdown"}


def test_cli_refuses_bad_arguments_before_opening_the_app(tmp_path, capsys):
    from tiktune_tui.cli import main

    assert main(["bad!tag"]) == 2
    assert "invalid tag" in capsys.readouterr().err
    assert main(["--catalog", str(tmp_path / "missing.csv"), "x"]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["--source", "store", "--catalog", str(tmp_path / "x.csv")]) == 2


async def test_a_pasted_control_character_is_drawn_visible_and_the_cursor_stays_on_its_cell(catalog):
    from textual import events

    app = make_app(catalog)
    async with app.run_test() as pilot:
        field = app.tag_input
        field.post_message(events.Paste("co\x1b[2Jok"))
        await pilot.pause()
        assert field.value == "co\x1b[2Jok" and field.cursor_position == len(field.value)
        drawn = field.render_line(0).text
        assert "\x1b" not in drawn and "co␛[2Jok" in drawn
        field.cursor_position = 3  # on the "["
        assert field._cursor_offset == 3  # one cell per character, the ␛ included
        assert field._position_to_cell(len(field.value)) == len("co␛[2Jok")
        await pilot.press("enter")
        assert "invalid tag" in plain(app.query_one("#tag-error", Static))


async def test_a_long_query_cuts_the_tag_list_in_the_status_line_not_the_sort(catalog):
    tags = ["cooking", "diy", "dance", "cookingtips", "averyveryverylongtagname", "anotherlongtagname"]
    app = make_app(catalog, tags=tags)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_search(pilot)
        line = app.status.render_line(0).text.rstrip()
        assert "ranked by popular" in line and "sorted by" in line
        assert line.endswith("…") and "#anotherlongtagname" not in line


async def test_the_first_up_skips_the_query_already_on_screen(catalog):
    app = make_app(catalog)
    async with app.run_test() as pilot:
        await search_in_turn(pilot, "cooking", "diy")
        app.tag_input.focus()
        assert app.tag_input.value == "diy"
        await pilot.press("up")
        assert app.tag_input.value == "cooking"


async def test_a_search_with_no_songs_gives_the_keys_back_to_the_tags(catalog):
    app = make_app(catalog, tags=["nosuchtag"])
    async with app.run_test() as pilot:
        await wait_for_search(pilot)
        assert app.table.row_count == 0 and app.focused is app.tag_input
        await pilot.press("ctrl+a", "ctrl+k", *"diy", "enter")
        await wait_for_search(pilot)
        assert app.focused is app.table and app.table.row_count == 3


async def test_quitting_as_the_results_arrive_leaves_no_traceback(catalog):
    # Completions, related tags and the highlight of the first row are still on their way
    # when the results land; the app closing then must drop them, not fail on gone widgets.
    for _ in range(5):
        app = make_app(catalog, tags=["cooking", "diy"])
        async with app.run_test() as pilot:
            while app.search_state != "done":
                await pilot.pause(0.001)
        assert app.return_code in (None, 0)


async def test_the_palette_offers_one_help_for_the_keys(catalog):
    app = make_app(catalog)
    async with app.run_test():
        titles = [command.title for command in app.get_system_commands(app.screen)]
    assert any("help" in title.lower() for title in titles), titles
    assert "Keys" not in titles  # Textual's own panel duplicated our help and ignored escape


@pytest.mark.parametrize("size, rows", [((60, 18), 6), ((80, 24), 8)])
async def test_short_terminals_keep_rows_for_the_list(catalog, size, rows):
    app = make_app(catalog, tags=["cooking", "diy"])
    async with app.run_test(size=size) as pilot:
        await wait_for_search(pilot)
        assert app.table.size.height - 1 >= rows  # the header takes one line
        assert app.details.display == (size[1] >= 20)


async def test_start_notices_are_shown_once_the_screen_is_up(catalog):
    app = make_app(catalog, tags=["tag", "xu"])
    app.start_notices.append("Searching #tag #xu. For the command, run: tiktune tags xu")
    app.NOTIFICATION_TIMEOUT = 3600  # still listed however long the search takes on a busy machine
    async with app.run_test(notifications=True) as pilot:
        await wait_for_search(pilot)
        assert any("tiktune tags xu" in n.message for n in app._notifications)
