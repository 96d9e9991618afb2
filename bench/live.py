"""Live TikTok for a new user (issue 15), measured on this machine.

1. Enter to first audio: a song whose audio was prefetched vs one fetched on demand, served
   from 127.0.0.1 with 300 ms simulated latency (the CDN's round trip), played by the real
   player (libVLC, dummy output) until it reports PLAYING with the position moving.
2. `tiktune doctor`: the total time of the real command (every check, Chromium included).
3. `auto` at start: the time its reachability check adds, with no network (the name lookup
   fails) and with a network (a listening 127.0.0.1 standing in for tiktok.com), and
   `tiktune recommend` on auto vs on --source catalog with no network, and the app's
   first frame on auto vs catalog (the check must not delay it).

Best (median for the command runs) of --runs.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LATENCY_S = 0.3


def first_audio(play_url: str, cache_dir: Path, prefetch: bool, headers: dict[str, str]) -> float:
    """Seconds from play_songs (Enter) to PLAYING with the position past 0."""
    from tests.support.player_support import song
    from tiktune_tui.playback.audio_cache import AudioCache
    from tiktune_tui.playback.player import Player
    from tiktune_tui.playback.player_status import PlayerState
    from tiktune_tui.playback.prefetch import Prefetcher

    cache = AudioCache(cache_dir)
    tune = song(f"bench{time.monotonic_ns()}", play_url)
    if prefetch:
        report = Prefetcher(cache, headers_for=lambda: headers).start([tune], 1)
        report.done.wait(30)
        assert report.fetched, report
    player = Player(audio_output="dummy", cache=cache)
    try:
        player.wait_for(lambda s: s.state != PlayerState.STARTING, 30)
        started = time.perf_counter()
        player.play_songs([tune], 0)
        player.wait_for(lambda s: s.state == PlayerState.PLAYING and s.position_s > 0, 30)
        return time.perf_counter() - started
    finally:
        player.close()


def bench_first_audio(runs: int) -> tuple[float, float]:
    from tests.support.player_support import make_tone
    from tests.support.slow_cdn import serve_cdn

    work = Path(tempfile.mkdtemp(prefix="tiktune-bench-live-"))
    tone = make_tone(work / "tone.mp3", 5.0)
    headers = {"Referer": "https://www.tiktok.com/", "Cookie": "tt_chain_token=bench"}
    on_demand, prefetched = [], []
    with serve_cdn({}, latency_s=LATENCY_S, default=tone) as (base, _):
        for n in range(runs):
            on_demand.append(first_audio(f"{base}/d{n}.mp3", work / f"cache-d{n}", False, headers))
            prefetched.append(first_audio(f"{base}/p{n}.mp3", work / f"cache-p{n}", True, headers))
    return min(on_demand), min(prefetched)


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "TIKTUNE_DATA_DIR": str(home / "data"),
        "TIKTUNE_CONFIG_DIR": str(home / "config"),
        "TIKTUNE_AUDIO_OUTPUT": "dummy",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    env.pop("TIKTUNE_MS_TOKEN", None)
    return env


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tiktune_tui", *args], env=env, capture_output=True, check=False)
    return time.perf_counter() - started


def bench_doctor(runs: int) -> float:
    home = Path(tempfile.mkdtemp(prefix="tiktune-bench-doctor-"))
    return statistics.median(timed(["doctor", "--json"], env_for(home)) for _ in range(runs))


def bench_auto(runs: int) -> dict[str, float]:
    from tiktune_tui.config import Settings
    from tiktune_tui.library.sources import auto

    figures: dict[str, float] = {}
    # In this process: how long auto's verdict takes.
    saved = os.environ.pop("TIKTUNE_TIKTOK_ADDRESS", None)
    samples = []
    for _ in range(runs):
        auto.forget()
        started = time.perf_counter()
        choice = auto.choice(Settings())
        samples.append(time.perf_counter() - started)
    figures[f"verdict, real tiktok.com ({choice.kind}: {choice.reason})"] = min(samples)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        os.environ["TIKTUNE_TIKTOK_ADDRESS"] = f"127.0.0.1:{listener.getsockname()[1]}"
        samples = []
        for _ in range(runs):
            auto.forget()
            started = time.perf_counter()
            choice = auto.choice(Settings())
            samples.append(time.perf_counter() - started)
        figures[f"verdict, reachable ({choice.kind})"] = min(samples)
    os.environ.pop("TIKTUNE_TIKTOK_ADDRESS", None)
    if saved is not None:
        os.environ["TIKTUNE_TIKTOK_ADDRESS"] = saved
    # The command, offline: auto vs --source catalog (closed port = no tiktok.com, as offline).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    home = Path(tempfile.mkdtemp(prefix="tiktune-bench-auto-"))
    offline = env_for(home, TIKTUNE_TIKTOK_ADDRESS=f"127.0.0.1:{closed}")
    catalog_runs, auto_runs = [], []
    for _ in range(runs):  # interleaved, so machine load hits both alike
        catalog_runs.append(timed(["recommend", "cooking", "--limit", "5", "--source", "catalog"], offline))
        auto_runs.append(timed(["recommend", "cooking", "--limit", "5"], offline))
    figures["recommend --source catalog"] = statistics.median(catalog_runs)
    figures["recommend (auto, offline)"] = statistics.median(auto_runs)
    return figures


def bench_first_frame(runs: int) -> dict[str, float]:
    import re

    from bench.startup import run_once

    home = Path(tempfile.mkdtemp(prefix="tiktune-bench-frame-"))
    env = {**env_for(home), "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    marker = {"first frame": re.compile(rb"tiktune")}
    result = {}
    for label, args in (("catalog", ["--source", "catalog"]), ("auto", [])):
        frames = [
            run_once([sys.executable, "-m", "tiktune_tui", *args], env, marker)[0].get("first frame", float("inf"))
            for _ in range(runs)
        ]
        result[f"app first frame ({label})"] = min(frames)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    on_demand, prefetched = bench_first_audio(options.runs)
    print(f"Enter to first audio, {LATENCY_S * 1000:.0f} ms CDN latency (best of {options.runs}):")
    print(f"  on demand   {on_demand * 1000:7.0f} ms")
    print(f"  prefetched  {prefetched * 1000:7.0f} ms   ({on_demand / prefetched:.1f}x faster)")
    doctor = bench_doctor(options.runs)
    print(f"tiktune doctor, total (median of {options.runs}): {doctor:.2f} s")
    print("auto at start:")
    for name, seconds in {**bench_auto(options.runs), **bench_first_frame(options.runs)}.items():
        print(f"  {name:<60} {seconds * 1000:7.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
