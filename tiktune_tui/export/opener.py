"""Showing the user a file we made: a desktop program when there is a desktop, else its path.

Over SSH there is no display to open a video on; the terminal's clipboard (OSC 52) still
reaches the user's own machine, so the path can be copied there instead.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from tiktune_tui.errors import TiktuneError


class OpenError(TiktuneError):
    """No program could open the file."""


def has_desktop(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether opening a file would show it to the user (not on a remote machine's missing screen)."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    over_ssh = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY"))
    if platform == "win32":
        return True
    if platform == "darwin":
        return not over_ssh
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return False
    return shutil.which("xdg-open") is not None


def open_path(path: str | os.PathLike[str]) -> None:
    """Open `path` with the desktop's default program, detached: tiktune neither waits nor dies with it."""
    target = str(Path(path).absolute())  # absolute: a name starting with "-" is never an option
    if sys.platform == "win32":
        try:
            os.startfile(target)  # type: ignore[attr-defined]
        except OSError as exc:
            raise OpenError(f"cannot open {target}: {exc}") from None
        return
    _spawn_detached(target)


def open_url(url: str) -> None:
    """Open a web address in the desktop's browser, detached (as `open_path` does a file)."""
    if not url.startswith("https://"):
        raise OpenError(f"not a web address: {url}")
    _spawn_detached(url)


def _spawn_detached(target: str) -> None:
    """The desktop's opener on `target`, in its own session with no terminal I/O."""
    command = ["open", target] if sys.platform == "darwin" else ["xdg-open", target]
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise OpenError(f"cannot open {target}: {command[0]}: {exc.strerror or exc}") from None
    # Reap it in the background so a long-lived app does not collect zombies.
    threading.Thread(target=process.wait, name="opener-reaper", daemon=True).start()


def osc52(text: str) -> str:
    """The escape sequence asking the terminal to put `text` on the user's clipboard."""
    return "\x1b]52;c;" + base64.b64encode(text.encode("utf-8")).decode("ascii") + "\a"


def copy_to_clipboard(text: str, stream: TextIO | None = None) -> bool:
    """Send `text` to the terminal's clipboard; False when `stream` is not a terminal."""
    stream = stream or sys.stdout
    if not stream.isatty():
        return False
    stream.write(osc52(text))
    stream.flush()
    return True
