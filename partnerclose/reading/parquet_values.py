"""Exact decimals in Parquet, and where a close's Parquet lines of a partner are.

Money and every other decimal go into Parquet as DECIMAL(38, s), never as a binary
float: `s` is the smallest of a few scales that holds every value of the column exactly
(money: the currency's decimals), and pyarrow refuses (rather than rounds) a value that
would not fit. Read back, a DECIMAL arrives as a Python Decimal.

The layout of `<out>/lines/` (docs/sources.md, "Outputs at scale"): one Hive-style
folder per participant, `partner_id=P001/part-0.parquet`, while a close has at most
`PARTITION_BY_PARTNER_UP_TO` participants; above that, one per hash bucket,
`bucket=017/part-0.parquet`, a partner's lines all in one bucket. Writing a file costs
about 0.65 ms on the shared machine, so 100,000 partners' files would take 65 s of a
close; 256 buckets take a fraction of a second and still give files of a useful size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Any


class ParquetUnavailableError(Exception):
    """This installation has no pyarrow (the desktop app's bundle leaves it out)."""


def arrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, imported on first use (slow to import, and large);
    ParquetUnavailableError with a plain message where they are not installed."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ParquetUnavailableError(
            "Parquet lines and paid deals (lines_format parquet) need pyarrow, which this "
            "installation does not include (the desktop app leaves it out); close this "
            "program with the command line, or set lines_format to csv. Nothing was "
            "written or recorded"
        ) from exc
    return pa, pq


PRECISION = 38
PARTITION_BY_PARTNER_UP_TO = 1_000
BUCKETS = 256
LINES_FOLDER = "lines"
PART_FILE = "part-0.parquet"


# The scales tried in turn: the first that holds every value exactly is the column's. A
# try fails at its first value that would lose digits, and costs a pass over the values
# only when it succeeds; a scan of every value's exponent costs ten times one pass.
_SCALES = (2, 4, 10, 20, 29, PRECISION)


def decimal_array(values: Sequence[Decimal | None], minimum_scale: int = 0) -> Any:
    """The values as an exact DECIMAL(38, s) Arrow array (None: NULL): `s` the first of
    `minimum_scale`, 2, 4, 10, 20, 29, 38 (no smaller than `minimum_scale`) that holds
    every value without losing a digit. A value that fits none is refused (ValueError),
    never rounded."""
    pa, _ = arrow()
    scales = sorted({minimum_scale, *(s for s in _SCALES if s > minimum_scale)})
    for scale in scales:
        try:
            return pa.array(values, type=pa.decimal128(PRECISION, scale))
        except (pa.ArrowInvalid, OverflowError):
            continue
    raise ValueError(f"a value does not fit DECIMAL({PRECISION}, s) exactly for any scale")


def bucket_of(partner_id: str) -> int:
    """The hash bucket of a partner's lines: the first byte of the SHA-256 of its id."""
    return hashlib.sha256(partner_id.encode("utf-8")).digest()[0] % BUCKETS


def lines_partition(partner_id: str, participants: int) -> str:
    """The folder under `lines/` that holds the partner's lines, in a close of
    `participants` participants (the company's HOST lines count as one)."""
    if participants <= PARTITION_BY_PARTNER_UP_TO:
        return f"partner_id={partner_id}"
    return f"bucket={bucket_of(partner_id):03d}"


def lines_file(partner_id: str, participants: int) -> str:
    """The partner's lines file, relative to the close's output folder."""
    return f"{LINES_FOLDER}/{lines_partition(partner_id, participants)}/{PART_FILE}"
