"""The tiktune app: composition, bindings, and the handlers that wire the widgets to the engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from functools import partial, wraps

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from tiktune_tui.background_loop import BackgroundLoop
from tiktune_tui.config import Settings
from tiktune_tui.core import modes
from tiktune_tui.core.models import Video
from tiktune_tui.core.query import Query
from tiktune_tui.core.results import SongRank
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights
from tiktune_tui.core.tags import TagError, parse_tags
from tiktune_tui.library.recommend import Recommendation
from tiktune_tui.paths import data_dir
from tiktune_tui.playback.player import PlayerState
from tiktune_tui.library.history import QueryHistory
from tiktune_tui.text import terminal_safe
from tiktune_tui.ui.widgets.details import DetailsPane
from tiktune_tui.ui.screens.help_screen import HelpScreen
from tiktune_tui.ui.keymap import APP_BINDINGS, check_keymap, effective_keys, is_printable
from tiktune_tui.ui.messages import KnownTagsLoaded, PartialResults, RelatedTagsFound, SearchProgress
from tiktune_tui.ui.widgets.music_bar import MusicBar
from tiktune_tui.library.sources import SourceOptions
from tiktune_tui.ui.search import Search, SearchCancelled, run_search, warm_catalog
from tiktune_tui.ui.widgets.song_table import COLUMNS, SongTable
from tiktune_tui.ui.widgets.status_line import StatusLine
from tiktune_tui.ui.widgets.related_tags import RelatedTags
from tiktune_tui.ui.widgets.tag_input import TagInput

Clock = Callable[[], datetime]

WELCOME = Text.assemble(
    ("Type hashtags above and press Enter.\n\n", "bold"),
    ("Try ", "dim"),
    "fyp viral",
    (" or ", "dim"),
    "cooking diy",
    (". ", "dim"),
    ("/", "bold"),
    (" comes back here, ", "dim"),
    ("?", "bold"),
    (" lists every key.", "dim"),
)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def while_running(handler: Callable[..., None]) -> Callable[..., None]:
    """For the handlers of what arrives by message (search results, completions, related
    tags, highlights): once the app has stopped running it is closing, its widgets are
    gone, and what arrives late is dropped."""

    @wraps(handler)
    def guarded(self: App, *args: object) -> None:
        if self.is_running:
            handler(self, *args)

    return guarded


class TiktuneApp(App[int]):
    CSS_PATH = "tiktune.tcss"
    TITLE = "tiktune"
    BINDINGS = APP_BINDINGS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    # Short terminals (80x24 is the classic) give the list more rows than the details.
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (20, "-short"), (30, "-tall")]

    def __init__(
        self,
        *,
        tags: Sequence[str] = (),
        source: SourceOptions | None = None,
        settings: Settings | None = None,
        weights: Weights | None = None,
        clock: Clock = utc_now,
        audio_output: str | None = None,
        load_known_tags: bool = True,
        mode: str = modes.DEFAULT_MODE,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.source = source or SourceOptions()
        self.weights = weights or DEFAULT_WEIGHTS
        self.clock = clock
        # Read by the music bar when it opens libVLC.
        self.audio_output = audio_output or self.settings.audio_output
        self.initial_tags = list(tags)
        self.load_known_tags = load_known_tags
        checked = check_keymap(self.settings.keys)
        self.keymap = checked.keymap
        self.keymap_problems = checked.problems
        self.query_tags: list[str] = []
        self.recommendation: Recommendation | None = None
        self.videos_by_id: dict[str, Video] = {}
        self._serial = 0
        self._search: Worker | None = None
        self._player_closed = False
        self._engine_loop: BackgroundLoop | None = None
        self.rank_mode = modes.check_mode(mode)
        self._preloaded = False
        # idle | searching | done | failed: what the user sees; tests wait on it too.
        self.search_state = "idle"
        self._music_bar: MusicBar | None = None
        self._rows_shown_for: tuple[tuple[str, ...], str] | None = None  # (tags, mode) of the rows on screen
        self._last_export_video: Path | None = None
        self.start_notices: list[str] = []  # said once the screen is up (cli.py's hints)

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        with Vertical(id="query"):
            yield TagInput(history=QueryHistory.in_data_dir(data_dir(self.source.data_dir)), id="tags")
            yield Static(id="tag-error")
            yield RelatedTags(id="related")
        yield StatusLine(id="status")
        with Container(id="body"):
            yield SongTable(id="songs")
            yield DetailsPane(id="details")
        self._music_bar = MusicBar(id="music-bar")
        yield self._music_bar
        yield Footer()

    @property
    def tag_input(self) -> TagInput:
        return self.query_one("#tags", TagInput)

    @property
    def table(self) -> SongTable:
        return self.query_one("#songs", SongTable)

    @property
    def details(self) -> DetailsPane:
        return self.query_one("#details", DetailsPane)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    @property
    def music_bar(self) -> MusicBar:
        return self._music_bar

    def on_mount(self) -> None:
        self.set_keymap(self.keymap)
        for problem in self.keymap_problems:
            self.notify(problem, title="config", severity="warning", markup=False)
        for notice in self.start_notices:
            self.notify(terminal_safe(notice), markup=False)
        label = self.source.label(self.settings)
        self.sub_title = label
        self.status.set_part("source", label)
        self._show_mode()
        if self.source.resolved_kind(self.settings) == "tiktok" or self.settings.has_tiktok_token:
            from tiktune_tui.playback.song_audio import TikTokSongResolver

            # Catalog songs have no audio and TikTok's URLs expire: ask TikTok afresh.
            self.music_bar.set_resolver(TikTokSongResolver(self.engine_loop, self.settings, self.source.data_dir))
        self.details.show_message(WELCOME)
        self.tag_input.focus()
        if self.initial_tags:
            self.tag_input.value = " ".join(self.initial_tags)
            self.tag_input.remember(self.tag_input.value)
            self.table.focus()  # as after typing the tags and pressing Enter: the keys drive the results
            self.start_search(self.initial_tags)
        else:
            self.ensure_preloaded()

    def ensure_preloaded(self) -> None:
        """Warm the catalog and load completions once; after the first search if one runs at start."""
        if not self._preloaded:
            self._preloaded = True
            self._preload()

    # --- keys -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the tag input has the focus, an app key that is a printable
        # character belongs to the text (also after a remap to such a key).
        if isinstance(self.focused, Input):
            for binding in APP_BINDINGS:
                if binding.action.partition("(")[0] == action and any(
                    is_printable(key) for key in effective_keys(binding, self.keymap)
                ):
                    return False
        return True

    @property
    def engine_loop(self) -> BackgroundLoop:
        if self._engine_loop is None:
            self._engine_loop = BackgroundLoop()
        return self._engine_loop

    def action_cycle_rank(self) -> None:
        self.rank_mode = modes.next_mode(self.rank_mode)
        self._show_mode()
        if self.query_tags:
            self.start_search(self.query_tags)

    def _show_mode(self) -> None:
        self.status.set_part("mode", Text(f"ranked by {self.rank_mode}"))

    def action_add_related(self, index: int) -> None:
        tag = self.query_one("#related", RelatedTags).tag_at(index)
        if tag is None or tag in self.query_tags:
            return
        tags = [*self.query_tags, tag]
        if len(tags) > 10:
            self.notify("At most 10 tags per query", severity="warning", markup=False)
            return
        self.tag_input.value = " ".join(tags)
        self.tag_input.remember(self.tag_input.value)
        self.start_search(tags)

    def action_focus_tags(self) -> None:
        self.tag_input.focus()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap))

    def action_refresh(self) -> None:
        if self.query_tags:
            self.start_search(self.query_tags)

    def action_sort_next(self) -> None:
        self.table.sort_next()
        self._sort_changed()

    def action_sort_reverse(self) -> None:
        self.table.toggle_sort_direction()
        self._sort_changed()

    def sort_by(self, column_key: str) -> None:
        self.table.sort_by(column_key)
        self._sort_changed()

    def action_play(self) -> None:
        table = self.table
        if table.row_count:
            self.music_bar.play_songs(table.songs_in_view_order(), table.cursor_row)

    def action_export(self) -> None:
        """The export modal for the selected song (or with no song: the user picks an audio file)."""
        from tiktune_tui.playback.audio_cache import AudioCache
        from tiktune_tui.ui.screens.export_screen import ExportScreen

        if isinstance(self.screen, ExportScreen):
            return
        table = self.table
        songs = table.songs_in_view_order() if table.row_count else []
        song = songs[table.cursor_row] if songs and 0 <= table.cursor_row < len(songs) else None
        cache = AudioCache.default(self.source.data_dir)
        screen = ExportScreen(song, video=self._last_export_video, audio_cache=cache)
        self.push_screen(screen, partial(self._export_closed, screen))

    def _export_closed(self, screen: ExportScreen, result) -> None:
        # The next export (another song over the same clip, usually) starts from this video.
        self._last_export_video = screen.video_path or self._last_export_video
        if result is not None:
            self.notify(f"Saved {terminal_safe(str(result.output))}", title="export", markup=False)

    def action_play_pause(self) -> None:
        # With nothing loaded (nothing chosen yet, or the list played out), space plays the
        # selected song, as in most players, rather than doing nothing.
        status = self.music_bar.status
        if (status is None or status.state in (PlayerState.IDLE, PlayerState.STOPPED)) and self.table.row_count:
            self.action_play()
        else:
            self.music_bar.toggle_pause()

    def action_next_song(self) -> None:
        self.music_bar.next_song()

    def action_previous_song(self) -> None:
        self.music_bar.previous_song()

    def action_seek(self, seconds: float) -> None:
        self.music_bar.seek_relative(seconds)

    def action_volume(self, delta: int) -> None:
        self.music_bar.change_volume(delta)

    def action_mute(self) -> None:
        self.music_bar.toggle_mute()

    async def action_quit(self) -> None:
        self.close_player()
        self.exit(0)

    def on_unmount(self) -> None:
        self.close_player()

    def close_player(self) -> None:
        """Stop playback, close TikTok's browser and the engine loop: nothing left behind on exit."""
        if not self._player_closed and self._music_bar is not None:
            self._player_closed = True
            try:
                self._music_bar.shutdown()
            except Exception:  # noqa: BLE001 - the bar may already be gone when the app is torn down
                pass
        loop, self._engine_loop = self._engine_loop, None
        if loop is not None:
            from tiktune_tui.library.sources import close_shared_sessions

            try:
                loop.run(close_shared_sessions(), timeout=15)
            except Exception:  # noqa: BLE001 - quitting must not fail on a browser that died already
                pass
            loop.close()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own "Keys" panel duplicates the help screen and does not close with
        # escape; the rest of its commands (theme, screenshot, quit) stay.
        yield from (command for command in super().get_system_commands(screen) if command.title != "Keys")
        yield SystemCommand("Search tags", "Focus the tag input (/)", self.action_focus_tags)
        yield SystemCommand("Play selected song", "Play the songs from the selected row (enter)", self.action_play)
        yield SystemCommand("Export to a video", "Put the selected song over your video (e)", self.action_export)
        yield SystemCommand("Pause or resume", "Toggle playback (space)", self.action_play_pause)
        yield SystemCommand("Next song", "Skip to the next song (n)", self.action_next_song)
        yield SystemCommand("Previous song", "Back to the previous song (p)", self.action_previous_song)
        yield SystemCommand("Seek back 5 s", "(<)", partial(self.action_seek, -5))
        yield SystemCommand("Seek forward 5 s", "(>)", partial(self.action_seek, 5))
        yield SystemCommand("Volume up", "(+)", partial(self.action_volume, 5))
        yield SystemCommand("Volume down", "(-)", partial(self.action_volume, -5))
        yield SystemCommand("Mute or unmute", "(m)", self.action_mute)
        for column in COLUMNS:
            name = "rank" if column.key == "rank" else column.label.lower()
            yield SystemCommand(f"Sort by {name}", "Sort the results by this column", partial(self.sort_by, column.key))
        yield SystemCommand("Reverse sort", "Flip the sort order (r)", self.action_sort_reverse)
        yield SystemCommand(
            "Next ranking mode", f"Cycle {' → '.join(modes.MODE_NAMES)} (o)", self.action_cycle_rank
        )
        yield SystemCommand("Refresh results", "Run the query again (ctrl+r)", self.action_refresh)
        yield SystemCommand("Help: keys", "Every key binding (?)", self.action_help)

    # --- the tag input --------------------------------------------------------

    @on(Input.Submitted, "#tags")
    def tags_submitted(self, event: Input.Submitted) -> None:
        try:
            tags = parse_tags(event.value)
        except TagError as exc:
            self.show_tag_error(str(exc))
            return
        self.tag_input.remember(event.value)
        self.table.focus()
        self.start_search(tags)

    @on(Input.Changed, "#tags")
    def tags_changed(self) -> None:
        self.show_tag_error(None)

    def show_tag_error(self, message: str | None) -> None:
        error = self.query_one("#tag-error", Static)
        error.update(Text(terminal_safe(message or "")))
        error.set_class(message is not None, "-shown")
        self.tag_input.set_class(message is not None, "-invalid")

    @while_running
    def on_known_tags_loaded(self, message: KnownTagsLoaded) -> None:
        self.tag_input.tag_suggester.tags = message.tags

    # --- searching ------------------------------------------------------------

    def start_search(self, tags: Sequence[str]) -> None:
        """Run a query; a new one cancels the one still running."""
        self._serial += 1
        self.query_tags = list(tags)
        query = Search(self._serial, Query(tuple(tags), self.rank_mode, self.weights), self.source, self.settings)
        self.search_state = "searching"
        self.status.start_search(self.query_tags)
        # Later, so a focus move queued just before lands first (a loading widget refuses focus).
        self.call_later(self._show_loading)
        self._search = self._run_search(query)

    def _show_loading(self) -> None:
        if self.search_state == "searching" and not self.table.row_count:
            self.table.loading = True

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _run_search(self, query: Search) -> tuple[int, Recommendation]:
        worker = get_current_worker()
        return query.serial, run_search(query, self.post_message, lambda: worker.is_cancelled, self.engine_loop)

    @work(thread=True, group="preload", exit_on_error=False)
    def _preload(self) -> None:
        warm_catalog(self.source, self.settings)
        if self.load_known_tags:
            from tiktune_tui.library.tag_index import known_tags

            pairs = known_tags(
                catalog=self.source.catalog,
                data_dir=self.source.data_dir,
                source_kind=self.source.resolved_kind(self.settings),
            )
            self.post_message(KnownTagsLoaded([tag for tag, _ in pairs]))

    @work(thread=True, exclusive=True, group="related", exit_on_error=False)
    def _find_related(self, tags: tuple[str, ...]) -> None:
        from tiktune_tui.library.tag_index import related_tags

        scores: dict[str, float] = {}
        kind = self.source.resolved_kind(self.settings)
        for tag in tags:
            pairs = related_tags(tag, 8, catalog=self.source.catalog, data_dir=self.source.data_dir, source_kind=kind)
            for other, score in pairs:
                if other not in tags:
                    scores[other] = max(score, scores.get(other, float("-inf")))
        best = sorted(scores, key=lambda t: (-scores[t], t))[: RelatedTags.SHOWN]
        self.post_message(RelatedTagsFound(tags, best))

    @while_running
    def on_related_tags_found(self, message: RelatedTagsFound) -> None:
        if list(message.query) == self.query_tags:
            self.query_one("#related", RelatedTags).show_tags(message.tags)

    @while_running
    def on_search_progress(self, message: SearchProgress) -> None:
        if message.serial == self._serial:
            self.status.tag_progress(message.progress)

    @while_running
    def on_partial_results(self, message: PartialResults) -> None:
        if message.serial == self._serial:
            self.videos_by_id = {video.id: video for video in message.videos}
            self.show_rows(message.rows)

    @while_running
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "preload":
            if event.state == WorkerState.ERROR:
                # Completion is a nicety; the search reports real problems itself.
                self.log.warning(f"known tags unavailable: {worker.error!r}")
            return
        if worker is not self._search:
            return
        if event.state == WorkerState.SUCCESS and worker.result is not None:
            serial, recommendation = worker.result
            if serial == self._serial:
                self.search_done(recommendation)
        elif event.state == WorkerState.ERROR and not isinstance(worker.error, SearchCancelled):
            self.search_failed(worker.error)
        if worker.is_finished:
            self.ensure_preloaded()

    def search_done(self, recommendation: Recommendation) -> None:
        self.search_state = "done"
        self.recommendation = recommendation
        self.videos_by_id = {video.id: video for video in recommendation.videos}
        self.status.finish_search()
        self.sub_title = recommendation.label
        self.status.set_part("source", recommendation.describe(self.clock()))
        count = len(recommendation.rows)
        tags = " ".join("#" + tag for tag in recommendation.tags)
        self.status.set_part("results", Text(f"{count} {'song' if count == 1 else 'songs'} for {terminal_safe(tags)}"))
        for tag, problem in recommendation.failures.items():
            self.notify(f"#{terminal_safe(tag)}: {terminal_safe(problem)}", title="search", severity="warning", markup=False)
        self.show_rows(recommendation.rows)
        self._find_related(tuple(recommendation.tags))
        if not recommendation.rows:
            self._back_to_the_query()
            self.details.show_message(
                Text.assemble(
                    (f"No songs for {terminal_safe(tags)} in {recommendation.label}.\n\n", "bold"),
                    ("Try other tags; → completes known ones.", "dim"),
                )
            )

    def _back_to_the_query(self) -> None:
        """Nothing to browse: the keys go back to the tags (unless the user has moved on)."""
        if self.focused is self.table:
            self.tag_input.focus()

    def search_failed(self, error: BaseException | None) -> None:
        self.search_state = "failed"
        self.table.loading = False
        self.status.finish_search()
        text = terminal_safe(str(error) or error.__class__.__name__) if error else "unknown error"
        self.status.set_part("results", Text(f"search failed: {text}", style="bold"))
        self.show_rows([])
        self._back_to_the_query()
        self.details.show_message(
            Text.assemble(("The search failed.\n\n", "bold"), (text, ""), ("\n\nFix it and press ctrl+r, or change the tags.", "dim"))
        )

    def show_rows(self, rows: Sequence[SongRank]) -> None:
        table = self.table
        table.loading = False
        # The same query again (its final rows after the partial ones, a refresh) keeps the
        # selected song; another query or another mode is a new list, read from the top.
        shown_for = (tuple(self.query_tags), self.rank_mode)
        table.show_rows(rows, keep_selection=shown_for == self._rows_shown_for)
        self._rows_shown_for = shown_for
        self._sort_changed()
        self.selection_changed()

    def _sort_changed(self) -> None:
        self.status.set_part("sort", self.table.sort_description() if self.table.row_count else None)

    # --- the table ------------------------------------------------------------

    @on(SongTable.Highlighted, "#songs")
    @while_running
    def row_highlighted(self) -> None:
        self.selection_changed()

    @on(SongTable.Selected, "#songs")
    def row_selected(self) -> None:
        self.action_play()

    @on(SongTable.SortChanged)
    def table_sort_changed(self) -> None:
        self._sort_changed()

    def selection_changed(self) -> None:
        row = self.table.current_row
        if row is None:
            self.music_bar.show_song(None)
            return
        self.details.show_row(row, self.weights, self.videos_by_id)
        self.music_bar.show_song(row.song)


def run_app(
    *,
    tags: Sequence[str],
    source: SourceOptions,
    mode: str,
    settings: Settings,
    weights: Weights,
    audio_output: str | None = None,
    command_hint: str | None = None,
) -> int:
    """`tiktune [TAG...]` once commands/app.py has checked its arguments: run the app."""
    app = TiktuneApp(
        tags=tags, source=source, mode=mode, settings=settings, weights=weights, audio_output=audio_output
    )
    if command_hint:
        app.start_notices.append(f"Searching {' '.join('#' + t for t in tags)}. For the command, run: {command_hint}")
    try:
        app.run()
    finally:
        app.close_player()
    return app.return_code or 0
