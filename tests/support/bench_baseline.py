"""bench/baseline_sql.py's lean SQL ranking, for the tests that hold it to core's answers."""

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "bench" / "baseline_sql.py"
_spec = importlib.util.spec_from_file_location("bench_baseline_sql", _PATH)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

rank_songs = _module.rank_songs
