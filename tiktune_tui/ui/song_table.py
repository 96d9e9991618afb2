"""The ranked songs: one row per song, keyed by song id so the cursor follows the song."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from tiktune_tui.core.models import Song
from tiktune_tui.core.ranking import SongRank
from tiktune_tui.text import short_count, terminal_safe
from tiktune_tui.ui.keymap import TABLE_BINDINGS


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None
    numeric: bool
    value: Callable[[SongRank], object]


COLUMNS: tuple[Column, ...] = (
    Column("rank", "#", None, True, lambda r: r.rank),
    Column("title", "Title", 14, False, lambda r: r.song.display_title.casefold()),
    Column("artist", "Artist", 10, False, lambda r: r.song.author.casefold()),
    Column("score", "Score", 5, True, lambda r: r.score),
    Column("plays", "Plays", 5, True, lambda r: r.stats.play),
    Column("likes", "Likes", 5, True, lambda r: r.stats.digg),
    Column("comments", "Cmts", 5, True, lambda r: r.stats.comment),
    Column("shares", "Shares", 6, True, lambda r: r.stats.share),
    Column("uses", "Uses", 4, True, lambda r: r.videos),
    Column("tags", "Tags", None, False, lambda r: (-len(r.matched_tags), r.matched_tags)),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


def _number(value: int) -> Text:
    return Text(short_count(value), justify="right")


def row_cells(row: SongRank) -> list[Text]:
    """The cells of one song; every piece of TikTok text is literal (Text, control chars made visible)."""
    song = row.song
    return [
        Text(str(row.rank), justify="right", style="dim"),
        Text(terminal_safe(song.display_title)),
        Text(terminal_safe(song.author)),
        _number(row.score),
        _number(row.stats.play),
        _number(row.stats.digg),
        _number(row.stats.comment),
        _number(row.stats.share),
        Text(str(row.videos), justify="right"),
        Text(" ".join("#" + terminal_safe(tag) for tag in row.matched_tags)),
    ]


class SongTable(DataTable):
    BINDINGS = TABLE_BINDINGS

    def __init__(self, *, id: str = "songs") -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.rows_by_song: dict[str, SongRank] = {}
        self._by_rank: dict[int, SongRank] = {}
        self.sort_column = "rank"
        self.sort_reverse = False

    def on_mount(self) -> None:
        for column in COLUMNS:
            label = Text(column.label, justify="right" if column.numeric else "left")
            self.add_column(label, width=column.width, key=column.key)

    # --- contents -------------------------------------------------------------

    @property
    def current_song_id(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    @property
    def current_row(self) -> SongRank | None:
        song_id = self.current_song_id
        return None if song_id is None else self.rows_by_song.get(song_id)

    def songs_in_view_order(self) -> list[Song]:
        return [self.rows_by_song[row.key.value].song for row in self.ordered_rows]

    def show_rows(self, rows: Sequence[SongRank]) -> None:
        """Replace the rows, keep the sort, and keep the cursor on the same song if it is still there."""
        keep = self.current_song_id
        self.clear()
        self.rows_by_song = {row.song.id: row for row in rows}
        self._by_rank = {row.rank: row for row in rows}
        for row in rows:
            self.add_row(*row_cells(row), key=row.song.id)
        self._apply_sort()
        self._move_to(keep)

    # --- sorting --------------------------------------------------------------

    def sort_by(self, column_key: str, reverse: bool | None = None) -> None:
        """Sort by a column; numbers biggest first, text A-Z, unless `reverse` says otherwise."""
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

    def sort_description(self) -> str:
        column = COLUMN_BY_KEY[self.sort_column]
        descending = column.numeric and column.key != "rank"
        if self.sort_reverse:
            descending = not descending
        name = "rank" if column.key == "rank" else column.label.lower()
        return f"sorted by {name} {'↓' if descending else '↑'}"

    def _apply_sort(self) -> None:
        if not self.row_count:
            return
        column = COLUMN_BY_KEY[self.sort_column]
        by_rank = self._by_rank
        value = column.value
        descending = column.numeric and column.key != "rank"

        def key(rank_cell: Text) -> tuple:
            row = by_rank[int(rank_cell.plain)]
            # Ties keep the ranking's order whichever way the column goes.
            primary = value(row)
            if descending:
                primary = -primary  # type: ignore[operator]
            return (primary, row.rank) if not self.sort_reverse else (primary, -row.rank)

        self.sort("rank", key=key, reverse=self.sort_reverse)

    def _move_to(self, song_id: str | None) -> None:
        if not self.row_count:
            return
        index = 0
        if song_id is not None and song_id in self.rows_by_song:
            index = self.get_row_index(song_id)
        self.move_cursor(row=index, animate=False, scroll=True)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        # A click on a header sorts by it; a second click reverses.
        event.stop()
        key = event.column_key.value or "rank"
        if key == self.sort_column:
            self.toggle_sort_direction()
        else:
            self.sort_by(key)
        self.post_message(self.SortChanged())

    class SortChanged(Message):
        """The sort changed by mouse; the app refreshes its status line."""
