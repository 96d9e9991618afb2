"""The app on `--source auto` (its default): the first frame never waits for the network check,
and the status line says which source auto chose and why."""

from __future__ import annotations

import socket

from tests.support.ui_catalog import FIXED_NOW, wait_for_search
from tests.support.waiting import eventually, until
from tiktune_tui.config import Settings
from tiktune_tui.library.sources import SourceOptions, auto, reachability
from tiktune_tui.ui.app import TiktuneApp


def source_part(app) -> str:
    return app.status.parts["source"].plain


async def test_offline_the_status_line_says_auto_chose_the_catalog_and_why(monkeypatch):
    auto.forget()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("TIKTUNE_TIKTOK_ADDRESS", f"127.0.0.1:{port}")
    app = TiktuneApp(tags=("cooking",), source=SourceOptions(), settings=Settings(), clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for_search(pilot)
        await until(pilot, lambda: app.auto_choice is not None)
        assert app.auto_choice.kind == "catalog"
        assert source_part(app).startswith("bundled catalog · auto: 127.0.0.1:")
        assert app.table.row_count > 0
    auto.forget()


async def test_a_slow_network_check_never_delays_the_first_frame(monkeypatch):
    auto.forget()
    release = []

    def slow_probe(proxy=None, timeout_s=reachability.PROBE_TIMEOUT_S):
        # A DNS server that takes its time: it answers when the test releases it (or gives up).
        eventually(lambda: release, what="the test to release the probe")
        return reachability.Reachability(False, "slow network", 3.0)

    monkeypatch.setattr(reachability, "probe", slow_probe)
    app = TiktuneApp(source=SourceOptions(), settings=Settings(), clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert source_part(app) == "auto: checking tiktok.com…"  # drawn while the check runs
        release.append(True)
        await until(pilot, lambda: app.auto_choice is not None)
        assert source_part(app) == "auto: bundled catalog: slow network"
    auto.forget()
