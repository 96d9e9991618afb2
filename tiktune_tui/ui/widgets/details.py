"""The selected song in full: exact counts, how its score adds up, and some of its videos."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import islice

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.style import Style
from textual.visual import RichVisual
from textual.widget import Widget
from textual.widgets import Static

from tiktune_tui.core.links import song_link, video_link
from tiktune_tui.core.models import Video
from tiktune_tui.core.reach import SongReach
from tiktune_tui.core.results import SongRank, explain_text
from tiktune_tui.core.weights import Weights
from tiktune_tui.text import format_clock, short_count, short_score, terminal_safe
from tiktune_tui.ui.widgets.trend_chart import TrendChart

VIDEOS_SHOWN = 3
STAT_LABELS = (("play", "plays"), ("digg", "likes"), ("comment", "comments"), ("share", "shares"))


def describe_song(
    row: SongRank,
    weights: Weights,
    videos: Mapping[str, Video],
    reach: SongReach | None = None,
    now: datetime | None = None,
) -> Group:
    song = row.song
    heading = Text(terminal_safe(song.display_title), style="bold")
    byline = Text("by ", style="dim")
    byline.append(terminal_safe(song.author) or "unknown artist", style="")
    byline.append(f" · {format_clock(song.duration_s, unknown='length unknown')} · rank {row.rank}", style="dim")

    score = Table.grid(padding=(0, 1))
    score.add_column()
    score.add_column(justify="right")
    score.add_column(style="dim")
    score.add_column(justify="right")
    for name, label in STAT_LABELS:
        count = getattr(row.stats, name)
        weight = getattr(weights, name)
        score.add_row(label, f"{count:,}", f"× {weight} =", _product(count * weight))
    # Totals go in the counts' column: exact, and the pane (40 columns) still fits a
    # billion-play song's row with its product in the short form.
    engagement = weights.score(row.stats)
    if row.explanation is None or row.explanation.mode == "popular":
        score.add_row(Text("score", style="bold"), Text(f"{engagement:,}", style="bold"))
    else:  # the engagement sum is the popular score; the active mode's score comes last
        score.add_row("popular", f"{engagement:,}")
        score.add_row(Text(row.explanation.mode, style="bold"), Text(short_score(row.score), style="bold"))

    why = None
    if row.explanation is not None and row.explanation.mode != "popular":
        # The popular breakdown is the table above; other modes say in one line why.
        why = Text("why: ", style="bold")
        why.append(terminal_safe(explain_text(row)))
    uses = Text(f"{row.videos} {'video uses' if row.videos == 1 else 'videos use'} it · ")
    uses.append(" ".join("#" + terminal_safe(tag) for tag in row.matched_tags), style="italic")

    if reach is not None:  # beside the niche's uses: is it big here, or big everywhere?
        uses.append("\n" + reach.describe(now), style="dim")

    parts: list = [heading, byline, score, *([why] if why else []), uses]
    shown = [videos[v] for v in row.video_ids if v in videos][:VIDEOS_SHOWN]
    if shown:
        parts.append(Text("videos", style="bold"))
        for video in shown:
            line = Text(f"▸ video {video.id}\n  ", style="dim")
            line.append(f"{short_count(video.stats.play)} plays")
            if video.create_time is not None:
                line.append(f" · {video.create_time:%Y-%m-%d}")
            if video.hashtags:
                line.append(" · " + " ".join("#" + terminal_safe(t) for t in video.hashtags[:6]), style="dim italic")
            parts.append(line)
        if row.videos > len(shown):
            parts.append(Text(f"… and {row.videos - len(shown)} more", style="dim"))
    links = Text()
    if (link := song_link(song)) is not None:
        links.append("song ", style="bold")
        links.append(link, style="underline")
    if shown and (link := video_link(shown[0])) is not None:
        links.append("\ntop video ", style="bold")
        links.append(link, style="underline")
    if links:
        parts.append(Text("c copies the song's link, C the video's, w opens it", style="dim"))
        parts.append(links)
    return Group(*parts)


def _product(value: int) -> str:
    """A stat × its weight: exact below a million, then short (123.4M), so the row fits the pane."""
    return f"{value:,}" if value < 1_000_000 else short_count(value)


class RenderedOnce(RichVisual):
    """A Rich renderable drawn once per width and style.

    Textual's RichVisual renders its renderable twice at each layout: once to count its lines,
    once to draw them. The song's details (a grid and wrapped lines, the costliest widget on
    screen) were most of the time a cursor move or opening the shortlist took; here the
    lines drawn for the count are the lines shown (the same render as RichVisual's).
    """

    def __init__(self, widget: Widget, renderable: RenderableType) -> None:
        super().__init__(widget, renderable)
        self._drawn_for: tuple[int, Style] | None = None
        self._strips: list[Strip] = []
        self._height = 0

    def _draw(self, width: int, style: Style) -> list[Strip]:
        if self._drawn_for != (width, style):
            app = self._widget.app
            options = app.console_options.update(highlight=False, width=width).update_width(width)
            renderable = self._widget.post_render(self._renderable, style.rich_style)
            segments = list(app.console.render(renderable, options))
            self._height = sum(text.count("\n") for text, _, _ in segments)
            lines = Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)
            self._strips = [Strip(line) for line in lines]
            self._drawn_for = (width, style)
        return self._strips

    def __rich_console__(self, console, options):
        yield self._renderable  # printed as what it shows (Static.content is this)

    def get_height(self, rules, width: int) -> int:
        self._draw(width, self._widget.visual_style)
        return self._height

    def render_strips(self, width: int, height: int | None, style: Style, options) -> list[Strip]:
        return list(islice(self._draw(width, style), None, height))


class DetailsBody(Static):
    """The song's text: a new song of another height is laid out once, not twice.

    Textual sets a widget's virtual size after each layout pass that resized it, and that
    reactive asks for another layout and a repaint. Here the virtual size is the text's own
    size (the body does not scroll: the pane does), already laid out and drawn in that pass.
    The second pass came a screen-update tick later: a third of the shortlist's opening.
    """

    virtual_size = Reactive(Size(0, 0), layout=False, repaint=False)


class DetailsPane(VerticalScroll):
    """Scrolls when the song does not fit; never takes the focus from the table by itself."""

    can_focus = False

    def __init__(self, *, id: str = "details") -> None:
        super().__init__(id=id)
        self.border_title = "Song"
        self._shown: tuple | None = None  # (row, weights, videos, reach, now) of the song shown

    def compose(self) -> ComposeResult:
        # The chart comes after the text in the wide pane; the narrow one docks it on the right.
        yield DetailsBody(id="details-body")
        yield TrendChart(id="trend")

    @property
    def chart(self) -> TrendChart:
        return self.query_one("#trend", TrendChart)

    def show_row(
        self,
        row: SongRank,
        weights: Weights,
        videos: Mapping[str, Video],
        reach: SongReach | None = None,
        now: datetime | None = None,
        *,
        scroll_home: bool = True,
    ) -> None:
        # The clock matters only to the reach line ("3 days ago").
        shown = (row, weights, videos, reach, now if reach is not None else None)
        if self._shown is not None and all(a is b for a, b in zip(shown[:4], self._shown[:4])):
            if shown[4] == self._shown[4]:
                return  # the same song again (opening the shortlist asks up to three times)
        self._shown = shown
        body = self.query_one("#details-body", Static)
        body.update(RenderedOnce(body, describe_song(row, weights, videos, reach, now)))
        if scroll_home:
            self.scroll_home(animate=False)

    def show_message(self, message: Text) -> None:
        self._shown = None
        self.chart.show(None)
        body = self.query_one("#details-body", Static)
        body.update(message)
        # A message that arrives while the previous one is still being laid out (a search
        # failing at once) could keep the old height; measure again after that refresh.
        self.call_after_refresh(body.refresh, layout=True)
