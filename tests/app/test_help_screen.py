"""The help screen shows its text literally: "[keys]" names the config.toml table, it is no markup."""

from __future__ import annotations

import html
import io
from pathlib import Path

from textual.app import App

import tiktune_tui.ui
from tiktune_tui.ui.screens.help_screen import HelpScreen


class HelpApp(App):
    CSS_PATH = Path(tiktune_tui.ui.__file__).parent / "tiktune.tcss"


async def test_the_border_says_which_config_table_remaps_keys():
    app = HelpApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await app.push_screen(HelpScreen({}))
        await pilot.pause()
        screen = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "remap by id in config.toml [keys] · esc closes" in screen


def test_the_export_window_keys_are_listed_and_follow_the_keymap():
    from rich.console import Console

    from tiktune_tui.ui.keymap import binding_ids, check_keymap
    from tiktune_tui.ui.screens.help_screen import help_table

    assert {"export-run", "export-preview", "export-cancel"} <= binding_ids()
    assert check_keymap({"export-run": "ctrl+e"}).problems == []
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(help_table({"export-run": "ctrl+e"}, App().get_key_display))
    text = console.export_text()
    section = text[text.index("Export window") :]
    assert "^e" in section and "Export with these settings" in section and "export-run" in section
    assert "Hear the first 10 s of the mix" in section
