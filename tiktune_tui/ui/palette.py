"""The command palette: every action of the app, each named with the key that runs it now.

The keys come from the keymap (the bindings in ui/keymap.py with the user's [keys] applied),
so a remapped key shows as remapped here too, as on the help screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.keys import format_key

from tiktune_tui.core import modes
from tiktune_tui.ui.keymap import HELP_SECTIONS, effective_keys
from tiktune_tui.ui.widgets.song_table import COLUMNS

_BINDINGS_BY_ID: dict[str, Binding] = {b.id: b for _, bindings in HELP_SECTIONS for b in bindings if b.id}


@dataclass(frozen=True, slots=True)
class PaletteEntry:
    title: str
    help: str
    action: str  # the app method, with its arguments below
    binding_id: str | None = None  # the key shown in the help, if the action has one
    args: tuple[object, ...] = ()


ENTRIES: tuple[PaletteEntry, ...] = (
    PaletteEntry("Search tags", "Focus the tag input", "action_focus_tags", "focus-tags"),
    PaletteEntry("Play selected song", "Play the songs from the selected row", "action_play", "play"),
    PaletteEntry("Export to a video", "Put the selected song over your video", "action_export", "export"),
    PaletteEntry("Pause or resume", "Toggle playback", "action_play_pause", "play-pause"),
    PaletteEntry("Next song", "Skip to the next song", "action_next_song", "next-song"),
    PaletteEntry("Previous song", "Back to the previous song", "action_previous_song", "previous-song"),
    PaletteEntry("Seek back 5 s", "", "action_seek", "seek-back", (-5,)),
    PaletteEntry("Seek forward 5 s", "", "action_seek", "seek-forward", (5,)),
    PaletteEntry("Volume up", "", "action_volume", "volume-up", (5,)),
    PaletteEntry("Volume down", "", "action_volume", "volume-down", (-5,)),
    PaletteEntry("Mute or unmute", "", "action_mute", "mute"),
)
TAIL_ENTRIES: tuple[PaletteEntry, ...] = (
    PaletteEntry("Reverse sort", "Flip the sort order", "action_sort_reverse", "sort-reverse"),
    PaletteEntry("Next ranking mode", f"Cycle {' → '.join(modes.MODE_NAMES)}", "action_cycle_rank", "cycle-rank"),
    PaletteEntry("Refresh results", "Run the query again", "action_refresh", "refresh"),
    PaletteEntry("Help: keys", "Every key binding", "action_help", "help"),
)


def key_name(binding_id: str, keymap: Mapping[str, str]) -> str | None:
    """The first key that runs binding `binding_id` with `keymap` applied, as a user types it."""
    binding = _BINDINGS_BY_ID.get(binding_id)
    keys = effective_keys(binding, keymap) if binding is not None else []
    return format_key(keys[0]) if keys else None


def entry_help(entry: PaletteEntry, keymap: Mapping[str, str]) -> str:
    key = key_name(entry.binding_id, keymap) if entry.binding_id else None
    if key is None:
        return entry.help
    return f"{entry.help} ({key})" if entry.help else f"({key})"


def _command(app: App, entry: PaletteEntry, keymap: Mapping[str, str]) -> SystemCommand:
    callback: Callable[[], object] = partial(getattr(app, entry.action), *entry.args)
    return SystemCommand(entry.title, entry_help(entry, keymap), callback)


def palette_commands(app: App, keymap: Mapping[str, str], builtin: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """`builtin` (Textual's own commands) without its "Keys" panel, then the app's actions."""
    # Textual's "Keys" panel duplicates the help screen and does not close with escape;
    # the rest of its commands (theme, screenshot, quit) stay.
    yield from (command for command in builtin if command.title != "Keys")
    for entry in ENTRIES:
        yield _command(app, entry, keymap)
    for column in COLUMNS:
        name = "rank" if column.key == "rank" else column.label.lower()
        yield SystemCommand(f"Sort by {name}", "Sort the results by this column", partial(app.sort_by, column.key))
    for entry in TAIL_ENTRIES:
        yield _command(app, entry, keymap)


__all__ = ["ENTRIES", "TAIL_ENTRIES", "PaletteEntry", "entry_help", "key_name", "palette_commands"]
