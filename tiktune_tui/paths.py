"""Where tiktune keeps its files: the data dir (database, audio cache) and config dir."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "tiktune"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir, else $TIKTUNE_DATA_DIR, else the platform's user data dir."""
    chosen = override or os.environ.get("TIKTUNE_DATA_DIR")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """$TIKTUNE_CONFIG_DIR, else the platform's user config dir."""
    chosen = os.environ.get("TIKTUNE_CONFIG_DIR")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def database_path(override: str | os.PathLike[str] | None = None) -> Path:
    return data_dir(override) / "tiktune.sqlite3"
