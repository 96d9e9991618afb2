"""The hidden `….tiktune-part` file ffmpeg writes beside the output, before it gets its name."""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path


def create_part(directory: Path, prefix: str, suffix: str) -> Path:
    """A new empty file in `directory` for ffmpeg to write, with a name no one else has.

    Created with mode 0666 so the kernel applies the umask (and any default ACL), as for
    any file the user makes: mkstemp's 0600 needed a chmod after, and reading the umask
    for it means os.umask, which changes it for every thread of the process meanwhile.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        path = directory / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            os.close(os.open(path, flags, 0o666))
        except FileExistsError:
            continue
        return path
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(directory))
