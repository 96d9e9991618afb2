"""The hidden `….tiktune-part` file ffmpeg writes beside the output, before it gets its name.

While an export runs, the part file is locked (`flock`) through a descriptor that ffmpeg
inherits too: the lock holds as long as either tiktune or its ffmpeg is alive, and the kernel
drops it when both are gone, however they ended (SIGKILL, a power cut of the session).
So a part file nobody holds is a crash's leftover, and the next export into that folder
removes it (`sweep`); one another export is writing is left alone.
"""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
from pathlib import Path

SUFFIX = ".tiktune-part"


class PartFile:
    """A new empty file in `directory`, with a name no one else has, locked while it lives."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd  # holds the lock; ffmpeg inherits it (`pass_fds`)

    @classmethod
    def create(cls, directory: Path, prefix: str) -> PartFile:
        """Created with mode 0666 so the kernel applies the umask (and any default ACL), as for
        any file the user makes: mkstemp's 0600 needed a chmod after, and reading the umask
        for it means os.umask, which changes it for every thread of the process meanwhile.
        """
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        for _ in range(100):
            path = directory / f"{prefix}{secrets.token_hex(6)}{SUFFIX}"
            try:
                fd = os.open(path, flags, 0o666)
            except FileExistsError:
                continue
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _is(path, fd):
                return cls(path, fd)
            os.close(fd)  # a sweep took it between open and lock (it looked abandoned): another name
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(directory))

    def remove(self) -> None:
        """Unlinks the file (if it still has its name) and lets go of the lock."""
        try:
            if _is(self.path, self.fd):
                self.path.unlink()
        finally:
            os.close(self.fd)

    def release(self) -> None:
        """Lets go of the lock once the file has been given its real name."""
        os.close(self.fd)


def _is(path: Path, fd: int) -> bool:
    """Whether `path` still names the file open as `fd`."""
    try:
        named, held = path.stat(), os.fstat(fd)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def sweep(directory: Path) -> list[Path]:
    """Removes the part files in `directory` that no process holds; returns them."""
    removed: list[Path] = []
    try:
        candidates = [
            entry for entry in os.scandir(directory) if entry.name.startswith(".") and entry.name.endswith(SUFFIX)
        ]
    except OSError:
        return removed
    for entry in candidates:
        path = Path(entry.path)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if not os.path.isfile(path) or os.fstat(fd).st_uid != os.getuid():
                continue  # only our own regular files, never someone else's
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # an export (or its ffmpeg) is writing it
            if _is(path, fd):
                path.unlink()
                removed.append(path)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed
