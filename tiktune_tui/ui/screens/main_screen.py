"""The app's main screen: Textual's `Screen`, without a repaint of everything at each focus change.

`Screen.focused` is a reactive that repaints the screen when it changes, so moving the focus
(`u` to the queue panel, Esc back to the list) drew every widget of the screen again: the
1,000-song table, the details, the bar, the footer. Nothing on the screen itself depends on
which widget has the focus; the widgets that look different focused restyle and redraw
themselves (their `:focus` rules, SongTable.on_focus), so the repaint is left out.
"""

from __future__ import annotations

from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget


class MainScreen(Screen):
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)


__all__ = ["MainScreen"]
