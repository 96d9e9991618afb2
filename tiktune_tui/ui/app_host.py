"""What the app's mixins may use of the app: `AppHost`, a typed Protocol of TiktuneApp.

TiktuneApp is put together from mixins (search_flow, trend_flow, prefetch_flow, player_controls,
remembered, workflow), each one idea of the app; each reads what the app and the other mixins
hold: the settings, the widgets, the search's state. `AppHost` names all of that with its types,
once, so a type checker sees a typo or a wrong type in a mixin instead of an ignore hiding it.

A mixin derives from `MixinBase`: for the checker, that is AppHost together with Textual's App
(notify, query_one, call_from_thread... are the framework's own); at run time it is `object`,
so the app's classes and their order are what they were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.app import App
    from textual.worker import Worker

    from tiktune_tui.background_loop import BackgroundLoop
    from tiktune_tui.config import Settings
    from tiktune_tui.core.models import Video
    from tiktune_tui.core.reach import SongReach
    from tiktune_tui.core.results import SongRank
    from tiktune_tui.core.weights import Weights
    from tiktune_tui.library.recommend import Recommendation
    from tiktune_tui.library.sources import SourceOptions
    from tiktune_tui.library.state import ExportSettings
    from tiktune_tui.library.store import Store
    from tiktune_tui.ui.widgets.details import DetailsPane
    from tiktune_tui.ui.widgets.music_bar import MusicBar
    from tiktune_tui.ui.widgets.queue_panel import QueuePanel
    from tiktune_tui.ui.widgets.song_table import SongTable
    from tiktune_tui.ui.widgets.status_line import StatusLine
    from tiktune_tui.ui.widgets.tag_input import TagInput


class AppHost(Protocol):
    # The optional ones say None: a mixin setting one (self._search = worker) would otherwise
    # give it, for the checker, the narrower type of what it sets.
    # -- given at start (TiktuneApp.__init__) ---------------------------------------
    settings: Settings
    source: SourceOptions
    weights: Weights
    clock: Callable[[], datetime]
    load_known_tags: bool
    mode_asked: bool
    auto_choice: Any = None  # library.sources.auto's verdict (imported only where --source auto runs)
    _source_answered: bool

    # -- the search and what it found ------------------------------------------------
    query_tags: list[str]
    recommendation: Recommendation | None = None
    videos_by_id: dict[str, Video]
    search_state: str
    rank_mode: str
    since_period: str | None = None
    reach: dict[str, SongReach]
    _serial: int
    _search: Worker | None = None
    _rows_shown_for: tuple[tuple[str, ...], str] | None = None

    # -- the player, the export modal, the shortlist ----------------------------------
    _music_bar: MusicBar | None = None
    _player_closed: bool = False
    _engine_loop: BackgroundLoop | None = None
    _last_export_video: Path | None = None
    _export_settings: ExportSettings | None = None
    view: str  # "results" or "saved": what the table shows

    # -- the widgets ------------------------------------------------------------------
    @property
    def table(self) -> SongTable: ...
    @property
    def details(self) -> DetailsPane: ...
    @property
    def status(self) -> StatusLine: ...
    @property
    def tag_input(self) -> TagInput: ...
    @property
    def music_bar(self) -> MusicBar: ...
    @property
    def queue_panel(self) -> QueuePanel: ...
    @property
    def engine_loop(self) -> BackgroundLoop: ...

    # -- what one part of the app asks of another -------------------------------------
    def selection_changed(self) -> None: ...
    def _sort_changed(self) -> None: ...
    def start_search(self, tags: Sequence[str]) -> None: ...
    def ensure_preloaded(self) -> None: ...
    def show_rows(self, rows: Sequence[SongRank]) -> None: ...
    def stop_prefetch(self) -> None: ...
    def cancel_prefetch(self) -> None: ...
    def prefetch_top(self, rows: Sequence[SongRank], label: str) -> None: ...
    def rows_arrive_in_saved_view(self, rows: Sequence[SongRank]) -> bool: ...
    def saved_store(self) -> Store: ...
    def show_trend(self, row: SongRank) -> None: ...
    def fetch_reach(self, recommendation: Recommendation) -> None: ...
    def action_play(self) -> None: ...
    def action_play_pause(self) -> None: ...
    def action_next_song(self) -> None: ...
    def action_previous_song(self) -> None: ...


if TYPE_CHECKING:

    class MixinBase(AppHost, App[int]):
        """A mixin of TiktuneApp, as the type checker sees it."""

else:
    MixinBase = object


__all__ = ["AppHost", "MixinBase"]
