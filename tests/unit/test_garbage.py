"""ui.garbage.settle: a full collection now, and what is alive left out of later ones."""

from __future__ import annotations

import gc
import weakref

from tiktune_tui.ui.garbage import settle


class Node:
    def __init__(self) -> None:
        self.itself = self  # a cycle: only the collector frees it


def test_settle_freezes_what_is_alive_and_collects_it_once_it_died():
    try:
        node = Node()
        alive = weakref.ref(node)
        settle()
        assert gc.get_freeze_count() > 0
        del node
        gc.collect()  # frozen: a later pass leaves it alone
        assert alive() is not None
        settle()  # unfrozen first, so the settle collects it
        assert alive() is None
    finally:
        gc.unfreeze()


def test_settle_collects_what_died_before_it():
    try:
        node = Node()
        dead = weakref.ref(node)
        del node
        settle()
        assert dead() is None  # collected, not frozen for good
    finally:
        gc.unfreeze()
