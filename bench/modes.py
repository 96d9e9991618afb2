"""Every ranking mode and related tags on the 1,000,000-video synthetic store, next to popular.

For the 3-tag queries of bench/rank.py: popular as the store answers it (SQL), and each mode
as the engine answers a store search (matching videos + store corpus + core.modes), timed in
the same run; ratios are against popular's SQL time. Then related tags for one tag.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rank import QUERIES, best_of  # noqa: E402
from synthetic import synthetic_store_path, tag_name  # noqa: E402

from tiktune_tui.core.modes import MODE_NAMES, rank  # noqa: E402
from tiktune_tui.store import Store  # noqa: E402


def main() -> None:
    store = Store(synthetic_store_path())
    for name, tags in QUERIES.items():
        popular_sql = best_of(lambda: store.rank_songs(tags, limit=50), runs=3)
        print(f"{name:8} {tags}: popular (SQL) {popular_sql * 1000:8.1f} ms")
        for mode in MODE_NAMES:
            took = best_of(
                lambda: rank(store.videos_with_any(tags), tags, mode, corpus=store.corpus(tags), limit=50), runs=2
            )
            print(f"{'':8} {mode:9} (store search + core.modes) {took * 1000:8.1f} ms  "
                  f"ratio {took / popular_sql:.2f}x")
    for rank_of_tag in (1, 10, 100, 1000):
        tag = tag_name(rank_of_tag)
        took = best_of(lambda: store.related_tags(tag), runs=3)
        print(f"related tags for #{tag}: {took * 1000:.1f} ms")


if __name__ == "__main__":
    main()
