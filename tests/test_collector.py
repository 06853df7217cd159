"""collector_paused: the garbage collector is off inside and as it was after."""

from __future__ import annotations

import gc

import pytest

from partnerclose.collector import collector_paused


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_after_an_error() -> None:
    with pytest.raises(ZeroDivisionError), collector_paused():
        _ = 1 / 0
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_the_block_built_is_kept_out_of_collections() -> None:
    frozen = gc.get_freeze_count()
    try:
        with collector_paused():
            records = [[i] for i in range(1000)]
        assert gc.get_freeze_count() >= frozen + 1000
        gc.collect()  # the frozen records are not scanned, and stay alive
        assert records[999] == [999]
    finally:
        gc.unfreeze()


def test_frozen_records_are_still_freed_when_dropped() -> None:
    import weakref

    class Record:
        pass

    try:
        with collector_paused():
            record = Record()
        gone = weakref.ref(record)
        del record
        assert gone() is None  # reference counting, frozen or not
    finally:
        gc.unfreeze()
