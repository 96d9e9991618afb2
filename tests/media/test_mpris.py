"""MPRIS on a private session bus (Debian's dbus-daemon), read back with busctl."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from tiktune_tui.core.models import Song
from tiktune_tui.playback.mpris import BUS_NAME, OBJECT_PATH, Controls, MprisService
from tiktune_tui.playback.player_status import PlayerState, PlayerStatus

pytestmark = pytest.mark.skipif(
    not (shutil.which("dbus-daemon") and shutil.which("busctl")),
    reason="needs dbus-daemon and busctl (apt: dbus, systemd)",
)


@pytest.fixture
def session_bus():
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE, text=True
    )
    try:
        address = daemon.stdout.readline().strip()
        assert address.startswith("unix:"), address
        yield address
    finally:
        daemon.terminate()
        daemon.wait(10)


def busctl(address, *args):
    return subprocess.run(
        ["busctl", f"--address={address}", "--user", *args], capture_output=True, text=True, timeout=20
    )


def test_no_session_bus_starts_nothing():
    assert MprisService.start(Controls(lambda: None, lambda: None, lambda: None), environ={}) is None


def test_title_artist_and_play_pause_over_a_real_session_bus(session_bus):
    calls: list[str] = []
    controls = Controls(
        lambda: calls.append("play_pause"), lambda: calls.append("next"), lambda: calls.append("previous")
    )
    service = MprisService.start(controls, environ={"DBUS_SESSION_BUS_ADDRESS": session_bus})
    assert service is not None
    try:
        service.update(PlayerStatus(state=PlayerState.PLAYING, song=Song("7", "Tone a", "ffmpeg"), duration_s=30))
        deadline = time.monotonic() + 10
        while True:
            status = busctl(
                session_bus, "get-property", BUS_NAME, OBJECT_PATH, "org.mpris.MediaPlayer2.Player", "PlaybackStatus"
            )
            if '"Playing"' in status.stdout or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert status.stdout.strip() == 's "Playing"', status
        metadata = busctl(
            session_bus, "get-property", BUS_NAME, OBJECT_PATH, "org.mpris.MediaPlayer2.Player", "Metadata"
        )
        assert '"Tone a"' in metadata.stdout and '"ffmpeg"' in metadata.stdout
        identity = busctl(session_bus, "get-property", BUS_NAME, OBJECT_PATH, "org.mpris.MediaPlayer2", "Identity")
        assert identity.stdout.strip() == 's "tiktune"'
        for name in ("PlayPause", "Next", "Previous"):
            result = busctl(session_bus, "call", BUS_NAME, OBJECT_PATH, "org.mpris.MediaPlayer2.Player", name)
            assert result.returncode == 0, result.stderr
        assert calls == ["play_pause", "next", "previous"]
    finally:
        service.close()


async def test_the_app_answers_a_play_pause_from_the_desktop(session_bus, tmp_path, monkeypatch):
    import asyncio

    from tests.app.test_workflow import playable_catalog, until
    from tests.support.player_support import make_tone, serve_directory
    from tests.support.ui_catalog import make_app, wait_for_search

    for name in ("a", "b", "c", "d"):
        make_tone(tmp_path / f"{name}.mp3", 30, 440)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session_bus)
    with serve_directory(tmp_path) as url:
        app = make_app(playable_catalog(tmp_path / "p.csv", url), tags=["mix"])
        async with app.run_test() as pilot:
            await wait_for_search(pilot)
            assert app._mpris is not None
            app.table.focus()
            await pilot.press("enter")
            bar = app.music_bar
            await until(pilot, lambda: bar.status.state == PlayerState.PLAYING)

            async def desktop(*args):
                # Not subprocess.run: the app answers on this very event loop.
                process = await asyncio.create_subprocess_exec(
                    "busctl",
                    f"--address={session_bus}",
                    "--user",
                    *args,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                )
                out, err = await process.communicate()
                assert process.returncode == 0, err
                return out.decode()

            await until(pilot, lambda: app._mpris._shown is not None and app._mpris._shown[0] == "Playing")
            title = await desktop("get-property", BUS_NAME, OBJECT_PATH, "org.mpris.MediaPlayer2.Player", "Metadata")
            assert '"Tone a"' in title
            await desktop("call", BUS_NAME, OBJECT_PATH, "org.mpris.MediaPlayer2.Player", "PlayPause")
            await until(pilot, lambda: bar.status.state == PlayerState.PAUSED)
            state = await desktop(
                "get-property", BUS_NAME, OBJECT_PATH, "org.mpris.MediaPlayer2.Player", "PlaybackStatus"
            )
            assert "Paused" in state or "Playing" in state  # the change is published a moment later
