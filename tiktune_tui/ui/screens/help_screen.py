"""The `?` screen: every binding with the key that triggers it now (after the user's keymap)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tiktune_tui.ui.keymap import BUILTIN_KEYS, HELP_SCREEN_BINDINGS, HELP_SECTIONS, effective_keys


def help_table(keymap: Mapping[str, str], key_display) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_column(style="dim", no_wrap=True)
    for section, bindings in HELP_SECTIONS:
        table.add_row(Text(section, style="bold underline"), "", "")
        for binding in bindings:
            keys = "  ".join(key_display(binding.with_key(key)) for key in effective_keys(binding, keymap))
            table.add_row(Text(keys), Text(binding.tooltip or binding.description), Text(binding.id or ""))
        for builtin_section, keys, description in BUILTIN_KEYS:
            if builtin_section == section:
                table.add_row(Text(keys), Text(description), "")
        table.add_row("", "", "")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = HELP_SCREEN_BINDINGS

    def __init__(self, keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.keymap = dict(keymap)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help") as scroll:
            scroll.border_title = "Keys"
            # A str would be read as markup, and "[keys]" would vanish as an unknown tag.
            scroll.border_subtitle = Text("remap by id in config.toml [keys] · esc closes")
            yield Static(help_table(self.keymap, self.app.get_key_display), id="help-body")
