"""The creator's workflow at scale: a 1,000-song shortlist and a 1,000-song queue.

- saving a song (the `b` key's store write, real SQLite in WAL): target < 20 ms each;
- opening the shortlist view over 1,000 saved songs (`B`, until the frame is drawn);
- opening the queue panel over a 1,000-song queue (`u`, until the frame is drawn);
each opening: target < 100 ms and < 20 MB of extra memory (tracemalloc peak over the call);
and, for scale, what redrawing the whole screen costs on the same machine (the floor).
Run: python bench/workflow.py [--runs N]. Prints each figure and its ratio to the target.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SONGS = 1000
COLUMNS = [
    "video_id",
    "hashtags",
    "music_id",
    "music_title",
    "music_author",
    "music_duration_s",
    "music_play_url",
    "play_count",
    "digg_count",
    "comment_count",
    "share_count",
    "create_time",
]


def write_catalog(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n in range(SONGS):
            writer.writerow(
                [
                    str(10_000_000 + n),
                    "bench",
                    str(20_000_000 + n),
                    f"Song {n:05d}",
                    f"Artist {n % 97}",
                    "60",
                    "",
                    (n * 7919) % 1_000_003,
                    n % 5000,
                    n % 300,
                    n % 77,
                    "2025-01-01T00:00:00Z",
                ]
            )
    return path


def report(name: str, value: float, target: float, unit: str) -> None:
    print(f"{name:<44} {value:8.2f} {unit:<3} target < {target:g} {unit}  ({value / target:.2f} of it)")


async def measure(catalog: Path, runs: int) -> None:
    from tiktune_tui.config import Settings
    from tiktune_tui.library.sources import SourceOptions
    from tiktune_tui.playback.player_status import PlayerState, PlayerStatus
    from tiktune_tui.ui.app import TiktuneApp

    app = TiktuneApp(
        tags=["bench"],
        source=SourceOptions(catalog=str(catalog)),
        settings=Settings(),
        audio_output="dummy",
        load_known_tags=False,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(3000):
            if app.search_state == "done":
                break
            await pilot.pause(0.01)
        assert app.table.row_count == SONGS, app.table.row_count
        app.table.focus()
        # Saving: the b key on each of the 1,000 rows (store write + marks), timed one by one.
        saves = []
        for index in range(SONGS):
            app.table.cursor_row = index
            start = time.perf_counter()
            app.action_toggle_saved()
            saves.append((time.perf_counter() - start) * 1000)
        assert len(app.saved_ids) == SONGS
        for _ in range(5):  # let the cursor moves above be handled before anything is timed
            await pilot.pause()
        report("save a song (median of 1,000)", statistics.median(saves), 20, "ms")
        report("save a song (slowest of 1,000)", max(saves), 20, "ms")

        async def opening(action, undo) -> tuple[float, float]:
            """Best time over `runs` (no tracing), then the worst extra memory (traced apart:
            tracemalloc slows Python several times over)."""
            times, memory = [], []
            for traced in [False] * runs + [True] * 2:
                if traced:
                    tracemalloc.start()
                    base = tracemalloc.get_traced_memory()[0]
                start = time.perf_counter()
                action()
                await pilot.pause()  # until the frame is drawn
                if traced:
                    memory.append((tracemalloc.get_traced_memory()[1] - base) / 2**20)
                    tracemalloc.stop()
                else:
                    times.append((time.perf_counter() - start) * 1000)
                undo()
                await pilot.pause()
            return min(times), max(memory)

        # What any change of layout costs here (the whole screen laid out and drawn again):
        # the floor under both openings on this machine.
        ms, _ = await opening(lambda: app.screen.refresh(layout=True), lambda: None)
        report("redraw the whole screen (baseline, best)", ms, 100, "ms")
        ms, mb = await opening(app.action_show_saved, app.action_show_saved)
        report("open the 1,000-song shortlist (best)", ms, 100, "ms")
        report("  its extra memory (worst)", mb, 20, "MB")

        songs = tuple(app.table.songs_in_view_order())
        app.music_bar.apply_status(
            PlayerStatus(state=PlayerState.PAUSED, song=songs[0], index=0, count=len(songs), songs=songs)
        )
        await pilot.pause()
        ms, mb = await opening(app.action_show_queue, app.action_show_queue)
        report("open the 1,000-song queue (best)", ms, 100, "ms")
        report("  its extra memory (worst)", mb, 20, "MB")
        await pilot.press("q")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["TIKTUNE_DATA_DIR"] = str(Path(folder) / "data")
        os.environ["TIKTUNE_CONFIG_DIR"] = str(Path(folder) / "config")
        catalog = write_catalog(Path(folder) / "bench.csv")
        asyncio.run(measure(catalog, args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
