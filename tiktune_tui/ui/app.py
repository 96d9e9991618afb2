"""The tiktune app: composition, bindings, and the handlers that wire the widgets to the engine."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Static
from textual.worker import Worker

from tiktune_tui.background_loop import BackgroundLoop
from tiktune_tui.config import Settings
from tiktune_tui.core import modes
from tiktune_tui.core.models import Video
from tiktune_tui.core.tags import TagError, parse_tags
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights
from tiktune_tui.library.history import QueryHistory
from tiktune_tui.library.recommend import Recommendation
from tiktune_tui.library.sources import SourceOptions
from tiktune_tui.paths import data_dir
from tiktune_tui.playback.audio_cache import AudioCache
from tiktune_tui.playback.song_audio import TikTokSongResolver
from tiktune_tui.text import terminal_safe
from tiktune_tui.ui.keymap import APP_BINDINGS, app_keys, check_keymap, effective_keys, is_printable
from tiktune_tui.ui.messages import KnownTagsLoaded, while_running
from tiktune_tui.ui.palette import palette_commands
from tiktune_tui.ui.player_controls import PlayerControls
from tiktune_tui.ui.prefetch_flow import PrefetchFlow
from tiktune_tui.ui.remembered import RememberedState
from tiktune_tui.ui.screens.help_screen import HelpScreen
from tiktune_tui.ui.screens.main_screen import MainScreen
from tiktune_tui.ui.search_flow import SearchFlow
from tiktune_tui.ui.trend_flow import TrendFlow
from tiktune_tui.ui.widgets.details import DetailsPane
from tiktune_tui.ui.widgets.find_input import FindInput
from tiktune_tui.ui.widgets.key_footer import KeyFooter
from tiktune_tui.ui.widgets.music_bar import MusicBar
from tiktune_tui.ui.widgets.queue_panel import QueuePanel
from tiktune_tui.ui.widgets.related_tags import RelatedTags
from tiktune_tui.ui.widgets.song_table import SongTable
from tiktune_tui.ui.widgets.status_line import StatusLine
from tiktune_tui.ui.widgets.tag_input import TagInput
from tiktune_tui.ui.workflow import WorkflowControls

if TYPE_CHECKING:
    from pathlib import Path

    from tiktune_tui.export.preview import PreviewFiles
    from tiktune_tui.library.state import ExportSettings
    from tiktune_tui.ui.app_host import AppHost
    from tiktune_tui.ui.screens.export_screen import ExportScreen

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
    return datetime.now(UTC)


class TiktuneApp(RememberedState, WorkflowControls, TrendFlow, SearchFlow, PrefetchFlow, PlayerControls, App[int]):
    CSS_PATH = "tiktune.tcss"
    TITLE = "tiktune"
    BINDINGS: ClassVar[list[BindingType]] = list(APP_BINDINGS)
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
        mode: str | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.source = source or SourceOptions()
        # --source auto: the verdict once the background probe is in (library.sources.auto).
        self.auto_choice = None
        self._source_answered = False
        self.weights = weights or DEFAULT_WEIGHTS
        self.clock = clock
        # Given to the music bar when it opens libVLC.
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
        # None: not asked for, so the mode remembered from the last run (or the default) applies.
        self.mode_asked = mode is not None
        self.rank_mode = modes.check_mode(mode or modes.DEFAULT_MODE)
        self.since_period: str | None = None  # core.period.SINCE_CYCLE: only videos posted in it count
        self._preloaded = False
        # idle | searching | done | failed: what the user sees; tests wait on it too.
        self.search_state = "idle"
        self._music_bar: MusicBar | None = None
        self._rows_shown_for: tuple[tuple[str, ...], str] | None = None  # (tags, mode) of the rows on screen
        self._last_export_video: Path | None = None
        self._previews: PreviewFiles | None = None
        self._export_settings: ExportSettings | None = None  # the modal's, as it last closed
        self.start_notices: list[str] = []  # said once the screen is up (cli.py's hints)

    # --- outside text in Textual's own widgets -----------------------------------

    # The header draws the title as it is: a file name in the sub-title must not reach the
    # terminal raw (in tmux a crafted one renamed the pane). Every value set goes through here.
    def validate_title(self, title: object) -> str:
        return terminal_safe(str(title))

    def validate_sub_title(self, sub_title: object) -> str:
        return terminal_safe(str(sub_title))

    def get_default_screen(self) -> Screen:
        return MainScreen(id="_default")

    def get_key_display(self, binding) -> str:
        # Keys come from config.toml [keys]; the footer and the help screen show them.
        return terminal_safe(super().get_key_display(binding))

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        with Vertical(id="query"):
            yield TagInput(history=QueryHistory.in_data_dir(data_dir(self.source.data_dir)), id="tags")
            yield Static(id="tag-error")
            yield RelatedTags(id="related")
        yield StatusLine(id="status")
        yield FindInput(id="find", placeholder="find: words of the title or artist; -tag drops a tag's songs")
        with Container(id="body"):
            yield SongTable(id="songs")
            yield DetailsPane(id="details")
            yield QueuePanel(id="queue")
        self._music_bar = MusicBar(
            id="music-bar",
            audio_output=self.audio_output,
            cache=AudioCache.default(self.source.data_dir),
            resolve=self._song_resolver(),
        )
        yield self._music_bar
        yield KeyFooter()

    def _song_resolver(self) -> TikTokSongResolver | None:
        """How the player finds audio for songs without a link: TikTok, when it can be asked."""
        if self.settings.has_tiktok_token or (
            # auto's verdict is not awaited here: _check_auto sets the resolver once it is in.
            not self.source.is_auto and self.source.resolved_kind(self.settings) == "tiktok"
        ):
            # Catalog songs have no audio and TikTok's URLs expire: ask TikTok afresh.
            return TikTokSongResolver(self.engine_loop, self.settings, self.source.data_dir)
        return None

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
        bar = self._music_bar
        if bar is None:
            raise RuntimeError("no music bar before compose()")
        return bar

    def on_mount(self) -> None:
        self.set_keymap(self.keymap)
        self.table.yield_keys(app_keys(self.keymap), self.keymap)
        self.restore_state()
        self.start_media_keys()
        for problem in self.keymap_problems:
            self.notify(problem, title="config", severity="warning", markup=False)
        for notice in self.start_notices:
            self.notify(terminal_safe(notice), markup=False)
        if self.source.is_auto:
            from tiktune_tui.library.sources import auto

            # Started, not awaited: the first frame never waits for the network.
            auto.start(self.settings)
            self._auto_timer = self.set_interval(0.05, self._check_auto)
        label = self.source.label(self.settings)
        self.sub_title = label
        self.status.set_part("source", label)
        self._show_mode()
        self.details.show_message(WELCOME)
        self.tag_input.focus()
        if self.initial_tags:
            self.tag_input.value = " ".join(self.initial_tags)
            self.tag_input.remember(self.tag_input.value)
            self.table.focus()  # as after typing the tags and pressing Enter: the keys drive the results
            self.start_search(self.initial_tags)
        else:
            self.ensure_preloaded()

    def _check_auto(self) -> None:
        """auto's verdict is in: say which source and why, on the status line (and on exit, stderr)."""
        from tiktune_tui.library.sources import auto

        choice = auto.choice(self.settings, wait=False)
        if choice is None:
            return
        self._auto_timer.stop()
        self.auto_choice = choice
        if not self._source_answered:
            self.sub_title = choice.describe()
            self.status.set_part("source", choice.describe())
        if choice.kind == "tiktok" and not self.settings.has_tiktok_token:
            self.music_bar.set_resolver(TikTokSongResolver(self.engine_loop, self.settings, self.source.data_dir))

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

    def action_cycle_since(self) -> None:
        from tiktune_tui.core.period import next_since

        self.since_period = next_since(self.since_period)
        self.status.set_part("period", Text(f"posted in the last {self.since_period}") if self.since_period else None)
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

    def action_export(self) -> None:
        """The export modal for the selected song (or with no song: the user picks an audio file)."""
        from tiktune_tui.ui.screens.export_screen import ExportScreen

        if isinstance(self.screen, ExportScreen):
            return
        table = self.table
        songs = table.songs_in_view_order() if table.row_count else []
        song = songs[table.cursor_row] if songs and 0 <= table.cursor_row < len(songs) else None
        cache = AudioCache.default(self.source.data_dir)
        screen = ExportScreen(
            song,
            video=self._last_export_video,
            audio_cache=cache,
            play_preview=self.music_bar.play_file,
            previews=self.previews,
            remembered=self._export_settings,
            keymap=self.keymap,
        )
        self.push_screen(screen, partial(self._export_closed, screen))

    @property
    def previews(self) -> PreviewFiles:
        """The export previews of this run, in the data dir; the last one is removed at exit."""
        if self._previews is None:
            from tiktune_tui.export.preview import PreviewFiles, preview_directory

            self._previews = PreviewFiles(preview_directory(self.source.data_dir))
        return self._previews

    def _export_closed(self, screen: ExportScreen, result) -> None:
        # The next export (another song over the same clip, usually) starts from this video.
        self._last_export_video = screen.video_path or self._last_export_video
        self._export_settings = screen.closing_settings or self._export_settings
        if result is not None:
            self.notify(f"Saved {terminal_safe(str(result.output))}", title="export", markup=False)

    async def action_quit(self) -> None:
        self.remember_state()
        self.stop_prefetch()
        self.close_player()
        self.exit(0)

    def on_unmount(self) -> None:
        self.cancel_prefetch()
        self.remember_state()
        self.close_player()
        if self._previews is not None:
            self._previews.clear()  # after the player: it no longer reads the file
        self.close_saved_store()
        self.close_media_keys()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        return palette_commands(self, self.keymap, super().get_system_commands(screen))

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

    def _sort_changed(self) -> None:
        self.status.set_part("sort", self.table.sort_description() if self.table.row_count else None)

    # --- the table ------------------------------------------------------------

    @while_running
    def on_music_bar_quiet_note(self, message: MusicBar.QuietNote) -> None:
        # Said once, in the status line: a pop-up at every start would cover the bar.
        self.status.set_part("audio", Text("silent: no audio device", style="dim"))
        self.status.tooltip = message.text

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
        self.details.show_row(row, self.weights, self.videos_by_id, self.reach.get(row.song.id), self.clock())
        self.show_trend(row)
        self.music_bar.show_song(row.song)


if TYPE_CHECKING:

    def _is_the_host(app: TiktuneApp) -> AppHost:
        return app  # the checker holds TiktuneApp to app_host.AppHost, what its mixins use of it


def run_app(
    *,
    tags: Sequence[str],
    source: SourceOptions,
    mode: str | None,
    settings: Settings,
    weights: Weights,
    audio_output: str | None = None,
    command_hint: str | None = None,
) -> int:
    """`tiktune [TAG...]` once commands/app.py has checked its arguments: run the app."""
    app = TiktuneApp(tags=tags, source=source, mode=mode, settings=settings, weights=weights, audio_output=audio_output)
    if command_hint:
        app.start_notices.append(f"Searching {' '.join('#' + t for t in tags)}. For the command, run: {command_hint}")
    from tiktune_tui.ui.signals import exit_on_signals

    try:
        with exit_on_signals(app):  # SIGTERM/SIGHUP quit as a key does: a running export is cancelled
            app.run()
    finally:
        app.close_player()
    if app.auto_choice is not None:
        print(f"tiktune: {app.auto_choice.describe()}", file=sys.stderr)
    return app.return_code or 0
