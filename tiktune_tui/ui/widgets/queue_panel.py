"""The play queue, beside (or under) the results: what plays now and what comes next.

It shows the player's queue as the player reports it (PlayerStatus.songs) and asks for
changes by message; the player owns the order. One line per song, drawn on demand,
so a 1,000-song queue opens as fast as a short one.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from tiktune_tui.core.models import Song
from tiktune_tui.text import terminal_safe
from tiktune_tui.ui.keymap import QUEUE_BINDINGS
from tiktune_tui.ui.widgets.line_view import LineView


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


class QueuePanel(LineView, can_focus=True):
    """A line-API list: only the lines on screen are drawn (a 1,000-song queue opens at once)."""

    BINDINGS = [
        *QUEUE_BINDINGS,
        Binding("enter", "play_queued", "Play this song", show=False),
        Binding("up,k", "cursor(-1)", show=False),
        Binding("down,j", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home,g", "cursor_to(0)", show=False),
        Binding("end,G", "cursor_to(-1)", show=False),
    ]
    COMPONENT_CLASSES = {"queue-panel--cursor"}

    highlighted: reactive[int] = reactive(0, always_update=True, init=False)

    class Edit(Message):
        """The user asked for a change to the queue: `action` is play, remove, up, down or leave."""

        def __init__(self, action: str, index: int) -> None:
            super().__init__()
            self.action = action
            self.index = index

    def __init__(self, *, id: str = "queue") -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.border_title = "Queue"
        self._songs: tuple[Song, ...] = ()
        self._current: int | None = None
        self._dead: frozenset[str] = frozenset()
        self._shown: tuple | None = None

    def show_queue(self, songs: Sequence[Song], current: int | None, dead: frozenset[str] = frozenset()) -> None:
        """Redraw only when the queue itself changed (the player reports its position often)."""
        key = (tuple(songs), current, dead)
        if key == self._shown:
            return
        first = self._shown is None or not self._shown[0]
        self._shown = key
        self._songs, self._current, self._dead = key
        # No width: lines are cut to the view (a resize then needs no second layout).
        self.virtual_size = Size(0, max(1, len(self._songs)))
        target = (current or 0) if first else self.highlighted
        self.highlighted = min(max(target, 0), max(0, len(self._songs) - 1))
        self.refresh()

    @property
    def song_count(self) -> int:
        return len(self._songs)

    def validate_highlighted(self, value: int) -> int:
        return min(max(value, 0), max(0, len(self._songs) - 1))

    def watch_highlighted(self) -> None:
        top = int(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        if self.highlighted < top:
            self.scroll_to(y=self.highlighted, animate=False, immediate=True)
        elif self.highlighted >= top + height:
            self.scroll_to(y=self.highlighted - height + 1, animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = int(self.scroll_y) + y
        if not self._songs:
            if y:
                return Strip.blank(width, base)
            text = Text("Nothing queued: enter plays from the selected song, a adds it.", style="dim")
        elif index >= len(self._songs):
            return Strip.blank(width, base)
        else:
            song = self._songs[index]
            text = queue_line(index, song, index == self._current, song.id in self._dead)
        style = base
        if self._songs and index == self.highlighted and self.has_focus:
            style += self.get_component_rich_style("queue-panel--cursor")
        text.truncate(width, overflow="ellipsis")
        segments = list(Segment.apply_style(text.render(self.app.console), style))
        return Strip(segments).extend_cell_length(width, style)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self.highlighted += delta

    def action_page(self, direction: int) -> None:
        self.highlighted += direction * max(1, self.scrollable_content_region.height - 1)

    def action_cursor_to(self, index: int) -> None:
        self.highlighted = index if index >= 0 else len(self._songs) - 1

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < len(self._songs):
            if index == self.highlighted:
                self._ask("play")
            self.highlighted = index

    def _ask(self, action: str, index: int | None = None) -> None:
        index = self.highlighted if index is None else index
        if 0 <= index < self.song_count:
            self.post_message(self.Edit(action, index))

    def action_play_queued(self) -> None:
        self._ask("play")

    def action_remove_queued(self) -> None:
        self._ask("remove")

    def action_move_queued(self, delta: int) -> None:
        index = self.highlighted
        if not 0 <= index + delta < self.song_count:
            return
        self._ask("up" if delta < 0 else "down")
        self.highlighted = index + delta  # the cursor moves with the song

    def action_leave_queue(self) -> None:
        self.post_message(self.Edit("leave", -1))
