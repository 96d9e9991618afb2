"""The app's search: a query runs on a worker, its progress and rankings come back as messages.

A mixin of `TiktuneApp` (it reads the app's source, settings, weights, widgets and engine
loop), kept apart so the app module holds the composition and the wiring. A newer query
cancels the one still running; what arrives for an older one (by `serial`) is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import work
from textual.worker import Worker, WorkerState, get_current_worker

from tiktune_tui.core.period import parse_since
from tiktune_tui.core.query import Query
from tiktune_tui.core.results import SongRank
from tiktune_tui.library.recommend import Recommendation
from tiktune_tui.text import terminal_safe
from tiktune_tui.ui import garbage
from tiktune_tui.ui.app_host import MixinBase
from tiktune_tui.ui.messages import (
    KnownTagsLoaded,
    PartialResults,
    RelatedTagsFound,
    SearchProgress,
    while_running,
)
from tiktune_tui.ui.search import Search, SearchCancelled, run_search, warm_catalog
from tiktune_tui.ui.widgets.related_tags import RelatedTags


class SearchFlow(MixinBase):
    """Starting a query and showing what it finds (rows, progress, related tags, failures)."""

    def start_search(self, tags: Sequence[str]) -> None:
        """Run a query; a new one cancels the one still running."""
        self._serial += 1
        self.query_tags = list(tags)
        self.stop_prefetch()  # the new search has the network to itself
        since = parse_since(self.since_period, self.clock())
        query = Search(
            self._serial, Query(tuple(tags), self.rank_mode, self.weights, since=since), self.source, self.settings
        )
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
        described = recommendation.describe(self.clock())
        if self.auto_choice is not None:  # --source auto: which source, and why
            described = f"{described} · auto: {self.auto_choice.reason}"
        self._source_answered = True
        self.status.set_part("source", described)
        count = len(recommendation.rows)
        tags = " ".join("#" + tag for tag in recommendation.tags)
        self.status.set_part("results", Text(f"{count} {'song' if count == 1 else 'songs'} for {terminal_safe(tags)}"))
        for tag, problem in recommendation.failures.items():
            self.notify(
                f"#{terminal_safe(tag)}: {terminal_safe(problem)}", title="search", severity="warning", markup=False
            )
        if recommendation.notice:
            self.notify(terminal_safe(recommendation.notice), title="TikTok", severity="warning", markup=False)
        self.show_rows(recommendation.rows)
        # Once the results are drawn, while the user reads them (ui/garbage.py).
        self.call_after_refresh(garbage.settle)
        self._find_related(tuple(recommendation.tags))
        self.fetch_reach(recommendation)
        self.prefetch_top(recommendation.rows, recommendation.label)
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
        from tiktune_tui.library.store import StoreError

        if isinstance(error, StoreError) and self.table.song_ids():
            # The store (a team's server) failed, not the query: what it answered before stays.
            self._back_to_the_query()
            return
        self.show_rows([])
        self._back_to_the_query()
        self.details.show_message(
            Text.assemble(
                ("The search failed.\n\n", "bold"),
                (text, ""),
                ("\n\nFix it and press ctrl+r, or change the tags.", "dim"),
            )
        )

    def show_rows(self, rows: Sequence[SongRank]) -> None:
        if self.rows_arrive_in_saved_view(rows):  # the shortlist shows: results wait behind it
            return
        table = self.table
        table.loading = False
        # The same query again (its final rows after the partial ones, a refresh) keeps the
        # selected song; another query or another mode is a new list, read from the top.
        shown_for = (tuple(self.query_tags), f"{self.rank_mode} {self.since_period}")
        table.show_rows(rows, keep_selection=shown_for == self._rows_shown_for)
        self._rows_shown_for = shown_for
        self._sort_changed()
        self.selection_changed()


__all__ = ["SearchFlow"]
