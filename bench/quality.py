"""Recommendation quality: 5-fold cross-validation of every ranking mode on the bundled catalog.

Split by video with a fixed seed; corpus statistics come from each training split only.
Prints the markdown table for the README and the fit/popular HR@10 ratio.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tiktune_tui.commands.eval import format_table  # noqa: E402
from tiktune_tui.core.evaluation import cross_validate  # noqa: E402
from tiktune_tui.library.catalog import load_catalog  # noqa: E402


def main() -> None:
    videos = load_catalog().videos
    for expand in (False, True):
        started = time.perf_counter()
        report = cross_validate(videos, 5, workers=2, expand=expand)
        took = time.perf_counter() - started
        print(
            f"5-fold CV, {len(videos):,} videos, {report.cases:,} cases, fit related-tag expansion "
            f"{'on' if expand else 'off'} ({took:.1f} s)"
        )
        print(format_table(report))
        print(f"fit / popular HR@10: {report.hr('fit', 10) / report.hr('popular', 10):.2f}x\n")


if __name__ == "__main__":
    main()
