"""Hearing an export before it is written: the first seconds of its sound, in tiktune's own folder.

The preview is the export's own sound graph (`plan.preview_args`: the chosen start, the volumes,
ducking, fades and the loudness gain measured over the whole export), cut to `PREVIEW_S` and
written as WAV, audio only. Nothing is written beside the user's files: the previews live in
`<data dir>/previews`, one at a time (`PreviewFiles`): the last one goes when the next is made
and when the app ends; a crash's leftovers go at the next preview.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tiktune_tui.export.plan import Plan
from tiktune_tui.paths import data_dir

PREVIEW_S = 10.0
PREVIEW_FOLDER = "previews"
_PREFIX = "preview-"
_SUFFIX = ".wav"
_STALE_S = 3600  # older than this, a preview no running tiktune can still be playing


@dataclass(frozen=True)
class Preview:
    """A rendered preview: where, how long, and what the loudness pass found."""

    path: Path
    length_s: float
    offset_s: float  # where in the song it starts
    loudness_lufs: float | None  # the target it was brought to (None: left at its own level)
    measured_lufs: float | None
    warnings: tuple[str, ...] = ()


def preview_length(plan: Plan, wanted_s: float = PREVIEW_S) -> float:
    """`wanted_s`, or less when the video (or, without loop, the song from its start) is shorter."""
    length = min(wanted_s, plan.duration_s)
    if not plan.options.loop:
        length = min(length, max(0.0, plan.audio.duration_s - plan.options.offset_s))
    return length


def preview_directory(override: str | os.PathLike[str] | None = None) -> Path:
    return data_dir(override) / PREVIEW_FOLDER


class PreviewFiles:
    """The preview files of one run of the app: at most one at a time, removed when done with."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._current: Path | None = None
        self._lock = threading.Lock()

    def new_path(self) -> Path:
        """A fresh empty file for the next preview; the last one (and old leftovers) removed."""
        with self._lock:
            self._remove_current()
            self.directory.mkdir(parents=True, exist_ok=True)
            self._sweep()
            fd, name = tempfile.mkstemp(prefix=_PREFIX, suffix=_SUFFIX, dir=self.directory)
            os.close(fd)
            self._current = Path(name)
            return self._current

    def discard(self, path: Path) -> None:
        """`path` will not be played (the render failed or was cancelled): removed now."""
        with self._lock:
            if path == self._current:
                self._remove_current()

    def clear(self) -> None:
        """At exit: the last preview removed (libVLC has let go of it, or Linux keeps it open)."""
        with self._lock:
            self._remove_current()

    @property
    def current(self) -> Path | None:
        return self._current

    def _remove_current(self) -> None:
        if self._current is not None:
            self._current.unlink(missing_ok=True)
            self._current = None

    def _sweep(self) -> None:
        now = time.time()
        for leftover in self.directory.glob(f"{_PREFIX}*{_SUFFIX}"):
            try:
                if now - leftover.stat().st_mtime > _STALE_S:
                    leftover.unlink()
            except OSError:
                pass  # another tiktune removed it first
