"""The footer changes its keys in place when the focus moves, and shows what Textual's would."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tiktune_tui.ui.widgets.key_footer import KeyFooter

PLAY = ("⏎", "Play")  # the list's Enter, as the footer names it


@pytest.fixture
def catalog(tmp_path):
    return write_catalog(tmp_path / "ui.csv")


def shown(footer: KeyFooter) -> list[tuple[str, str]]:
    """(key, description) of each key on screen, left to right, the palette's aside."""
    keys = [key for key in footer.query(FooterKey) if key.display and not key.has_class("-command-palette")]
    return [(key.key_display, key.description) for key in keys]


def composed(footer: KeyFooter) -> list[tuple[str, str]]:
    """What Textual's Footer.compose would show for the bindings now active."""
    return [(spec.key_display, spec.description) for spec in footer._wanted()]


async def footer_with_the_list_focused(app, pilot) -> KeyFooter:
    """The footer once the search has landed and the song list has the focus."""
    await wait_for_search(pilot)
    app.table.focus()
    await pilot.pause()
    return app.query_one(KeyFooter)


async def test_the_footer_hides_and_shows_keys_as_the_focus_moves_without_remounting(catalog):
    app = make_app(catalog, tags=["cooking"])
    async with app.run_test(size=(120, 36)) as pilot:
        footer = await footer_with_the_list_focused(app, pilot)
        keys = list(footer.query(FooterKey))
        on_the_list = shown(footer)
        assert PLAY in on_the_list and on_the_list == composed(footer)
        await pilot.press("u")  # the queue panel takes the focus: its Enter plays from the queue
        assert app.focused is app.queue_panel
        assert PLAY not in shown(footer) and shown(footer) == composed(footer)
        await pilot.press("escape")
        assert app.focused is app.table
        assert shown(footer) == on_the_list
        await pilot.press("slash")  # the tag input: its printable app keys are the text's
        assert shown(footer) == composed(footer) and len(shown(footer)) < len(on_the_list)
        assert list(footer.query(FooterKey)) == keys  # the same widgets all along: none remounted
        # The palette's key stays where Textual puts it.
        assert footer.query(".-command-palette")


async def test_the_footer_changes_its_keys_in_the_handler_that_moves_the_focus(catalog):
    """Not a message later: keys shown or hidden after the screen began its layout for the
    focus change asked for a second layout (the queue's opening drew two frames)."""
    app = make_app(catalog, tags=["cooking"])
    async with app.run_test(size=(120, 36)) as pilot:
        footer = await footer_with_the_list_focused(app, pilot)
        await pilot.press("u", "escape")  # the queue's keys, never shown before, are mounted
        app.action_show_queue()  # as the key's handler runs it: no message handled between
        assert app.focused is app.queue_panel
        assert PLAY not in shown(footer) and shown(footer) == composed(footer)
        app.action_show_queue()
        assert app.focused is app.table
        assert PLAY in shown(footer) and shown(footer) == composed(footer)
