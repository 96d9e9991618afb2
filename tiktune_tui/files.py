"""Writing a file so that no reader ever sees half of it: a temporary name beside it, then a rename.

A crash, a full disk or a second tiktune writing the same file at the same moment leaves either
the old file or the new one, whole. The temporary file lives in the target's own folder (a rename
across file systems is a copy) and is flushed to disk before it replaces the target, so a power
cut right after the rename cannot leave an empty file where a good one was.
(export/exporter.py publishes videos its own way: it must never replace a file, only add one.)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _rename(temp: Path, target: Path) -> None:
    os.replace(temp, target)


@contextmanager
def replacing(
    path: str | os.PathLike[str],
    *,
    binary: bool = False,
    prefix: str | None = None,
    suffix: str = ".tmp",
    commit: Callable[[Path, Path], None] = _rename,
) -> Iterator[IO]:
    """Open a temporary file beside `path` for writing; when the block ends without an error it
    is synced and renamed onto `path`, else removed.

    `prefix` names the temporary file (default ".<name>-") so a folder's owner can recognise
    leftovers; `commit(temp, path)` does the rename, for a caller that must do more at the same
    moment (the audio cache renames under its lock and drops the song's older file).
    """
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=prefix or f".{target.name}-", suffix=suffix, dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        commit(temp, target)
    finally:
        temp.unlink(missing_ok=True)  # after a commit there is nothing left to remove


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Replace the file at `path` with `text` (UTF-8), atomically."""
    with replacing(path) as out:
        out.write(text)
