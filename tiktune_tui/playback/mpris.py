"""tiktune over MPRIS (D-Bus), so a desktop's media keys and widgets drive it.

Started only where a session bus is (DBUS_SESSION_BUS_ADDRESS): over SSH nothing is started
and nothing is printed. The bus runs on its own asyncio loop and thread; what the desktop
asks (play/pause, next, previous) goes to `controls`, which must be thread-safe (the
Player's methods are), and `update(status)` may be called from any thread.
"""

# No `from __future__ import annotations`: dbus-next reads the D-Bus signatures ("s", "b")
# from the annotations themselves.
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tiktune_tui.background_loop import BackgroundLoop
from tiktune_tui.playback.player_status import PlayerState, PlayerStatus

BUS_NAME = "org.mpris.MediaPlayer2.tiktune"
OBJECT_PATH = "/org/mpris/MediaPlayer2"


@dataclass(frozen=True)
class Controls:
    play_pause: Callable[[], None]
    next: Callable[[], None]
    previous: Callable[[], None]


def _playback_status(status: PlayerStatus | None) -> str:
    if status is None:
        return "Stopped"
    if status.state == PlayerState.PLAYING or status.state == PlayerState.LOADING:
        return "Playing"
    if status.state == PlayerState.PAUSED:
        return "Paused"
    return "Stopped"


def _interfaces(controls: Controls) -> tuple[Any, Any]:
    from dbus_next import PropertyAccess, Variant
    from dbus_next.service import ServiceInterface, dbus_property, method

    class Root(ServiceInterface):
        def __init__(self) -> None:
            super().__init__("org.mpris.MediaPlayer2")

        @method()
        def Raise(self):  # noqa: N802 - D-Bus names
            pass

        @method()
        def Quit(self):  # noqa: N802
            pass

        @dbus_property(access=PropertyAccess.READ)
        def Identity(self) -> "s":  # noqa: N802, F821, F722
            return "tiktune"

        @dbus_property(access=PropertyAccess.READ)
        def CanQuit(self) -> "b":  # noqa: N802, F821, F722
            return False

        @dbus_property(access=PropertyAccess.READ)
        def CanRaise(self) -> "b":  # noqa: N802, F821, F722
            return False

        @dbus_property(access=PropertyAccess.READ)
        def HasTrackList(self) -> "b":  # noqa: N802, F821, F722
            return False

        @dbus_property(access=PropertyAccess.READ)
        def SupportedUriSchemes(self) -> "as":  # noqa: N802, F821, F722
            return []

        @dbus_property(access=PropertyAccess.READ)
        def SupportedMimeTypes(self) -> "as":  # noqa: N802, F821, F722
            return []

    class Player(ServiceInterface):
        def __init__(self) -> None:
            super().__init__("org.mpris.MediaPlayer2.Player")
            self.status: PlayerStatus | None = None

        @method()
        def PlayPause(self):  # noqa: N802
            controls.play_pause()

        @method()
        def Play(self):  # noqa: N802
            if _playback_status(self.status) != "Playing":
                controls.play_pause()

        @method()
        def Pause(self):  # noqa: N802
            if _playback_status(self.status) == "Playing":
                controls.play_pause()

        @method()
        def Next(self):  # noqa: N802
            controls.next()

        @method()
        def Previous(self):  # noqa: N802
            controls.previous()

        @method()
        def Stop(self):  # noqa: N802
            self.Pause()

        @dbus_property(access=PropertyAccess.READ)
        def PlaybackStatus(self) -> "s":  # noqa: N802, F821, F722
            return _playback_status(self.status)

        @dbus_property(access=PropertyAccess.READ)
        def Metadata(self) -> "a{sv}":  # noqa: N802, F821, F722
            return _metadata(self.status, Variant)

        @dbus_property(access=PropertyAccess.READ)
        def CanPlay(self) -> "b":  # noqa: N802, F821, F722
            return True

        @dbus_property(access=PropertyAccess.READ)
        def CanPause(self) -> "b":  # noqa: N802, F821, F722
            return True

        @dbus_property(access=PropertyAccess.READ)
        def CanGoNext(self) -> "b":  # noqa: N802, F821, F722
            return True

        @dbus_property(access=PropertyAccess.READ)
        def CanGoPrevious(self) -> "b":  # noqa: N802, F821, F722
            return True

        @dbus_property(access=PropertyAccess.READ)
        def CanControl(self) -> "b":  # noqa: N802, F821, F722
            return True

    return Root(), Player()


def _metadata(status: PlayerStatus | None, variant: Any) -> dict[str, Any]:
    song = status.song if status is not None else None
    if song is None:
        return {"mpris:trackid": variant("o", "/org/mpris/MediaPlayer2/TrackList/NoTrack")}
    data = {
        "mpris:trackid": variant("o", f"/org/tiktune/song/s{song.id}" if song.id.isalnum() else "/org/tiktune/song/x"),
        "xesam:title": variant("s", song.display_title),
        "xesam:artist": variant("as", [song.author] if song.author else []),
    }
    if status is not None and status.duration_s:
        data["mpris:length"] = variant("x", int(status.duration_s * 1_000_000))
    return data


class MprisService:
    """One tiktune on the session bus. `start()` returns None where there is no bus."""

    def __init__(self, controls: Controls, address: str) -> None:
        self._controls = controls
        self._address = address
        self._loop = BackgroundLoop(name="tiktune-mpris")
        self._bus: Any = None
        self._root, self._player = _interfaces(controls)
        self._shown: tuple | None = None

    @classmethod
    def start(cls, controls: Controls, environ: Mapping[str, str] | None = None) -> "MprisService | None":
        env = os.environ if environ is None else environ
        address = env.get("DBUS_SESSION_BUS_ADDRESS")
        if not address:
            return None
        try:
            import dbus_next  # noqa: F401
        except ImportError:
            return None
        service = cls(controls, address)
        try:
            service._loop.run(service._connect(), timeout=5)
        except Exception:  # noqa: BLE001 - no bus after all (stale address): media keys are a nicety
            service.close()
            return None
        return service

    async def _connect(self) -> None:
        from dbus_next.aio import MessageBus

        self._bus = await MessageBus(bus_address=self._address).connect()
        self._bus.export(OBJECT_PATH, self._root)
        self._bus.export(OBJECT_PATH, self._player)
        await self._bus.request_name(BUS_NAME)

    def update(self, status: PlayerStatus) -> None:
        """Tell the desktop what plays (only what it shows: state, song)."""
        key = (_playback_status(status), status.song, status.duration_s)
        if key == self._shown:
            return
        self._shown = key

        async def publish() -> None:
            from dbus_next import Variant

            self._player.status = status
            self._player.emit_properties_changed(
                {"PlaybackStatus": _playback_status(status), "Metadata": _metadata(status, Variant)}
            )

        if self._loop.running:
            self._loop.submit(publish())

    def close(self) -> None:
        bus, self._bus = self._bus, None
        if bus is not None:
            try:
                bus.disconnect()
            except Exception:  # noqa: BLE001, S110 - closing: the bus may be gone already
                pass
        self._loop.close(timeout=2)
