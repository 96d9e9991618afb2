"""One recommendation question as data: which tags, ranked how, kept how many.

Built once from what the user typed (commands/args.py for a command line, the app's
tag input) and handed whole to `library.recommend`, so no caller passes the parts loose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tiktune_tui.core.modes import DEFAULT_MODE
from tiktune_tui.core.weights import DEFAULT_WEIGHTS, Weights


@dataclass(frozen=True)
class Query:
    tags: tuple[str, ...]  # canonical hashtags (core.tags.parse_tags), in the order typed
    mode: str = DEFAULT_MODE  # one of core.modes.MODE_NAMES
    weights: Weights = DEFAULT_WEIGHTS
    require_all: bool = False  # only songs matched by every tag
    limit: int | None = None  # rows to keep; None keeps them all
    since: datetime | None = None  # only videos posted from then on count (--since); None: all
