"""Past queries, kept across sessions in the data dir, newest last (like a shell's history).

One query per line in history.txt. Every change rewrites the file under a temporary name
and renames it into place, so a crash or a second tiktune never leaves half a file; each
write merges with what is on disk, holding a lock (flock on its folder) from the read to
the rename, so running apps all keep their queries (without it, two read the same file and
the second rename drops the first one's query).
"""

from __future__ import annotations

import fcntl
import logging
import os
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
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # The lock is on the folder, not on the file (which each write replaces) nor on
            # a lock file (which would be left lying in the data dir).
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                fcntl.flock(folder, fcntl.LOCK_EX)  # released when the descriptor closes
                queries = self.load()
                if queries and queries[-1] == query:
                    return
                self._write([*queries, query][-self.limit :])
            finally:
                os.close(folder)
        except OSError as exc:
            log.warning("query history not saved: %s", exc)

    def _write(self, queries: list[str]) -> None:
        write_text(self.path, "\n".join(queries) + "\n")
