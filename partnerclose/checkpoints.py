"""Named points of a close where a test may stop the process.

`PARTNERCLOSE_PAUSE_AT=NAME` makes the process print `partnerclose: paused at NAME`
to standard error when it reaches the point NAME, and wait there for ever, so that
a test can kill it at exactly that instant (tests/test_crash_recovery.py). Unset,
a checkpoint costs one environment look-up. The points, in the order a close
passes them:

- `reading`: partner workbooks being read by worker processes;
- `writing`: every writer started (statement workers running);
- `written`: the outputs complete in the hidden folder, nothing recorded;
- `keeping`: inside the run's transaction, an input workbook's bytes kept (P0);
- `recorded`: the run written to the ledger, not yet committed;
- `committed`: the run committed, its output folder swap pending;
- `moved-aside`: the previous output folder moved aside;
- `moved-in`: the new output folder in place, the swap still marked pending;
- `swapped`: the swap marked done, the previous outputs not yet deleted.
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_AT = "PARTNERCLOSE_PAUSE_AT"


def checkpoint(name: str) -> None:
    """Pause here for ever when the environment asks for `name` (a test hook)."""
    if os.environ.get(PAUSE_AT) != name:
        return
    sys.stderr.write(f"partnerclose: paused at {name}\n")
    sys.stderr.flush()
    while True:  # until killed
        time.sleep(3600)
