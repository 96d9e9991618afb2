"""Textual private APIs tiktune leans on, checked so an upgrade that changes them fails here, loudly.

Textual 8 has no public way to change how an Input draws its value; SafeInput overrides
`Input._value` and `Input._position_to_cell`. If one of these tests fails after a Textual
upgrade, SafeInput (ui/widgets/safe_input.py) must be adapted before control characters
can reach the terminal again.

LineView (ui/widgets/line_view.py) overrides `ScrollView._size_updated` so that a layout pass
that changed nothing of the view does not repaint its scrollbar a frame later, and makes its
scrollbar as `Widget.vertical_scrollbar` does (`_vertical_scrollbar`, `App._start_widget`) but
of its own class; changed, the overrides would do nothing or break the scrollbar.
"""

from __future__ import annotations

import inspect

from textual.app import App, ComposeResult
from textual.scroll_view import ScrollView
from textual.widgets import Input

from tiktune_tui.ui.widgets.safe_input import TEXTUAL_HOOKS, SafeInput


def test_textual_input_still_has_the_private_hooks_safe_input_overrides():
    for name in TEXTUAL_HOOKS:
        assert name in vars(Input), f"Textual's Input lost {name}: SafeInput no longer hides control characters"
    assert isinstance(vars(Input)["_value"], property), "Input._value is no longer a property"
    parameters = list(inspect.signature(Input._position_to_cell).parameters)
    assert parameters == ["self", "position"], f"Input._position_to_cell changed: {parameters}"


def test_textual_renders_the_input_through_the_hooks():
    """Not just present: Input.render_line must still draw `_value` and place the cursor by
    `_position_to_cell`, or overriding them changes nothing on screen."""
    render_source = inspect.getsource(Input.render_line)
    assert "self._value" in render_source, "Input.render_line no longer draws self._value"
    offset_source = inspect.getsource(Input._cursor_offset.fget)
    assert "_position_to_cell" in offset_source, "Input._cursor_offset no longer uses _position_to_cell"


def test_textual_scroll_view_still_has_the_size_hook_line_view_overrides():
    parameters = list(inspect.signature(ScrollView._size_updated).parameters)
    assert parameters == ["self", "size", "virtual_size", "container_size", "layout"], parameters
    source = inspect.getsource(ScrollView._size_updated)
    # Why LineView is there: the layout's virtual size (the viewport) against the view's own.
    assert "virtual_size != self.virtual_size" in source and "_scroll_update" in source


def test_textual_still_makes_the_vertical_scrollbar_as_line_view_does():
    from textual.widget import Widget

    source = inspect.getsource(Widget.vertical_scrollbar.fget)
    for step in ("self._vertical_scrollbar", "ScrollBar(", "display = False", "self.app._start_widget(self"):
        assert step in source, f"Widget.vertical_scrollbar no longer does {step!r}: see LineView.vertical_scrollbar"


class OneInput(App):
    def compose(self) -> ComposeResult:
        yield SafeInput(value="a\x1b[2Jb", id="field")


async def test_a_safe_input_draws_escapes_visibly_and_keeps_its_cursor_in_step():
    app = OneInput()
    async with app.run_test(size=(40, 3)) as pilot:
        field = app.query_one(SafeInput)
        field.focus()
        await pilot.pause()
        drawn = field.render_line(0).text
        assert "\x1b" not in drawn and "a␛[2Jb" in drawn
        assert field.value == "a\x1b[2Jb"
        field.cursor_position = 2
        assert field._cursor_offset == 2
