"""One ffmpeg child process: started, its `-progress` reports and error messages read as it runs, stopped.

Also what its reports and failures mean: `read_progress` turns the key=value lines into a
`Progress`, `ffmpeg_failure` and `disk_error` turn ffmpeg's messages and OS errors into one line.
"""

from __future__ import annotations

import ctypes
import errno
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tiktune_tui.export.options import ExportError


@dataclass(frozen=True)
class Progress:
    done_s: float
    total_s: float
    speed: float | None = None
    eta_s: float | None = None
    phase: str = "export"  # "loudness": the measuring pass before the export proper

    @property
    def fraction(self) -> float:
        return min(1.0, self.done_s / self.total_s) if self.total_s > 0 else 0.0


ProgressCallback = Callable[[Progress], None]


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    """For the child, between fork and exec: SIGKILL when tiktune dies, however it dies (Linux).

    ffmpeg runs in its own session, so no terminal signal reaches it; without this, a SIGKILL
    of tiktune left it running to the end of a hidden file. The kernel sends the signal when
    the *thread* that started ffmpeg ends: `Exporter.run` starts ffmpeg and stops it before
    it returns, on the same thread, so that thread outlives it. If tiktune died before the
    child set this up, the child exits at once (its parent is no longer the one that forked).
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: no loading in the child
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def in_child() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return in_child


class FfmpegProcess:
    """One ffmpeg run, its stdout (-progress lines) and stderr read by threads as it goes."""

    def __init__(self, args: list[str], lock_fd: int | None = None) -> None:
        self.args = args
        self.started = time.monotonic()
        # A new session: Ctrl-C in the terminal reaches us, and we stop ffmpeg ourselves.
        # `lock_fd` (the part file's lock) is inherited: the lock lives as long as ffmpeg does.
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            pass_fds=() if lock_fd is None else (lock_fd,),
            preexec_fn=_die_with_parent(),  # noqa: PLW1509 - the child only calls prctl, resolved before the fork
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr_tail: deque[str] = deque(maxlen=40)
        self.readers = [threading.Thread(target=pump, daemon=True) for pump in (self._pump_stdout, self._pump_stderr)]
        for reader in self.readers:
            reader.start()

    def _pump_stdout(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.put(raw.decode("utf-8", "replace").strip())
        self.lines.put(None)

    def _pump_stderr(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            self.stderr_tail.append(raw.decode("utf-8", "replace").rstrip())

    def finish(self) -> int:
        """Waits for ffmpeg to exit (its stdout has ended) and for the readers; its exit status."""
        self.process.wait()
        self._close()
        return self.process.returncode

    def stop(self) -> None:
        """Kills ffmpeg if it still runs and reaps it; its pipes are closed.

        SIGKILL, not SIGTERM: on SIGTERM ffmpeg would first finish the file (trailer, the
        faststart pass) that is thrown away anyway: a wrong guess, a cancel, an error.
        """
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        for reader in self.readers:
            reader.join(timeout=5)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


def disk_error(exc: OSError, directory: Path) -> ExportError:
    if exc.errno == errno.ENOSPC:
        return ExportError(f"the disk holding {directory} is full; free some space and try again")
    if exc.errno == errno.EROFS:
        return ExportError(f"cannot write in {directory}: read-only file system; choose another output folder")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ExportError(f"cannot write in {directory}: permission denied; choose another output folder")
    return ExportError(f"cannot write in {directory}: {exc.strerror or exc}")


WRITE_FAILURE = re.compile(r"No space left on device|Read-only file system|Error writing|I/O error")


def ffmpeg_failure(stderr_lines: list[str], directory: Path) -> ExportError:
    text = "\n".join(stderr_lines)
    if "No space left on device" in text:
        return ExportError(f"the disk holding {directory} is full; free some space and try again")
    if "Read-only file system" in text:
        return ExportError(f"cannot write in {directory}: read-only file system; choose another output folder")
    last = next((line for line in reversed(stderr_lines) if line.strip()), "no message")
    return ExportError(f"ffmpeg failed: {last.strip()}")


def parse_speed(text: str) -> float | None:
    try:
        return float(text.strip().removesuffix("x"))
    except ValueError:
        return None


def read_progress(report: dict[str, str], total: float, elapsed: float, phase: str = "export") -> Progress:
    done = 0.0
    for key, scale in (("out_time_us", 1e6), ("out_time_ms", 1e6)):  # ffmpeg's out_time_ms is µs too
        value = report.get(key, "N/A")
        if value.lstrip("-").isdigit():
            done = max(0.0, int(value) / scale)
            break
    if report.get("progress") == "end":
        done = total
    done = min(done, total)
    # Below 1 % the rate is mostly ffmpeg's start-up time: no ETA rather than a wild one.
    eta = elapsed * (total - done) / done if done >= 0.01 * total and elapsed > 0 else None
    return Progress(done_s=done, total_s=total, speed=parse_speed(report.get("speed", "")), eta_s=eta, phase=phase)
