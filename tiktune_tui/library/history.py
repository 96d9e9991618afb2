"""Past queries, kept across sessions in the data dir, newest last (like a shell's history).

One query per line in history.txt. Every change rewrites the file under a temporary name
and renames it into place, so a crash or a second tiktune never leaves half a file; each
write merges with what is on disk, so two running apps both keep their queries.
"""

from __future__ import annotations

import logging
from pathlib import Path

from tiktune_tui.files import write_text

MAX_QUERIES = 500
FILE_NAME = "history.txt"

log = logging.getLogger(__name__)


class QueryHistory:
    def __init__(self, path: Path, limit: int = MAX_QUERIES) -> None:
        self.path = path
        self.limit = limit

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> QueryHistory:
        return cls(data_dir / FILE_NAME)

    def load(self) -> list[str]:
        """The saved queries, oldest first; an unreadable file reads as none (history is a nicety)."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        except OSError as exc:
            log.warning("query history unreadable: %s", exc)
            return []
        return [line for line in text.splitlines() if line.strip()][-self.limit :]

    def add(self, query: str) -> None:
        """Append `query` unless it repeats the newest one; failures are logged, never raised."""
        query = " ".join(query.split())  # one line, whatever was pasted
        if not query:
            return
        queries = self.load()
        if queries and queries[-1] == query:
            return
        queries = [*queries, query][-self.limit :]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text(self.path, "\n".join(queries) + "\n")
        except OSError as exc:
            log.warning("query history not saved: %s", exc)
