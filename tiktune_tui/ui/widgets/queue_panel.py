"""The play queue, beside (or under) the results: what plays now and what comes next.

It shows the player's queue as the player reports it (PlayerStatus.songs) and asks for
changes by message; the player owns the order. One line per song, drawn on demand,
so a 1,000-song queue opens as fast as a short one.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tiktune_tui.core.models import Song
from tiktune_tui.text import terminal_safe
from tiktune_tui.ui.keymap import QUEUE_BINDINGS


def queue_line(position: int, song: Song, playing: bool, dead: bool) -> Text:
    line = Text(f"{position + 1:>3} ", style="dim")
    line.append("▶ " if playing else "  ", style="bold")
    title = Text(terminal_safe(song.display_title), style="bold" if playing else "")
    if dead:
        title.stylize("strike dim")
    line.append_text(title)
    if song.author:
        line.append(" — ", style="dim")
        line.append(terminal_safe(song.author), style="dim")
    return line


class QueuePanel(OptionList):
    BINDINGS = QUEUE_BINDINGS

    class Edit(Message):
        """The user asked for a change to the queue: `action` is play, remove, up or down."""

        def __init__(self, action: str, index: int) -> None:
            super().__init__()
            self.action = action
            self.index = index

    def __init__(self, *, id: str = "queue") -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.border_title = "Queue"
        self._shown: tuple[tuple[str, ...], int | None, frozenset[str]] | None = None

    def show_queue(self, songs: Sequence[Song], current: int | None, dead: frozenset[str] = frozenset()) -> None:
        """Redraw only when the queue itself changed (the player reports its position often)."""
        key = (tuple(song.id for song in songs), current, dead)
        if key == self._shown:
            return
        self._shown = key
        keep = self.highlighted
        self.clear_options()
        if not songs:
            self.add_option(Option(Text("Nothing queued: enter plays from the selected song, a adds it.", style="dim"), disabled=True))
            return
        self.add_options(
            Option(queue_line(n, song, n == current, song.id in dead)) for n, song in enumerate(songs)
        )
        target = keep if keep is not None else (current or 0)
        self.highlighted = min(max(target, 0), len(songs) - 1)

    @property
    def song_count(self) -> int:
        return len(self._shown[0]) if self._shown else 0

    def _ask(self, action: str, index: int | None = None) -> None:
        index = self.highlighted if index is None else index
        if index is not None and 0 <= index < self.song_count:
            self.post_message(self.Edit(action, index))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._ask("play", event.option_index)

    def action_remove_queued(self) -> None:
        self._ask("remove")

    def action_move_queued(self, delta: int) -> None:
        index = self.highlighted
        if index is None or not 0 <= index + delta < self.song_count:
            return
        self._ask("up" if delta < 0 else "down")
        self.highlighted = index + delta  # the cursor moves with the song

    def action_leave_queue(self) -> None:
        self.post_message(self.Edit("leave", -1))
