"""The garbage collector's full passes, kept away from the moments a user waits: `settle()`.

A full pass walks every object the app holds (Textual's, Rich's, the catalog's and the
results': 70,000 to 150,000), which takes 50-300 ms on a busy 2-core machine, and Python
starts one whenever enough new objects have survived: in practice while a view opens or a
key is handled. After each search has landed and its frame is drawn, the app settles:

- what is alive is frozen, so the passes that later allocations trigger walk only what is
  newer (a frozen object that dies without a cycle is still freed at once);
- the young generations are collected first, where a search's cyclic garbage is;
- a full pass (unfreezing first, so that no cycle that died is kept for good) runs at the
  first settle and then only once the heap has grown by half since the last one (counted
  in the allocator's blocks, which costs nothing to read): memory stays within that of
  what is alive, and most searches settle in about a millisecond.
"""

from __future__ import annotations

import gc
import sys

# How much the heap grows between two full passes.
GROWTH = 1.5


class Settler:
    def __init__(self, growth: float = GROWTH) -> None:
        self.growth = growth
        self._heap_after_full_pass: int | None = None

    def settle(self) -> None:
        """Collect what a search left, then leave what is alive out of later collections."""
        heap = self._heap_after_full_pass
        if heap is None or sys.getallocatedblocks() > heap * self.growth:
            gc.unfreeze()
            gc.collect()
            self._heap_after_full_pass = sys.getallocatedblocks()
        else:
            gc.collect(1)
        gc.freeze()


settle = Settler().settle

__all__ = ["GROWTH", "Settler", "settle"]
