"""Signals at random moments of a long `tiktune export`, run as a real child process.

Whatever stops tiktune (Ctrl-C, SIGTERM, closing the terminal, SIGKILL), its ffmpeg is gone
within 2 s, no output is published, the inputs are untouched, and once the next export into
that folder has run no part file is left. ffmpeg goes through a wrapper on PATH that notes its
pid (exec keeps it) and reads the video at real-time speed, so the export lasts ~10 s.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.export_media import H264, SONG_TONE_HZ, VIDEO_TONE_HZ, _sine, _testsrc, ffmpeg, sha256

pytestmark = [
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

ROOT = Path(__file__).resolve().parents[2]
SEED = int(os.environ.get("TIKTUNE_SIGNAL_SEED", random.randrange(1 << 30)))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("signal-media")
    ffmpeg(*_testsrc(10), *_sine(VIDEO_TONE_HZ, 10), *H264, "-c:a", "aac", "-shortest", str(d / "clip.mp4"))
    ffmpeg(*_sine(SONG_TONE_HZ, 12), "-c:a", "aac", str(d / "song.m4a"))
    return d / "clip.mp4", d / "song.m4a"


@pytest.fixture
def slow_path(tmp_path) -> tuple[dict[str, str], Path]:
    """An environment whose `ffmpeg` notes its pid in the returned file and runs at real time."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "ffmpeg-pids"
    wrapper = bin_dir / "ffmpeg"
    wrapper.write_text(f'#!/bin/sh\necho $$ >> "{log}"\nexec {shutil.which("ffmpeg")} -re "$@"\n')
    wrapper.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(ROOT))
    env["TIKTUNE_DATA_DIR"] = str(tmp_path / "data")
    return env, log


def _default_signals() -> None:
    # A test runner (or nohup) may have left SIGINT/SIGHUP ignored; a user's shell would not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def export(video: Path, song: Path, out: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tiktune_tui",
            "export",
            "--video",
            str(video),
            "--audio",
            str(song),
            "--out",
            str(out),
            "--no-open",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_signals,
    )


def alive(pid: int) -> bool:
    """Running (a zombie nobody has reaped yet is dead: it writes nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def pids(log: Path) -> list[int]:
    return [int(line) for line in log.read_text().split()] if log.exists() else []


def part_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tiktune-part"))


@pytest.mark.parametrize("moment", ["while ffmpeg runs", "at start"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name)
def test_a_signal_at_a_random_moment_leaves_no_ffmpeg_no_part_file_no_output(
    inputs, slow_path, tmp_path, signum, moment
):
    rng = random.Random(f"{SEED}-{signum}-{moment}")
    env, log = slow_path
    work = tmp_path / "work"
    work.mkdir()
    video, song = (Path(shutil.copy(p, work / p.name)) for p in inputs)
    before = sha256(video), sha256(song)
    out = work / "out.mp4"
    child = export(video, song, out, env)
    try:
        if moment == "while ffmpeg runs":
            assert wait_until(lambda: pids(log), 30), child.stderr.read().decode()
            # A random moment of the ~10-s copy (seed in TIKTUNE_SIGNAL_SEED to replay it).
            threading.Event().wait(rng.uniform(0.05, 3.0))
            assert child.poll() is None, "the export ended before the signal: make it longer"
        else:
            threading.Event().wait(rng.uniform(0.0, 0.3))  # probing, or ffmpeg just started
        child.send_signal(signum)
        child.wait(timeout=15)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    err = child.stderr.read().decode()
    assert child.returncode != 0, err
    if moment == "while ffmpeg runs" and signum in (signal.SIGTERM, signal.SIGHUP):
        assert child.returncode == 128 + signum and "nothing was written" in err, err
        assert "Traceback" not in err
    for pid in pids(log):
        assert wait_until(lambda pid=pid: not alive(pid), 2.0), (
            f"ffmpeg {pid} still runs after {signum.name} (seed {SEED})"
        )
    assert not out.exists()
    assert (sha256(video), sha256(song)) == before

    # The next export into the folder (a fast one, real ffmpeg) removes any leftover part file.
    env = dict(env, PATH=os.environ["PATH"])
    after = export(video, song, work / "next.mp4", env)
    _, next_err = after.communicate(timeout=60)
    assert after.returncode == 0, next_err.decode()
    assert part_files(work) == []
    assert not out.exists()
    assert (sha256(video), sha256(song)) == before


def test_a_part_file_someone_still_writes_is_not_swept(tmp_path):
    from tiktune_tui.export import part_file

    held = part_file.PartFile.create(tmp_path, ".clip.")
    leftover = tmp_path / ".old.0123456789ab.tiktune-part"
    leftover.write_bytes(b"half an export")
    try:
        assert part_file.sweep(tmp_path) == [leftover]
        assert held.path.exists() and not leftover.exists()
    finally:
        held.remove()
    assert list(tmp_path.iterdir()) == []
