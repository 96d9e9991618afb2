"""What the app remembers between runs: theme, volume, sort, mode, shuffle/repeat, the export modal's settings.

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
class ExportSettings:
    """The export modal's last settings, as its fields hold them (None: not remembered, the default)."""

    mode: str | None = None  # replace | mix
    song_volume_pct: float | None = None
    original_volume_pct: float | None = None
    loop: bool | None = None
    fade_in_s: float | None = None
    fade_s: float | None = None
    loudness: float | str | None = None  # LUFS, or "off"
    duck_db: float | None = None
    offset: str | None = None  # "auto" (the best part, found for each song) or a time like "1:15"
    video_folder: str | None = None  # where the video picker opens


_NUMBER = (int, float)
_EXPORT_TYPES: dict[str, tuple[type, ...]] = {
    "mode": (str,),
    "song_volume_pct": _NUMBER,
    "original_volume_pct": _NUMBER,
    "loop": (bool,),
    "fade_in_s": _NUMBER,
    "fade_s": _NUMBER,
    "loudness": (*_NUMBER, str),
    "duck_db": _NUMBER,
    "offset": (str,),
    "video_folder": (str,),
}


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
    export: ExportSettings | None = None


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
    "export": dict,
}


def _kept(value: object, kinds: tuple[type, ...]) -> bool:
    # bool is an int in Python: a volume of true is not a volume.
    return isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)


def _export_settings(data: dict) -> ExportSettings:
    return ExportSettings(**{name: data[name] for name, kinds in _EXPORT_TYPES.items() if _kept(data.get(name), kinds)})


def _without_nones(data: dict) -> dict:
    return {k: _without_nones(v) if isinstance(v, dict) else v for k, v in data.items() if v is not None}


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
        if _kept(value, (_TYPES[field.name],)):
            values[field.name] = _export_settings(value) if field.name == "export" else value
    return AppState(**values), None


def save_state(path: Path, state: AppState) -> None:
    """Write `state` atomically (temp file in the same folder, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(_without_nones(asdict(state)), out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
