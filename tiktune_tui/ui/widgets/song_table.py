"""The ranked songs: a line-API table that renders only the rows on screen.

Textual's DataTable measures every cell of every row (6 s for 10,000 songs on
this machine); this table sizes its columns from the terminal width instead,
so showing, sorting and moving through 10,000 rows costs milliseconds. Rows
are keyed by song id, so the cursor follows the song across sorts and refreshes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from tiktune_tui.core.models import Song
from tiktune_tui.core.results import SongRank
from tiktune_tui.text import short_count, short_score, terminal_safe
from tiktune_tui.ui.keymap import TABLE_BINDINGS, effective_keys
from tiktune_tui.ui.widgets.line_view import LineView


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # 0: shares what the fixed columns leave, by `share`
    numeric: bool
    value: Callable[[SongRank], object]
    share: int = 0


COLUMNS: tuple[Column, ...] = (
    Column("rank", "#", 0, True, lambda r: r.rank),
    Column("title", "Title", 0, False, lambda r: r.song.display_title.casefold(), share=40),
    Column("artist", "Artist", 0, False, lambda r: r.song.author.casefold(), share=25),
    Column("score", "Score", 6, True, lambda r: r.score),
    Column("plays", "Plays", 6, True, lambda r: r.stats.play),
    Column("likes", "Likes", 6, True, lambda r: r.stats.digg),
    Column("comments", "Cmts", 6, True, lambda r: r.stats.comment),
    Column("shares", "Shares", 6, True, lambda r: r.stats.share),
    Column("uses", "Uses", 4, True, lambda r: r.videos),
    Column("tags", "Tags", 0, False, lambda r: (-len(r.matched_tags), r.matched_tags), share=35),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
GAP = 1


def row_cells(row: SongRank) -> list[Text]:
    """The cells of one song; every piece of TikTok text is literal (Text, control chars made visible)."""
    song = row.song
    return [
        Text(str(row.rank), style="dim"),
        Text(terminal_safe(song.display_title)),
        Text(terminal_safe(song.author)),
        Text(short_score(row.score)),
        Text(short_count(row.stats.play)),
        Text(short_count(row.stats.digg)),
        Text(short_count(row.stats.comment)),
        Text(short_count(row.stats.share)),
        Text(str(row.videos)),
        Text(" ".join("#" + terminal_safe(tag) for tag in row.matched_tags)),
    ]


def column_widths(width: int, rank_width: int) -> list[int]:
    """Fixed columns first; title, artist and tags split what is left (at least 4 each)."""
    fixed = [rank_width if c.key == "rank" else c.width for c in COLUMNS]
    spare = max(0, width - sum(fixed) - GAP * (len(COLUMNS) - 1))
    shares = sum(c.share for c in COLUMNS)
    widths = []
    for column, size in zip(COLUMNS, fixed):
        widths.append(size if column.share == 0 else max(4, spare * column.share // shares))
    # Rounding leftovers go to the tags, the last column.
    widths[-1] += max(0, width - sum(widths) - GAP * (len(COLUMNS) - 1))
    return widths


class SongTable(LineView, can_focus=True):
    BINDINGS = [
        *TABLE_BINDINGS,
        ("up", "cursor_up"),
        ("down", "cursor_down"),
        ("pageup", "page_up"),
        ("pagedown", "page_down"),
        ("home", "scroll_top"),
        ("end", "scroll_bottom"),
    ]
    COMPONENT_CLASSES = {"song-table--header", "song-table--cursor", "song-table--odd", "song-table--sorted"}

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to another song (or the rows changed under it)."""

        def __init__(self, table: SongTable, row: SongRank | None) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> SongTable:
            return self.table

    class Selected(Message):
        """Enter (or a click on the cursor row): play from this row."""

        def __init__(self, table: SongTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> SongTable:
            return self.table

    class SortChanged(Message):
        """The sort changed by mouse; the app refreshes its status line."""

    def __init__(self, *, id: str = "songs") -> None:
        super().__init__(id=id)
        self.rows: list[SongRank] = []
        self.rows_by_song: dict[str, SongRank] = {}
        self._positions: dict[str, int] = {}
        self._cells: dict[str, list[Text]] = {}
        self.sort_column = "rank"
        self.sort_reverse = False
        self._widths: list[int] = []
        # key -> the table's actions on it that step aside for an app binding on the same key
        # (after the user's keymap), so `play-pause = "space,k"` plays on k, not moves up.
        self._yielded: dict[str, set[str]] = {}
        # Marks drawn before the title (nothing when nothing is playing or saved, so the
        # plain list looks as it always did); keyed by song, so they follow every sort.
        self.playing_id: str | None = None
        self.saved_ids: frozenset[str] = frozenset()
        # The find filter: every row, and the predicate that picks those shown.
        self._all_rows: list[SongRank] = []
        self._keep: Callable[[SongRank], bool] | None = None
        self._key_in_progress: str | None = None
        self._rank_width = 2

    # --- contents -------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def current_row(self) -> SongRank | None:
        return self.rows[self.cursor_row] if self.rows else None

    @property
    def current_song_id(self) -> str | None:
        row = self.current_row
        return None if row is None else row.song.id

    def song_ids(self) -> list[str]:
        return [row.song.id for row in self.rows]

    def songs_in_view_order(self) -> list[Song]:
        return [row.song for row in self.rows]

    def cells(self, song_id: str) -> list[Text]:
        """The cells shown for a song, before they are fitted to their columns."""
        cells = self._cells.get(song_id)
        if cells is None:
            cells = self._cells[song_id] = row_cells(self.rows_by_song[song_id])
        return cells

    def show_rows(self, rows: Sequence[SongRank], keep_selection: bool = True) -> None:
        """Replace the rows and keep the sort; the cursor stays on the same song if it is still
        there and `keep_selection`, else it goes to the top."""
        keep = self.current_song_id if keep_selection else None
        self._all_rows = list(rows)
        self.rows_by_song = {row.song.id: row for row in rows}
        self._cells = {}
        self._filter_rows()
        self._apply_sort()
        self._move_to(keep)

    def set_filter(self, keep: Callable[[SongRank], bool] | None) -> None:
        """Show only the rows `keep` accepts (None: all); the cursor stays on its song if shown."""
        song_id = self.current_song_id
        self._keep = keep
        self._filter_rows()
        self._apply_sort()
        self._move_to(song_id)

    @property
    def all_rows(self) -> list[SongRank]:
        """Every row, the find filter aside, in the order given."""
        return list(self._all_rows)

    @property
    def total_count(self) -> int:
        """Rows before the find filter."""
        return len(self._all_rows)

    def _filter_rows(self) -> None:
        keep = self._keep
        self.rows = list(self._all_rows) if keep is None else [row for row in self._all_rows if keep(row)]

    def set_marks(self, playing_id: str | None, saved_ids: frozenset[str]) -> None:
        if (playing_id, saved_ids) != (self.playing_id, self.saved_ids):
            self.playing_id, self.saved_ids = playing_id, saved_ids
            self.refresh()

    def index_of(self, song_id: str | None) -> int | None:
        return self._positions.get(song_id) if song_id is not None else None

    def move_to_song(self, song_id: str) -> bool:
        index = self._positions.get(song_id)
        if index is None:
            return False
        self.cursor_row = index
        return True

    def _marked(self, song_id: str, cells: list[Text]) -> list[Text]:
        mark = ("▶ " if song_id == self.playing_id else "") + ("★ " if song_id in self.saved_ids else "")
        if not mark:
            return cells
        title = Text(mark, style="bold")
        title.append_text(cells[1])
        return [cells[0], title, *cells[2:]]

    # --- sorting --------------------------------------------------------------

    def sort_by(self, column_key: str, reverse: bool | None = None) -> None:
        """Sort by a column: numbers biggest first, text A-Z; `reverse` flips that. The cursor
        stays on the selected song (as in htop or a file manager): sorting moves rows, not you."""
        if column_key not in COLUMN_BY_KEY:
            raise ValueError(f"no column {column_key!r}")
        keep = self.current_song_id
        self.sort_column = column_key
        self.sort_reverse = bool(reverse)
        self._apply_sort()
        self._move_to(keep)

    def sort_next(self) -> None:
        keys = [column.key for column in COLUMNS]
        self.sort_by(keys[(keys.index(self.sort_column) + 1) % len(keys)])

    def toggle_sort_direction(self) -> None:
        self.sort_by(self.sort_column, not self.sort_reverse)

    def _descending(self) -> bool:
        column = COLUMN_BY_KEY[self.sort_column]
        return (column.numeric and column.key != "rank") != self.sort_reverse

    def sort_description(self) -> str:
        column = COLUMN_BY_KEY[self.sort_column]
        name = "rank" if column.key == "rank" else column.label.lower()
        return f"sorted by {name} {'↓' if self._descending() else '↑'}"

    def _apply_sort(self) -> None:
        column = COLUMN_BY_KEY[self.sort_column]
        value = column.value
        if column.numeric and column.key != "rank":
            # Ties keep the ranking's order whichever way the column goes.
            self.rows.sort(key=lambda r: (-value(r), r.rank) if not self.sort_reverse else (value(r), -r.rank))  # type: ignore[operator]
        else:
            self.rows.sort(key=lambda r: (value(r), r.rank), reverse=self.sort_reverse)
        self._positions = {row.song.id: index for index, row in enumerate(self.rows)}
        # At least 2: the header's "#" and its sort arrow. Once per change of rows, not per line drawn.
        self._rank_width = max(2, len(str(max((r.rank for r in self.rows), default=1))))
        # No width: the lines are cut to the view, never scrolled sideways; so a resize (the
        # queue panel opening beside the list) needs no second layout to update it.
        self.virtual_size = Size(0, len(self.rows) + 1)
        self.refresh()

    def _move_to(self, song_id: str | None) -> None:
        index = self._positions.get(song_id, 0) if song_id is not None else 0
        self.cursor_row = index

    # --- the cursor -----------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.rows) - 1))

    def watch_cursor_row(self, row: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current_row))

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._page:
            self.scroll_to(y=self.cursor_row - self._page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._page

    def action_page_down(self) -> None:
        self.cursor_row += self._page

    def action_scroll_top(self) -> None:
        self.cursor_row = 0

    def action_scroll_bottom(self) -> None:
        self.cursor_row = len(self.rows) - 1

    def action_select_cursor(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self, self.cursor_row))

    # --- keys the app claims ---------------------------------------------------

    def yield_keys(self, app_keys: Iterable[str], keymap: Mapping[str, str]) -> None:
        """The app's bindings answer to `app_keys`: the table's own bindings on them step aside."""
        claimed = set(app_keys)
        self._yielded = {}
        for binding in Binding.make_bindings(self.BINDINGS):
            keys = effective_keys(binding, keymap) if binding.id else [binding.key]
            for key in keys:
                if key in claimed:
                    self._yielded.setdefault(key, set()).add(binding.action)

    def on_key(self, event: events.Key) -> None:
        # Bindings are looked up after the focused widget saw the key: remember which key it is.
        self._key_in_progress = event.key

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self._yielded.get(self._key_in_progress or "", ()):
            return False  # the lookup goes on up the DOM, to the app's binding
        return True

    # --- the mouse ------------------------------------------------------------

    def _column_at(self, x: int) -> str | None:
        left = 0
        for column, width in zip(COLUMNS, self._widths):
            if left <= x < left + width + GAP:
                return column.key
            left += width + GAP
        return None

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            key = self._column_at(event.x)
            if key is not None:
                if key == self.sort_column:
                    self.toggle_sort_direction()
                else:
                    self.sort_by(key)
                self.post_message(self.SortChanged())
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < len(self.rows):
            if index == self.cursor_row:
                self.action_select_cursor()
            else:
                self.cursor_row = index

    # --- rendering ------------------------------------------------------------

    def _layout(self, width: int) -> list[int]:
        self._widths = column_widths(width, self._rank_width)
        return self._widths

    def _line(
        self, cells: Sequence[Text], widths: Sequence[int], style: Style, sorted_style: Style | None = None
    ) -> Strip:
        segments: list[Segment] = []
        console = self.app.console
        for index, (column, cell, width) in enumerate(zip(COLUMNS, cells, widths)):
            if index:
                segments.append(Segment(" " * GAP, style))
            sorted_cell = sorted_style is not None and column.key == self.sort_column
            if not cell.spans and not sorted_cell:
                # The common cell, one piece of plain text: fitted as the Text calls below would fit
                # it (a Text without spans renders without its own style), at a fraction of the cost.
                segments.append(Segment(_fit(cell.plain, width, column.numeric), style))
                continue
            text = cell.copy()
            text.truncate(width, overflow="ellipsis")
            if sorted_cell:
                text.stylize(sorted_style)
            if column.numeric:
                text.align("right", width)
            else:
                text.pad_right(width - text.cell_len)
            segments.extend(Segment.apply_style(text.render(console), style))
        return Strip(segments)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self._layout(width)
        base = self.rich_style
        if y == 0:
            header_style = base + self.get_component_rich_style("song-table--header")
            arrow = "▼" if self._descending() else "▲"
            labels = [
                Text(c.label[: max(1, w - 1)] + arrow if c.key == self.sort_column else c.label)
                for c, w in zip(COLUMNS, widths)
            ]
            sorted_style = self.get_component_rich_style("song-table--sorted")
            return self._line(labels, widths, header_style, sorted_style).extend_cell_length(width, header_style)
        index = int(self.scroll_y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        style = base
        if index % 2:
            style += self.get_component_rich_style("song-table--odd")
        if index == self.cursor_row:
            style += self.get_component_rich_style("song-table--cursor")
        cells = self._marked(row.song.id, self.cells(row.song.id))
        return self._line(cells, widths, style).extend_cell_length(width, style)

    # Only the cursor's line looks different with and without the focus.
    def on_focus(self) -> None:
        self.refresh_line(self.cursor_row + 1)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor_row + 1)


def _fit(plain: str, width: int, right: bool) -> str:
    """`plain` cut to `width` cells with an ellipsis, then padded to it (on the left: `right`)."""
    length = cell_len(plain)
    if length > width:
        plain = set_cell_size(plain, width - 1) + "…"
        length = cell_len(plain)
    pad = " " * (width - length)
    return pad + plain if right else plain + pad
