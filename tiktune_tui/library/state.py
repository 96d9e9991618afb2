"""What the app remembers between runs: theme, volume, sort, mode, shuffle/repeat, export.

A small JSON file in the data dir, written to a temp name and renamed (a crash leaves the
old file or the new one, never half of one). A damaged file is ignored with a warning:
remembered settings are a convenience, never a reason not to start.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from tiktune_tui.paths import data_dir

STATE_FILE = "state.json"


@dataclass
class AppState:
    theme: str | None = None
    volume: int | None = None
    muted: bool | None = None
    sort_column: str | None = None
    sort_reverse: bool | None = None
    mode: str | None = None
    shuffle: bool | None = None
    repeat: str | None = None
    export_video: str | None = None  # the video the export modal used last


_TYPES = {
    "theme": str,
    "volume": int,
    "muted": bool,
    "sort_column": str,
    "sort_reverse": bool,
    "mode": str,
    "shuffle": bool,
    "repeat": str,
    "export_video": str,
}


def state_path(override: str | None = None) -> Path:
    return data_dir(override) / STATE_FILE


def load_state(path: Path) -> tuple[AppState, str | None]:
    """The state kept at `path` (defaults when there is none) and a warning if it was damaged.
    Each value of the wrong type is dropped on its own; the rest is kept."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AppState(), None
    except (OSError, UnicodeDecodeError) as exc:
        return AppState(), f"{path}: cannot read the remembered settings ({exc}); starting with the defaults"
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        return AppState(), f"{path} is damaged ({exc}); starting with the defaults"
    values = {}
    for field in fields(AppState):
        value = data.get(field.name)
        kind = _TYPES[field.name]
        # bool is an int in Python: a volume of true is not a volume.
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            values[field.name] = value
    return AppState(**values), None


def save_state(path: Path, state: AppState) -> None:
    """Write `state` atomically (temp file in the same folder, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({k: v for k, v in asdict(state).items() if v is not None}, out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
