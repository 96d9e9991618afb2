"""The garbage collector's full pass, moved to a moment nobody waits on: `settle()`.

A full pass walks every object the app holds (Textual's, Rich's and the results': some
70,000 with a 1,000-song list), which takes 50-300 ms on a busy 2-core machine, and Python
starts one whenever enough new objects have survived: in practice while a view opens or a
key is handled. After a search has landed and its frame is drawn, the app runs that pass
itself and freezes what is alive, so the passes that later allocations trigger walk only
what is newer. Each settle unfreezes first, so what died since the last one is collected
then, never kept for good.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect everything now, then leave what is alive out of later collections."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


__all__ = ["settle"]
