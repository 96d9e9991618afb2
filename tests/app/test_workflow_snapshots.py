"""SVG snapshots of the queue panel and the shortlist view at 80x24 and 120x36."""

from __future__ import annotations

import pytest

from tests.support.ui_catalog import make_app, wait_for_search, write_catalog
from tests.support.waiting import until
from tiktune_tui.playback.player import PlayerState, PlayerStatus
from tiktune_tui.playback.queue import Repeat

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


async def settle(pilot):
    pilot.app.tag_input.cursor_blink = False
    await wait_for_search(pilot)
    bar = pilot.app.music_bar
    # The player has started (and will say nothing more on its own).
    await until(pilot, lambda: bar.status is not None and bar.status.state == PlayerState.IDLE, what="an idle player")
    pilot.app.table.focus()


@pytest.mark.parametrize("size", SIZES)
def test_queue_panel(snap_compare, tmp_path, size):
    async def run_before(pilot):
        await settle(pilot)
        app = pilot.app
        songs = tuple(app.table.songs_in_view_order())
        # A fixed moment: the second song paused at 0:12, shuffle on, repeat all, one dead link.
        app.music_bar.apply_status(
            PlayerStatus(
                state=PlayerState.PAUSED,
                song=songs[1],
                index=1,
                count=len(songs),
                position_s=12,
                duration_s=65,
                songs=songs,
                shuffle=True,
                repeat=Repeat.ALL,
                dead=frozenset({songs[3].id}),
            )
        )
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()

    app = make_app(write_catalog(tmp_path / "ui.csv"), tags=["cooking", "diy"])
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_shortlist_view(snap_compare, tmp_path, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("b", "j", "j", "b", "B")
        await pilot.pause()

    app = make_app(write_catalog(tmp_path / "ui.csv"), tags=["cooking", "diy"])
    assert snap_compare(app, terminal_size=size, run_before=run_before)
