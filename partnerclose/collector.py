"""Keeping Python's cyclic garbage collector off a close's records."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block, and keep what it built out of
    later collections, for speed only.

    Reading and computing a large close build millions of records and keep
    them all: the collector would rescan them again and again while they pile
    up (about a third of compute time at the benchmark size, measured) and
    find nothing to free. On leaving, they are frozen (`gc.freeze`): otherwise
    the first allocations after the block pay for three passes over them
    (~3.7 s at the large size, measured). Reference counting frees memory as
    usual, frozen or not; only a reference cycle made inside the block would
    stay uncollected, and records make none. It stays off if it was off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
