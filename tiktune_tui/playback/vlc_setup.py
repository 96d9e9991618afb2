"""libVLC set-up: loading it, the process's one instance, and which audio output to use.

Everything that knows how libVLC is found and configured lives here; the player only asks
for an instance and a media player with the output chosen.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tiktune_tui.errors import TiktuneError

INSTALL_HINT = "apt-get install libvlc5 vlc-plugin-base"
# libmpg123 prints decoder complaints (after a seek mid-frame) straight onto stderr, which
# is the TUI's screen; libavcodec decodes the same formats quietly.
VLC_ARGS = ["--no-video", "--quiet", "--no-metadata-network-access", "--codec=avcodec,any"]
# The output that plays into nothing: where no device can be heard, and in tests.
SILENT_OUTPUT = "dummy"


class PlaybackUnavailable(TiktuneError):
    """libVLC cannot be loaded: nothing can play in this process."""


_instance_lock = threading.Lock()
_instance: Any = None


def _import_vlc() -> Any:
    try:
        import vlc
    except Exception as exc:  # noqa: BLE001 - python-vlc raises OSError, NotImplementedError, ...
        raise PlaybackUnavailable(
            f"Playback unavailable: libVLC not found ({exc}). Install it: {INSTALL_HINT}"
        ) from None
    return vlc


def vlc_instance() -> tuple[Any, Any]:
    """The vlc module and the process's one vlc.Instance, created on first use."""
    global _instance
    vlc = _import_vlc()
    with _instance_lock:
        if _instance is None:
            try:
                created = vlc.Instance(VLC_ARGS)
            except Exception as exc:  # noqa: BLE001
                created, reason = None, str(exc)
            else:
                reason = "libvlc_new failed: are its plugins installed?"
            if created is None:
                raise PlaybackUnavailable(f"Playback unavailable: {reason} Install: {INSTALL_HINT}")
            _instance = created
        return vlc, _instance


def find_audio_problem(environ: Mapping[str, str] | None = None, sound_devices: Path = Path("/dev/snd")) -> str | None:
    """Why the default audio output cannot be heard here (no sound card, no sound server), or None.

    Over SSH libVLC still "plays" without a device, while ALSA prints errors over the screen.
    """
    env = os.environ if environ is None else environ
    if env.get("PULSE_SERVER"):
        return None
    runtime = Path(env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}")
    for socket in (runtime / "pulse" / "native", runtime / "pipewire-0"):
        if socket.exists():
            return None
    try:
        if any(sound_devices.iterdir()):
            return None
    except OSError:
        pass
    return (
        "No audio device found (over SSH?): playing silently. Choose an output with "
        "--audio-output (pulse, alsa) or [player] audio_output in config.toml."
    )


def audio_outputs(instance: Any) -> list[str]:
    """The names of libVLC's audio outputs (pulse, alsa, adummy, ...)."""
    vlc = _import_vlc()
    try:
        head = instance.audio_output_list_get()
    except Exception:  # noqa: BLE001 - an old libVLC without the call: nothing to check against
        return []
    names: list[str] = []
    node = head
    # A C linked list: iterating the pointer itself would never end.
    while node:
        item = node.contents
        if item.name:
            names.append(item.name.decode("utf-8", "replace"))
        node = item.next
    if head:
        vlc.libvlc_audio_output_list_release(head)
    return names


def choose_audio_output(
    media_player: Any,
    wanted: str | None,
    notify: Callable[..., None],
    find_problem: Callable[[], str | None] | None = None,
    instance: Any = None,
) -> None:
    """Set `wanted` on `media_player`; libVLC's default when unset or unknown, and the silent
    output when the default could not be heard (`notify` says why, quietly: it is a standing
    fact, not news)."""
    if wanted:
        # libVLC takes any name here and fails later, silently: check against its own list.
        # Modules answer to their short names too: adummy is `dummy`, afile `file`.
        known = audio_outputs(instance) if instance is not None else []
        if (known and wanted not in known and "a" + wanted not in known) or media_player.audio_output_set(wanted) != 0:
            names = ", ".join(name.removeprefix("a") if name == "adummy" else name for name in known)
            notify(f"Unknown audio output {wanted!r}: using the default. libVLC has: {names or 'none'}.")
            wanted = None
    if not wanted:
        problem = (find_problem or find_audio_problem)()
        if problem:
            # The default would reach ALSA, which writes its errors over the screen.
            media_player.audio_output_set(SILENT_OUTPUT)
            notify(problem, "information", quiet=True)


__all__ = [
    "INSTALL_HINT",
    "SILENT_OUTPUT",
    "VLC_ARGS",
    "audio_outputs",
    "PlaybackUnavailable",
    "choose_audio_output",
    "find_audio_problem",
    "vlc_instance",
]
