"""A line-API view whose scrollbar is redrawn only when the view's size or length changed.

Textual hands every ScrollView its viewport as the "virtual size" at each layout pass; the
view's own virtual size (its line count) differs from that whenever it scrolls, so ScrollView
took every pass for a change: it updated the scrollbar and repainted it a frame later. Opening
the shortlist or the queue lays the screen out, and that repaint was a second frame after the
first, a screen-update tick (up to 1/60 s) later.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


class LineView(ScrollView):
    """ScrollView, minus the scrollbar update when the layout changed nothing of this view."""

    _laid_out: tuple[Size, Size, Size] | None = None  # (size, virtual size, container size)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        laid_out = (size, self.virtual_size, container_size)
        if laid_out == self._laid_out:
            return False
        self._laid_out = laid_out
        return super()._size_updated(size, virtual_size, container_size, layout)
