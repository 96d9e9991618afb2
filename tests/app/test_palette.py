"""The command palette names the keys the keymap gives, remapped ones included."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList

from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tiktune_tui.config import load_settings
from tiktune_tui.ui.keymap import binding_ids
from tiktune_tui.ui.palette import ENTRIES, TAIL_ENTRIES, entry_help, key_name


@pytest.fixture
def catalog(tmp_path) -> Path:
    return write_catalog(tmp_path / "ui.csv")


async def palette_options(pilot, typed: str) -> list[str]:
    """The palette's options (title and help) after typing `typed`, once it has searched."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await pilot.press(*typed)
    for _ in range(500):
        await pilot.pause(0.01)
        if app.screen.query(CommandList) and app.screen.query_one(CommandList).option_count:
            break
    prompts = []
    for option in app.screen.query_one(CommandList).options:
        prompt = option.prompt
        prompts.append(prompt.plain if hasattr(prompt, "plain") else str(prompt))
    return prompts


async def test_a_remapped_key_is_named_in_the_palette(catalog, isolated_user_dirs):
    config = isolated_user_dirs / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[keys]\nnext-song = "ctrl+n"\nmute = "M"\n', encoding="utf-8")
    app = make_app(catalog, tags=["cooking"], settings=load_settings())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_search(pilot)
        app.table.focus()
        options = await palette_options(pilot, "next song")
        next_song = [option for option in options if "Next song" in option]
        assert next_song and "(ctrl+n)" in next_song[0], options
        assert "(n)" not in next_song[0]
        await pilot.press("escape")
        options = await palette_options(pilot, "mute or")
        assert any("Mute" in option and "(M)" in option for option in options), options


async def test_default_keys_are_named_as_typed(catalog):
    app = make_app(catalog)
    async with app.run_test():
        helps = {command.title: command.help for command in app.get_system_commands(app.screen)}
    assert helps["Next song"] == "Skip to the next song (n)"
    assert helps["Seek back 5 s"] == "(<)"
    assert helps["Volume up"] == "(+)"
    assert helps["Refresh results"] == "Run the query again (ctrl+r)"
    assert helps["Help: keys"] == "Every key binding (?)"


def test_every_palette_entry_names_a_real_binding_and_action():
    from tiktune_tui.ui.app import TiktuneApp

    for entry in (*ENTRIES, *TAIL_ENTRIES):
        assert entry.binding_id in binding_ids(), entry
        assert callable(getattr(TiktuneApp, entry.action)), entry
        assert key_name(entry.binding_id, {}) is not None
    assert entry_help(ENTRIES[4], {"next-song": "ctrl+n"}).endswith("(ctrl+n)")
