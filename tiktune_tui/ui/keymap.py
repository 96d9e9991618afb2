"""Every key binding of the app, with the ids users remap in config.toml [keys].

The bindings live here, not scattered over widgets, so the help screen, the
command palette and the keymap loader all read one list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import Keys, key_to_character

# App-level: they fire wherever the focus is, unless the tag input would have
# taken the key as text (see TiktuneApp.check_action).
SEARCH_BINDINGS = [
    Binding("slash", "focus_tags", "Tags", id="focus-tags", show=False, tooltip="Type hashtags"),
    Binding("ctrl+r,f5", "refresh", "Refresh", id="refresh", show=False, tooltip="Run the query again"),
]
RESULT_BINDINGS = [
    Binding("s", "sort_next", "Sort", id="sort-next", show=False, tooltip="Sort by the next column"),
    Binding("r", "sort_reverse", "Reverse sort", id="sort-reverse", show=False, tooltip="Flip the sort order"),
    Binding("e", "export", "Export", id="export", tooltip="Put the song over your video"),
    Binding(
        "o", "cycle_rank", "Mode", id="cycle-rank", tooltip="Next ranking mode: popular, fit, uses, momentum, rising"
    ),
    Binding(
        "t",
        "cycle_since",
        "Period",
        id="cycle-since",
        show=False,
        tooltip="Only videos posted in the last 120, 30 or 7 days count, or all",
    ),
    *[
        Binding(str(n), f"add_related({n - 1})", f"Add related tag {n}", id=f"add-related-{n}", show=False)
        for n in range(1, 6)
    ],
]
PLAYER_BINDINGS = [
    Binding(
        "space",
        "play_pause",
        "Play/pause",
        id="play-pause",
        tooltip="Pause or resume; with nothing loaded, play the selected song",
    ),
    Binding("n", "next_song", "Next", id="next-song", tooltip="Next song"),
    Binding("p", "previous_song", "Previous", id="previous-song", show=False, tooltip="Previous song"),
    Binding("less_than_sign", "seek(-5)", "Back 5 s", id="seek-back", show=False),
    Binding("greater_than_sign", "seek(5)", "Forward 5 s", id="seek-forward", show=False),
    Binding("plus,equals_sign", "volume(5)", "Volume up", id="volume-up", show=False),
    Binding("minus", "volume(-5)", "Volume down", id="volume-down", show=False),
    Binding("m", "mute", "Mute", id="mute", show=False),
]
APP_BINDINGS_TAIL = [
    Binding("question_mark", "help", "Help", id="help", tooltip="This list of keys"),
    Binding("q", "quit", "Quit", id="quit"),
]
# The creator's workflow: a shortlist kept across searches, a queue, finding within results.
WORKFLOW_BINDINGS = [
    Binding(
        "b",
        "toggle_saved",
        "Save",
        id="save-song",
        show=False,
        tooltip="Save the selected song to the shortlist, or unsave it",
    ),
    Binding(
        "B",
        "show_saved",
        "Shortlist",
        id="show-saved",
        show=False,
        tooltip="The saved songs instead of the results, and back",
    ),
    Binding(
        "f",
        "find",
        "Find",
        id="find",
        show=False,
        tooltip="Filter the list by title or artist; -tag drops songs whose videos all carry #tag",
    ),
    Binding("u", "show_queue", "Queue", id="show-queue", show=False, tooltip="Show or hide the play queue"),
    Binding(
        "a",
        "queue_add(False)",
        "Queue at end",
        id="queue-add",
        show=False,
        tooltip="Add the selected song at the end of the queue",
    ),
    Binding(
        "A",
        "queue_add(True)",
        "Play next",
        id="queue-next",
        show=False,
        tooltip="Add the selected song after the playing one",
    ),
    Binding(
        "i",
        "jump_playing",
        "To playing song",
        id="jump-playing",
        show=False,
        tooltip="Move the cursor to the song that plays",
    ),
    Binding(
        "z",
        "toggle_shuffle",
        "Shuffle",
        id="shuffle",
        show=False,
        tooltip="Shuffle what is still to come, or unshuffle it",
    ),
    Binding("x", "cycle_repeat", "Repeat", id="repeat", show=False, tooltip="Repeat off, all, one"),
    Binding(
        "c",
        "copy_link(False)",
        "Copy song link",
        id="copy-song-link",
        show=False,
        tooltip="Copy the song's TikTok link (OSC 52: works over SSH)",
    ),
    Binding(
        "C",
        "copy_link(True)",
        "Copy video link",
        id="copy-video-link",
        show=False,
        tooltip="Copy the top video's TikTok link",
    ),
    Binding(
        "w",
        "open_link",
        "Open song link",
        id="open-link",
        show=False,
        tooltip="Open the song's TikTok page in the desktop's browser",
    ),
    Binding(
        "F",
        "toggle_match_all",
        "Match all tags",
        id="match-all",
        show=False,
        tooltip="Only songs matched by every tag (as --all), or any",
    ),
]
APP_BINDINGS = [*SEARCH_BINDINGS, *RESULT_BINDINGS, *PLAYER_BINDINGS, *WORKFLOW_BINDINGS, *APP_BINDINGS_TAIL]

# On the queue panel.
QUEUE_BINDINGS = [
    Binding("delete,backspace,d", "remove_queued", "Remove from queue", id="queue-remove", show=False),
    Binding("K,shift+up", "move_queued(-1)", "Move up in queue", id="queue-up", show=False),
    Binding("J,shift+down", "move_queued(1)", "Move down in queue", id="queue-down", show=False),
    Binding("escape", "leave_queue", "Back to the list", id="queue-leave", show=False),
]

# In the find input.
FIND_BINDINGS = [
    Binding("escape", "clear_find", "Clear the filter", id="find-clear", show=False),
]

# On the results table (replacing DataTable's own enter binding, so "play" can be remapped).
TABLE_BINDINGS = [
    Binding("enter", "select_cursor", "Play", id="play", tooltip="Play from the selected song on"),
    Binding("j", "cursor_down", "Down", id="cursor-down", show=False),
    Binding("k", "cursor_up", "Up", id="cursor-up", show=False),
    Binding("g", "scroll_top", "First row", id="first-row", show=False),
    Binding("G", "scroll_bottom", "Last row", id="last-row", show=False),
]

# In the tag input.
INPUT_BINDINGS = [
    Binding("up", "history_previous", "Previous query", id="history-previous", show=False),
    Binding("down", "history_next", "Next query, then the results", id="history-next", show=False),
    Binding("escape", "leave", "To results", id="leave-tags", show=False),
]

# In the export window. ctrl+s from any field, so the button at the bottom is never 11 Tabs
# away; ctrl+l ("listen") renders and plays the preview. Priority: an Input would otherwise
# keep the key.
EXPORT_BINDINGS = [
    Binding("escape", "cancel", "Cancel", id="export-cancel", tooltip="Close the export window"),
    Binding("ctrl+s", "run_export", "Export", id="export-run", priority=True, tooltip="Export with these settings"),
    Binding(
        "ctrl+l", "preview", "Preview", id="export-preview", priority=True, tooltip="Hear the first 10 s of the mix"
    ),
]

# On the help screen itself.
HELP_SCREEN_BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close this help", id="help-close")]

HELP_SECTIONS: list[tuple[str, list[Binding]]] = [
    ("Search", [*SEARCH_BINDINGS, *INPUT_BINDINGS]),
    ("Results", [*TABLE_BINDINGS, *RESULT_BINDINGS]),
    ("Player", PLAYER_BINDINGS),
    ("Queue and shortlist", [*WORKFLOW_BINDINGS, *QUEUE_BINDINGS, *FIND_BINDINGS]),
    ("Export window", EXPORT_BINDINGS),
    ("App", [*APP_BINDINGS_TAIL, *HELP_SCREEN_BINDINGS]),
]

# Keys Textual itself provides; listed in help so the screen shows every binding.
BUILTIN_KEYS: list[tuple[str, str, str]] = [
    ("Search", "→", "accept the suggested tag"),
    ("Search", "enter", "run the query"),
    ("Results", "↑ ↓ pgup pgdn", "move"),
    ("App", "tab  shift+tab", "move the focus"),
    ("App", "ctrl+p", "command palette (every action)"),
    ("App", "ctrl+q", "quit"),
]


def binding_ids() -> set[str]:
    return {b.id for _, bindings in HELP_SECTIONS for b in bindings if b.id}


def _normal_key(key: str) -> str:
    """A key as Textual names it: "?" is "question_mark", as in the bindings it compares with."""
    key = key.strip()
    if len(key) != 1:
        return key
    # Textual's public way to spell a one-character key (make_bindings expands BINDINGS so).
    (binding,) = Binding.make_bindings([Binding(key, "")])
    return binding.key


def effective_keys(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The keys that trigger `binding` once the user's keymap is applied."""
    keys = keymap.get(binding.id or "", binding.key)
    return [_normal_key(k) for k in keys.split(",") if k.strip()]


def is_printable(key: str) -> bool:
    """Would a focused Input take this key as text?"""
    character = key_to_character(key)
    return character is not None and character.isprintable()


MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(key.value for key in Keys if "+" not in key.value and not key.value.startswith("<"))


def is_key_name(key: str) -> bool:
    """Is `key` something a terminal can send (`k`, `space`, `ctrl+n`, `less_than_sign`, `f5`)?
    Textual accepts any string as a key and the binding then never fires."""
    *modifiers, base = _normal_key(key).split("+")
    if not base or any(modifier not in MODIFIERS for modifier in modifiers):
        return False
    return base in _NAMED_KEYS or key_to_character(base) is not None


def app_keys(keymap: Mapping[str, str]) -> frozenset[str]:
    """Every key an app binding answers to once `keymap` is applied: widgets yield these."""
    return frozenset(key for binding in APP_BINDINGS for key in effective_keys(binding, keymap))


@dataclass(frozen=True)
class KeymapCheck:
    keymap: dict[str, str]
    problems: list[str]


def check_keymap(keys: Mapping[str, str], known: Iterable[str] | None = None) -> KeymapCheck:
    """Keep the [keys] entries that name a binding; explain the others."""
    known = set(binding_ids() if known is None else known)
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in keys.items():
        if binding_id not in known:
            problems.append(f"[keys] {binding_id!r} is not a binding id (see ? in the app)")
        elif not value.strip() or any(not part.strip() for part in value.split(",")):
            problems.append(f"[keys] {binding_id} = {value!r} names no key")
        elif bad := [part.strip() for part in value.split(",") if not is_key_name(part)]:
            problems.append(
                f"[keys] {binding_id} = {value!r}: {bad[0]!r} is not a key name "
                "(keys look like k, space, ctrl+n, f5); the default is kept"
            )
        else:
            keymap[binding_id] = ",".join(_normal_key(k) for k in value.split(","))
    return KeymapCheck(keymap, problems)
