"""Remapped keys from a new user's config: onto a key a widget uses, and keys that do not exist."""

from __future__ import annotations

import pytest

from tests.app.test_ui_app import Recorder
from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tiktune_tui.config import Settings
from tiktune_tui.ui.keymap import check_keymap, is_key_name


@pytest.fixture
def catalog(tmp_path):
    return write_catalog(tmp_path / "ui.csv")


async def test_the_readme_remap_onto_the_tables_own_k_plays(catalog):
    app = make_app(catalog, tags=["cooking", "diy"], settings=Settings(keys={"play-pause": "space,k"}))
    async with app.run_test() as pilot:
        await wait_for_search(pilot)
        player = Recorder(app)
        app.table.focus()
        await pilot.press("j")
        assert app.table.cursor_row == 1
        await pilot.press("k")
        # The app's binding won: the song under the cursor plays; the cursor did not move up.
        assert player.names == ["play_songs"] and app.table.cursor_row == 1
        await pilot.press("up")  # the table's other keys still move
        assert app.table.cursor_row == 0


async def test_an_invalid_key_name_is_refused_naming_the_binding(catalog):
    app = make_app(catalog, tags=["cooking"], settings=Settings(keys={"play-pause": "notakey!!"}))
    async with app.run_test(notifications=True) as pilot:
        await wait_for_search(pilot)
        messages = [n.message for n in app._notifications]
        assert any("play-pause" in m and "notakey!!" in m for m in messages), messages
        player = Recorder(app)
        app.table.focus()
        await pilot.press("space")  # the default is kept
        assert player.names == ["play_songs"]


def test_key_names():
    for good in ("k", "K", "space", "ctrl+n", "f5", "less_than_sign", "<", "?", "shift+tab", "enter"):
        assert is_key_name(good), good
    for bad in ("notakey!!", "ctrl+", "hyperdrive+x", "spacebar", ""):
        assert not is_key_name(bad), bad
    checked = check_keymap({"mute": "m,bogus key", "quit": "ctrl+q"})
    assert checked.keymap == {"quit": "ctrl+q"}
    assert len(checked.problems) == 1 and "mute" in checked.problems[0] and "'bogus key'" in checked.problems[0]
