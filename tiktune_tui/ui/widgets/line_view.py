"""A line-API view whose scrollbar costs no layout pass or frame of its own.

What Textual does with a ScrollView's scrollbar asked, after the layout the view's own change
needed, for another layout or a repaint a frame later (each a screen-update tick later: up to
1/60 s, often more; opening the shortlist or the queue is one layout, so each was a third or
more of the opening):
- at every layout pass the view is handed its viewport as its "virtual size"; its own (its
  line count) differs whenever it scrolls, so ScrollView took every pass for a change and
  repainted the scrollbar;
- the scrollbar's own virtual size, set when it is first laid out, is a layout reactive
  (the scrollbar never draws from it: it draws its view's window sizes);
- the scrollbar is made at the first layout that shows it and styled at the view's first
  change of focus, and those first styles (its sizes) ask for a layout;
- at each change of focus the view's scrollbar colours are set again, unchanged, and each
  repaints the scrollbar (the focus moves in messages handled after the layout began).
"""

from __future__ import annotations

from typing import Self, cast

from rich.console import RenderableType
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender


class SteadyScrollBar(ScrollBar):
    """Textual's scrollbar, minus the layout its own (unused) virtual size asked for, and
    minus the repaints that would draw it as it is."""

    virtual_size = Reactive(Size(0, 0), layout=False, repaint=False)
    _drawn: tuple | None = None  # what the last render drew

    def _look(self, renderable: RenderableType) -> tuple:
        bar = cast(ScrollBarRender, renderable)
        return (self.size, bar.virtual_size, bar.window_size, bar.position, bar.thickness, bar.vertical, bar.style)

    def render(self) -> RenderableType:
        renderable = super().render()
        self._drawn = self._look(renderable)
        return renderable

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Self:
        # Its view's styles, applied again at each change of focus, repaint it though its
        # colours did not change (Textual's ScrollbarColorProperty); the focus moves in
        # messages handled after the view's own change, so that repaint was a frame of its own.
        # Never drawn yet, or not on screen (its view hidden: the queue panel closed), there is
        # nothing to repaint: the layout that places it, or gives it a size again, draws it.
        if not (regions or layout or recompose) and self.is_attached:
            if not self.size or self._drawn is None or self._look(super().render()) == self._drawn:
                return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


class LineView(ScrollView):
    """ScrollView, minus the scrollbar updates when the layout changed nothing of this view."""

    _laid_out: tuple[Size, Size, Size] | None = None  # (size, virtual size, container size)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        laid_out = (size, self.virtual_size, container_size)
        if laid_out == self._laid_out:
            return False
        self._laid_out = laid_out
        return super()._size_updated(size, virtual_size, container_size, layout)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Widget.vertical_scrollbar, making a SteadyScrollBar (Textual has no hook for the class).
        if self._vertical_scrollbar is None:
            bar = SteadyScrollBar(vertical=True, name="vertical", thickness=self.styles.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    def on_mount(self) -> None:
        # Made and styled now, and shown if it always is: the first layout that shows the view
        # (the queue panel's first opening) then changes nothing of the scrollbar but its size.
        bar = self.vertical_scrollbar
        bar.display = self.styles.overflow_y == "scroll"
        bar.update_node_styles()
