"""Every ranking mode and related tags on the 1,000,000-video synthetic store, next to popular.

For the 3-tag queries of bench/rank.py: popular as the store has always answered it
(bench/baseline_sql.py, the lean SQL) and each mode as the engine answers a store search now
(Store.rank_modes, one SQL pass, rows explained), timed in the same run; the ratio is
against popular's SQL time (the issue's target: within 2x). Then related tags for one tag
(target: under 100 ms). The last line sums it up.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline_sql import rank_songs  # noqa: E402
from rank import QUERIES, best_of  # noqa: E402
from synthetic import synthetic_store_path, tag_name  # noqa: E402

from tiktune_tui.core.modes import MODE_NAMES  # noqa: E402
from tiktune_tui.library.store import Store  # noqa: E402

RATIO_TARGET = 2.0
RELATED_TARGET_MS = 100.0


def main() -> None:
    store = Store(synthetic_store_path())  # opening migrates an older cached store once
    worst_ratio = 0.0
    for name, tags in QUERIES.items():
        popular_sql = best_of(lambda: rank_songs(store, tags, limit=50), runs=3)
        print(f"{name:8} {tags}: popular (baseline SQL) {popular_sql * 1000:8.1f} ms")
        for mode in MODE_NAMES:
            took = best_of(lambda: store.rank_modes(tags, mode, limit=50), runs=3)
            worst_ratio = max(worst_ratio, took / popular_sql)
            print(f"{'':8} {mode:9} (Store.rank_modes) {took * 1000:8.1f} ms  ratio {took / popular_sql:.2f}x")
    slowest = 0.0
    for rank_of_tag in (1, 10, 100, 1000):
        tag = tag_name(rank_of_tag)
        took = best_of(lambda: store.related_tags(tag), runs=3)
        slowest = max(slowest, took * 1000)
        print(f"related tags for #{tag} ({store.tag_videos([tag]).get(tag, 0):,} videos): {took * 1000:.1f} ms")
    verdict = "met" if worst_ratio <= RATIO_TARGET and slowest < RELATED_TARGET_MS else "MISSED"
    print(
        f"summary: slowest mode {worst_ratio:.2f}x popular's SQL (target {RATIO_TARGET:.0f}x), slowest related "
        f"tags {slowest:.0f} ms (target {RELATED_TARGET_MS:.0f} ms): {verdict}"
    )


if __name__ == "__main__":
    main()
