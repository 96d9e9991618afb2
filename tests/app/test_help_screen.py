"""The help screen shows its text literally: "[keys]" names the config.toml table, it is no markup."""

from __future__ import annotations

import html
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
