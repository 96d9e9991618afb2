"""A creator's workflow in the app: the shortlist, the queue, now playing, find within results.

A mixin of `TiktuneApp` (it reads the app's table, music bar, status line and store), kept
apart so the app module holds the composition and the wiring, not every key's body.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Input

from tiktune_tui.core.models import Stats
from tiktune_tui.core.results import SongRank
from tiktune_tui.playback.player import PlayerState, PlayerStatus
from tiktune_tui.text import terminal_safe
from tiktune_tui.ui.app_host import MixinBase
from tiktune_tui.ui.messages import while_running
from tiktune_tui.ui.widgets.music_bar import MusicBar
from tiktune_tui.ui.widgets.queue_panel import QueuePanel

if TYPE_CHECKING:
    from tiktune_tui.library.store import Store
    from tiktune_tui.library.store.saved import SavedSong


def saved_rows(saved: Sequence[SavedSong]) -> list[SongRank]:
    """The shortlist as table rows: ranked by when it was saved (newest first)."""
    return [
        SongRank(
            rank=n,
            song=entry.song,
            score=_score(entry.score),
            stats=Stats(play=entry.play_count or 0),
            videos=entry.videos or 0,
            matched_tags=entry.tags,
        )
        for n, entry in enumerate(saved, 1)
    ]


def _score(score: float | None) -> int | float:
    # Stored as REAL; the popular, uses and momentum modes score in whole numbers.
    if score is None:
        return 0
    return int(score) if float(score).is_integer() else score


def find_predicate(
    text: str, videos_by_id: dict, required_tags: Sequence[str] = ()
) -> Callable[[SongRank], bool] | None:
    """The rows a find query keeps: every word in the title or artist, and no `-tag` that all
    of the song's matching videos carry. `required_tags` (match all) must all have matched."""
    words = [w.casefold() for w in text.split() if not w.startswith("-")]
    excluded = [w[1:].lstrip("#").casefold() for w in text.split() if w.startswith("-") and len(w) > 1]
    required = set(required_tags)
    if not words and not excluded and not required:
        return None

    def keep(row: SongRank) -> bool:
        if required and not required <= set(row.matched_tags):
            return False
        haystack = f"{row.song.display_title} {row.song.author}".casefold()
        if any(word not in haystack for word in words):
            return False
        if excluded:
            videos = [videos_by_id[v] for v in row.video_ids if v in videos_by_id]
            for tag in excluded:
                if videos and all(tag in video.hashtags for video in videos):
                    return False
                if not videos and tag in row.matched_tags:
                    return False
        return True

    return keep


class WorkflowControls(MixinBase):
    """Actions for keymap.WORKFLOW_BINDINGS, and what follows playback."""

    view = "results"  # or "saved": what the table shows
    match_all = False
    _store: Store | None = None
    _saved_ids: frozenset[str] | None = None
    _results_rows: list[SongRank] | None = None
    _view_serial = -1
    _playing_id: str | None = None

    # -- the shortlist ---------------------------------------------------------------

    def saved_store(self) -> Store:
        """The store holding the shortlist, opened once (saving must be quick)."""
        if self._store is None:
            from tiktune_tui.library.store import open_store, store_location

            self._store = open_store(store_location(self.source.data_dir))
            self._store.checkpoint_in_background()
        return self._store

    @property
    def saved_ids(self) -> frozenset[str]:
        if self._saved_ids is None:
            from tiktune_tui.library.store import store_exists, store_location

            # Asking never creates a database: nothing saved yet is an empty shortlist.
            exists = self._store is not None or store_exists(store_location(self.source.data_dir))
            self._saved_ids = frozenset(self.saved_store().saved_ids()) if exists else frozenset()
        return self._saved_ids

    def action_toggle_saved(self) -> None:
        from tiktune_tui.library.store import StoreError

        row = self.table.current_row
        if row is None:
            return
        try:
            if row.song.id in self.saved_ids:
                self.saved_store().unsave_song(row.song.id)
                self._saved_ids = self.saved_ids - {row.song.id}
            else:
                tags = tuple(self.query_tags) if self.view == "results" and self.query_tags else row.matched_tags
                self.saved_store().save_song(
                    row.song, tags=tags, score=float(row.score), play_count=row.stats.play, videos=row.videos
                )
                self._saved_ids = self.saved_ids | {row.song.id}
        except StoreError as exc:
            self.notify(terminal_safe(str(exc)), title="shortlist", severity="error", markup=False)
        # The ★ in the list says it; a pop-up per key press would cover the bar.
        self._show_marks()
        if self.view == "saved":
            self._show_saved_rows(keep_selection=True)

    def action_show_saved(self) -> None:
        if self.view == "saved":
            self._leave_saved()
            return
        self.view = "saved"
        self._results_rows = list(self.table.all_rows)
        self._view_serial = self._serial
        self._show_saved_rows(keep_selection=False)
        self.table.focus()

    def _show_saved_rows(self, keep_selection: bool) -> None:
        saved = self.saved_store().saved_songs() if self.saved_ids or self._store is not None else []
        self.table.show_rows(saved_rows(saved), keep_selection=keep_selection)
        self.table.loading = False
        count = len(saved)
        self.status.set_part("results", Text(f"shortlist: {count} saved {'song' if count == 1 else 'songs'} (B: back)"))
        self._refilter()
        self._sort_changed()
        self.selection_changed()

    def _leave_saved(self) -> None:
        self.view = "results"
        rows, self._results_rows = self._results_rows or [], None
        self.table.show_rows(rows, keep_selection=False)
        recommendation = self.recommendation
        if recommendation is not None:
            count = len(recommendation.rows)
            tags = " ".join("#" + tag for tag in recommendation.tags)
            self.status.set_part(
                "results", Text(f"{count} {'song' if count == 1 else 'songs'} for {terminal_safe(tags)}")
            )
        else:
            self.status.set_part("results", None)
        self._refilter()
        self._sort_changed()
        self.selection_changed()

    def rows_arrive_in_saved_view(self, rows: Sequence[SongRank]) -> bool:
        """Search results while the shortlist shows: kept for later if the search began before
        the shortlist opened; a search started since brings the results back (False)."""
        if self.view != "saved":
            return False
        if self._serial == self._view_serial:
            self._results_rows = list(rows)
            return True
        self.view = "results"
        self._results_rows = None
        return False

    # -- find within the list ---------------------------------------------------------

    def action_find(self) -> None:
        find = self.query_one("#find", Input)
        find.display = True
        find.focus()

    def action_toggle_match_all(self) -> None:
        self.match_all = not self.match_all
        self.status.set_part("filter", Text("matching all tags") if self.match_all else None)
        self._refilter()

    # Named handlers, not @on: Textual collects @on only from the class that defines it.
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "find":
            self._refilter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "find":
            self.table.focus()

    def action_clear_find(self) -> None:
        find = self.query_one("#find", Input)
        find.value = ""
        find.display = False
        self._refilter()
        self.table.focus()

    def _refilter(self) -> None:
        find = self.query_one("#find", Input)
        required = self.query_tags if self.match_all and self.view == "results" else ()
        self.table.set_filter(find_predicate(find.value, self.videos_by_id, required))
        table = self.table
        shown = table.row_count
        self.status.set_part("found", None if shown == table.total_count else Text(f"{shown} shown"))
        self.selection_changed()

    # -- the queue --------------------------------------------------------------------

    @property
    def queue_panel(self) -> QueuePanel:
        return self.query_one("#queue", QueuePanel)

    def action_show_queue(self) -> None:
        panel = self.queue_panel
        shown = not panel.display
        panel.display = shown
        self.details.display = not shown
        if shown:
            status = self.music_bar.status
            if status is not None:
                panel.show_queue(status.songs, status.index, status.dead)
        # At once, not as Widget.focus does after the next message: the footer's keys change
        # with the focus, and had they changed after the screen's next layout began, they
        # would have asked for another one (a second frame, a screen-update tick later).
        self.set_focus(panel if shown else self.table)

    def action_queue_add(self, next_up: bool) -> None:
        row = self.table.current_row
        player = self.music_bar.player
        if row is None or player is None:
            return
        player.enqueue([row.song], next_up=next_up)
        where = "next" if next_up else "at the end"
        self.status.set_part("note", Text(f"queued {where}: {terminal_safe(row.song.display_title)}", style="dim"))

    def on_queue_panel_edit(self, message: QueuePanel.Edit) -> None:
        message.stop()
        if message.action == "leave":
            self.action_show_queue()
            return
        player = self.music_bar.player
        if player is None:
            return
        if message.action == "play":
            player.play_at(message.index)
        elif message.action == "remove":
            player.remove_from_queue(message.index)
        elif message.action in ("up", "down"):
            player.move_in_queue(message.index, message.index + (-1 if message.action == "up" else 1))

    def action_toggle_shuffle(self) -> None:
        status, player = self.music_bar.status, self.music_bar.player
        if player is not None:
            player.set_shuffle(not (status.shuffle if status else False))

    def action_cycle_repeat(self) -> None:
        status, player = self.music_bar.status, self.music_bar.player
        if player is not None and status is not None:
            player.set_repeat(status.repeat.next())

    # -- links ------------------------------------------------------------------------

    def _link(self, video: bool) -> str | None:
        from tiktune_tui.core.links import song_link, video_link

        row = self.table.current_row
        if row is None:
            return None
        if not video:
            return song_link(row.song)
        top = next((self.videos_by_id[v] for v in row.video_ids if v in self.videos_by_id), None)
        return video_link(top) if top is not None else None

    def action_copy_link(self, video: bool) -> None:
        link = self._link(video)
        if link is None:
            self.notify("No link for this song.", title="links", markup=False)
            return
        self.copy_to_clipboard(link)  # OSC 52: reaches the clipboard over SSH too
        self.last_copied = link
        self.notify(f"Copied {link}", title="links", markup=False)

    def action_open_link(self) -> None:
        from tiktune_tui.export.opener import OpenError, has_desktop, open_url

        link = self._link(False)
        if link is None:
            return
        if not has_desktop():
            self.notify("No desktop to open it on (over SSH?): c copies the link instead.", title="links", markup=False)
            return
        try:
            open_url(link)
        except OpenError as exc:
            self.notify(terminal_safe(str(exc)), title="links", severity="error", markup=False)

    # -- now playing ------------------------------------------------------------------

    def action_jump_playing(self) -> None:
        if self._playing_id is None or not self.table.move_to_song(self._playing_id):
            self.notify("The playing song is not in this list.", title="player", markup=False)
        else:
            self.table.focus()

    @while_running  # the player's last word can come as the app closes, its widgets gone
    def on_music_bar_queue_changed(self, message: MusicBar.QueueChanged) -> None:
        status: PlayerStatus = message.status
        # A one-off (an export's preview) is no song of the lists: nothing is marked playing.
        shown = status.song is not None and status.state != PlayerState.IDLE and not status.one_off
        playing = status.song.id if shown else None
        previous, self._playing_id = self._playing_id, playing
        # The details follow playback: a cursor that was on the playing song moves on with it.
        table = self.table
        if playing is not None and previous is not None and playing != previous and table.current_song_id == previous:
            table.move_to_song(playing)
        self._show_marks()
        if self._mpris is not None:
            self._mpris.update(status)
        panel = self.queue_panel
        if panel.display:
            panel.show_queue(status.songs, status.index, status.dead)

    def _show_marks(self) -> None:
        self.table.set_marks(self._playing_id, self.saved_ids)

    # -- media keys (MPRIS) -------------------------------------------------------------

    _mpris = None

    def start_media_keys(self) -> None:
        """Publish over MPRIS where a session bus is; nothing at all where none is (SSH)."""
        from tiktune_tui.playback.mpris import Controls, MprisService

        def from_desktop(action):
            # The bus's thread: hand over to the UI thread, as every key press runs there.
            return lambda: self.call_from_thread(action)

        self._mpris = MprisService.start(
            Controls(
                from_desktop(self.action_play_pause),
                from_desktop(self.action_next_song),
                from_desktop(self.action_previous_song),
            )
        )

    def close_media_keys(self) -> None:
        service, self._mpris = self._mpris, None
        if service is not None:
            service.close()

    def close_saved_store(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            store.close()


__all__ = ["WorkflowControls", "find_predicate", "saved_rows"]
