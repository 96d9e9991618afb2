"""Widgets that change without asking Textual for a second layout (or a second frame): a new
song's details (DetailsBody), a line view laid out again (LineView), the footer's keys
following the focus (KeyFooter). Each second pass or frame came a screen-update tick later,
a third or more of the time the shortlist or the queue took to open."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from tiktune_tui.ui.widgets.details import DetailsBody
from tiktune_tui.ui.widgets.line_view import LineView, SteadyScrollBar


class Lines(LineView, can_focus=True):
    def __init__(self, count: int) -> None:
        super().__init__()
        self.virtual_size = Size(0, count)

    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width)


class OneView(App):
    CSS = "Lines { height: 1fr; }"

    def __init__(self, view: ScrollView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield self.view


def count_scrollbar_refreshes(view: ScrollView) -> list[int]:
    calls: list[int] = []
    bar = view.vertical_scrollbar
    refresh = bar.refresh

    def counted(*args, **kwargs):
        calls.append(1)
        return refresh(*args, **kwargs)

    bar.refresh = counted  # type: ignore[method-assign]
    return calls


async def test_a_line_view_laid_out_again_unchanged_leaves_its_scrollbar_alone():
    app = OneView(Lines(100))
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.view
        await pilot.pause()
        assert view.show_vertical_scrollbar and view.vertical_scrollbar.window_virtual_size == 100
        refreshes = count_scrollbar_refreshes(view)
        app.screen.refresh(layout=True)
        await pilot.pause()
        assert refreshes == []


async def test_a_line_view_still_updates_its_scrollbar_when_its_length_or_size_changes():
    app = OneView(Lines(100))
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.view
        await pilot.pause()
        view.virtual_size = Size(0, 50)
        await pilot.pause()
        assert view.vertical_scrollbar.window_virtual_size == 50
        await pilot.resize_terminal(40, 20)
        await pilot.pause()
        assert view.vertical_scrollbar.window_size == 20
        view.styles.overflow_y = "hidden"  # the same size and length: the style alone
        await pilot.pause()
        assert not view.show_vertical_scrollbar
        view.styles.overflow_y = "auto"
        await pilot.pause()
        assert view.show_vertical_scrollbar
        view.virtual_size = Size(0, 5)  # fits: no scrollbar (overflow auto)
        await pilot.pause()
        assert not view.show_vertical_scrollbar


async def test_a_line_views_scrollbar_is_repainted_when_what_it_draws_changes_only():
    app = OneView(Lines(100))
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.view
        await pilot.pause()
        bar = view.vertical_scrollbar
        assert isinstance(bar, SteadyScrollBar) and bar.size.height == 10
        repaints: list[int] = []
        refresh = ScrollBar.refresh  # what SteadyScrollBar.refresh hands on to

        def counted(self, *args, **kwargs):
            repaints.append(1)
            return refresh(self, *args, **kwargs)

        ScrollBar.refresh = counted  # type: ignore[method-assign]
        try:
            view.blur()  # the view's styles applied again, its scrollbar colours unchanged
            view.focus()
            await pilot.pause()
            assert repaints == []
            view.scroll_to(y=50, animate=False)  # the thumb moves
            await pilot.pause()
            assert repaints
            repaints.clear()
            bar.mouse_over = True  # the hover colours
            await pilot.pause()
            assert repaints
            repaints.clear()
            app.theme = "textual-light" if app.theme != "textual-light" else "nord"  # other colours
            await pilot.pause()
            assert repaints
        finally:
            ScrollBar.refresh = refresh  # type: ignore[method-assign]


class HiddenView(OneView):
    CSS = "Lines { height: 1fr; display: none; overflow-y: scroll; }"


async def test_a_line_view_shown_the_first_time_is_laid_out_once():
    """Its scrollbar made, styled and shown at mount: showing the view (the queue panel's first
    opening) changes nothing of the scrollbar but its size, which asks for no layout."""
    app = HiddenView(Lines(100))
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.view
        await pilot.pause()
        layouts: list[int] = []
        app.screen.screen_layout_refresh_signal.subscribe(app, lambda _: layouts.append(1), immediate=True)
        view.display = True
        await pilot.pause()
        assert view.vertical_scrollbar.size.height == 10 and view.vertical_scrollbar.window_virtual_size == 100
        assert layouts == [1]


class Details(App):
    CSS = "VerticalScroll { height: 8; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield DetailsBody(id="body")


async def test_details_of_another_height_are_laid_out_in_one_pass():
    app = Details()
    async with app.run_test(size=(40, 12)) as pilot:
        body = app.query_one(DetailsBody)
        pane = app.query_one(VerticalScroll)
        body.update(Text("\n".join(f"line {n}" for n in range(3))))
        await pilot.pause()
        layouts: list[int] = []
        app.screen.screen_layout_refresh_signal.subscribe(app, lambda _: layouts.append(1), immediate=True)
        body.update(Text("\n".join(f"line {n}" for n in range(5))))  # taller, still fits
        await pilot.pause()
        assert body.size.height == 5 and layouts == [1]
        body.update(Text("\n".join(f"line {n}" for n in range(12))))  # taller than the pane: it scrolls
        await pilot.pause()
        assert body.size.height == 12 and pane.max_scroll_y == 4
        body.update(Text("one line"))
        await pilot.pause()
        assert body.size.height == 1 and pane.max_scroll_y == 0
