"""ui.garbage: what is alive is left out of later collections; cycles that die are collected,
at the latest once the heap has grown by half."""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from tiktune_tui.ui.garbage import GROWTH, Settler


class Node:
    def __init__(self) -> None:
        self.itself = self  # a cycle: only the collector frees it


@pytest.fixture(autouse=True)
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_first_settle_collects_everything_and_freezes_the_rest():
    dead, alive = Node(), Node()
    dead_ref = weakref.ref(dead)
    del dead
    Settler().settle()
    assert dead_ref() is None  # collected, not frozen for good
    assert gc.get_freeze_count() > 0
    assert all(tracked is not alive for tracked in gc.get_objects())  # frozen: out of the passes


def test_a_young_cycle_is_collected_by_the_next_settle():
    settler = Settler()
    settler.settle()
    node = Node()
    young = weakref.ref(node)
    del node
    settler.settle()  # a cheap one: the young generations
    assert young() is None


def test_a_frozen_cycle_that_died_is_collected_once_the_heap_has_grown():
    settler = Settler()
    node = Node()
    old = weakref.ref(node)
    settler.settle()
    del node
    gc.collect()  # frozen: even a full pass of Python's own leaves it alone
    settler.settle()  # the heap has not grown: still frozen
    assert old() is not None
    grown = [[n] for n in range(int(sys.getallocatedblocks() * (GROWTH - 1)) + 1000)]
    settler.settle()
    assert old() is None
    del grown
