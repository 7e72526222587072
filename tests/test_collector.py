"""The cyclic collector paused while a report is made, and what the report keeps afterwards."""

from __future__ import annotations

import gc
import weakref

from govmap.graph.report.findings_report import collector_paused


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_the_collector_is_paused_in_the_block_and_running_after_it():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_what_the_block_keeps_is_in_the_oldest_generation_and_not_walked_by_young_collections():
    thresholds = gc.get_threshold()
    gc.set_threshold(10**9)  # no collection moves anything between the block and the look
    try:
        with collector_paused():
            kept = [[i] for i in range(1000)]
        young = {id(o) for generation in (0, 1) for o in gc.get_objects(generation=generation)}
        assert not any(id(x) in young for x in kept)
        assert any(x is kept[0] for x in gc.get_objects(generation=2))
    finally:
        gc.set_threshold(*thresholds)


def test_a_cycle_the_block_drops_is_still_freed_by_a_full_collection():
    with collector_paused():
        node = Node()
        ref = weakref.ref(node)
    del node
    gc.collect()
    assert ref() is None


def test_objects_someone_else_froze_stay_frozen():
    # asked of one object, not of gc.get_freeze_count(): a frozen object another thread of the
    # suite frees meanwhile lowers the count (seen once in a full run)
    before = [object()]  # a container the collector tracks
    gc.freeze()
    try:
        with collector_paused():
            [[i] for i in range(100)]
        assert gc.get_freeze_count() > 0
        assert not any(o is before for o in gc.get_objects())  # still frozen: in no generation
    finally:
        gc.unfreeze()
    assert any(o is before for o in gc.get_objects())  # the look above could have seen it


def test_a_collector_paused_before_the_block_stays_paused():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
