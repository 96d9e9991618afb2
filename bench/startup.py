"""Startup of the real `tiktune` command in a pseudo-terminal, as a user would see it.

- first frame: process start until the screen shows the header (`tiktune`);
- first results: process start until the status line shows "N songs for #fyp" (bundled catalog);
- 10,000 rows: `tiktune --catalog <10,000 songs> bench`, time to results and peak RSS of the process.
Targets on the 2-core box: first frame < 1.0 s, first results < 1.5 s, peak RSS < 200 MB.

`python -X importtime`-free: the figures are wall clock from fork to the bytes on the pty.
Best of --runs (the first run also warms the OS file cache).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TIKTUNE = [sys.executable, "-m", "tiktune_tui"]
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>PX^_\\\]][^\x1b\x07]*(?:\x07|\x1b\\)?")


def launch(args: list[str], env: dict[str, str], size=(120, 36)) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes tiktune on the pty
        os.execvpe(args[0], args, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    os.kill(pid, signal.SIGWINCH)
    return pid, fd


def run_once(args: list[str], env: dict[str, str], markers: dict[str, re.Pattern[bytes]], limit: float = 30.0):
    """Seconds from fork until each marker appears on screen, and the child's peak RSS in MB."""
    start = time.perf_counter()
    pid, fd = launch(args, env)
    seen: dict[str, float] = {}
    screen = b""
    try:
        while len(seen) < len(markers) and time.perf_counter() - start < limit:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            screen += chunk
            # Cursor moves split words; compare text with the escapes removed.
            plain = ANSI.sub(b"", screen)
            for name, pattern in markers.items():
                if name not in seen and pattern.search(plain):
                    seen[name] = time.perf_counter() - start
        time.sleep(0.3)  # let the app settle before it is asked to quit
        os.write(fd, b"q")
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            waited, status, usage = os.wait4(pid, os.WNOHANG)
            if waited:
                return seen, usage.ru_maxrss / 1024
            try:
                select.select([fd], [], [], 0.05)
                os.read(fd, 65536)
            except OSError:
                time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        _, _, usage = os.wait4(pid, 0)
        return seen, usage.ru_maxrss / 1024
    finally:
        os.close(fd)


def write_many(path: Path, count: int) -> None:
    from tests.support.ui_catalog import write_many_songs

    write_many_songs(path, count, tag="bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="tiktune-bench-"))
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "TIKTUNE_DATA_DIR": str(home / "data"),
        "TIKTUNE_CONFIG_DIR": str(home / "config"),
        "TIKTUNE_AUDIO_OUTPUT": "dummy",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TIKTUNE_MS_TOKEN", None)
    many = home / "many.csv"
    write_many(many, 10_000)

    bundled = {"first frame": re.compile(rb"tiktune"), "first results": re.compile(rb"\d+ songs for #fyp")}
    frames, results, rss_bundled = [], [], []
    for _ in range(options.runs):
        seen, rss = run_once(TIKTUNE + ["fyp"], env, bundled)
        frames.append(seen.get("first frame", float("inf")))
        results.append(seen.get("first results", float("inf")))
        rss_bundled.append(rss)

    big = {"results": re.compile(rb"10000 songs for #bench")}
    big_results, rss_big = [], []
    for _ in range(options.runs):
        seen, rss = run_once(TIKTUNE + ["--catalog", str(many), "bench"], env, big)
        big_results.append(seen.get("results", float("inf")))
        rss_big.append(rss)

    def verdict(value: float, target: float) -> str:
        return "ok" if value < target else "OVER TARGET"

    print(f"startup of `tiktune fyp` in a 120x36 pty, best of {options.runs}")
    print(f"  first frame    {min(frames):6.3f} s   (target < 1.0 s: {verdict(min(frames), 1.0)})")
    print(f"  first results  {min(results):6.3f} s   (target < 1.5 s: {verdict(min(results), 1.5)})")
    print(f"  peak RSS       {min(rss_bundled):6.1f} MB  (bundled catalog, 16,086 videos)")
    print("`tiktune --catalog <10,000 songs> bench`")
    print(f"  results        {min(big_results):6.3f} s")
    print(f"  peak RSS       {max(rss_big):6.1f} MB  (target < 200 MB: {verdict(max(rss_big), 200)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
