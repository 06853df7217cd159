"""The paid-deal state of a close as a Parquet file beside its lines (`lines_format`
parquet, ledger schema 9).

A close in Parquet format writes the deals it paid for the first time to
`<out>/paid_deals.parquet` instead of packing them into the ledger as JSON text; the
ledger registers the file by path and SHA-256 (`run_files`), and the next close reads
it back, refusing with a plain message when the file is not there or is not the one
recorded. Amounts are exact DECIMAL(38, s); the rows are in the order the ledger packs
them (by partner, then as paid).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from partnerclose.core.revenue_model import PaidDeal
from partnerclose.ledger.errors import LedgerRefusedError
from partnerclose.reading.parquet_values import arrow, decimal_array

PAID_DEALS_FILE = "paid_deals.parquet"
COLUMNS = (
    "deal_id",
    "partner_id",
    "period",
    "close_date",
    "amount",
    "deal_type",
    "product",
    "rate",
    "bonus_rate",
    "share",
    "currency",
    "source_amount",
)


def write_paid_deals(deals: Iterable[PaidDeal], target: Path) -> tuple[str, int]:
    """The deals into `target`; (its SHA-256, the number of deals)."""
    pa, pq = arrow()

    rows = list(deals)
    table = pa.table(
        {
            "deal_id": pa.array([d.deal_id for d in rows], type=pa.string()),
            "partner_id": pa.array([d.partner_id for d in rows], type=pa.string()),
            "period": pa.array([str(d.period) for d in rows], type=pa.string()),
            "close_date": pa.array([d.close_date for d in rows], type=pa.date32()),
            "amount": decimal_array([d.amount for d in rows]),
            "deal_type": pa.array([str(d.deal_type) for d in rows], type=pa.string()),
            "product": pa.array([d.product for d in rows], type=pa.string()),
            "rate": decimal_array([d.rate for d in rows]),
            "bonus_rate": decimal_array([d.bonus_rate for d in rows]),
            "share": decimal_array([d.share for d in rows]),
            "currency": pa.array([d.currency for d in rows], type=pa.string()),
            "source_amount": decimal_array([d.source_amount for d in rows]),
        }
    )
    pq.write_table(table, target)
    return _sha256(target.read_bytes()), len(rows)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_paid_deals(path: str, sha256: str, run: str) -> list[tuple[object, ...]]:
    """The rows of a registered paid-deal file, each as the ledger's row fields
    (deal_id, partner_id, period, close_date as text, amount, …, source_amount), after
    checking that the file is there and is the one `run` (e.g. "the final close of
    2026-10, run 3") recorded."""
    file = Path(path)
    try:
        content = file.read_bytes()
    except FileNotFoundError as exc:
        raise LedgerRefusedError(
            f"{path}: the paid deals of {run} are not there (the ledger keeps them in this "
            "file, written with that close's lines); restore the file from a backup of that "
            "close's output folder and close again. Nothing was computed or written"
        ) from exc
    except OSError as exc:
        raise LedgerRefusedError(
            f"{path}: the paid deals of {run} cannot be read ({exc.strerror or exc}); "
            "nothing was computed or written"
        ) from exc
    actual = _sha256(content)
    if actual != sha256:
        raise LedgerRefusedError(
            f"{path}: the paid deals of {run} are not the file that close wrote (its SHA-256 "
            f"is {actual}, the ledger recorded {sha256}); restore the file from a backup of "
            "that close's output folder and close again. Nothing was computed or written"
        )
    pa, pq = arrow()

    table = pq.read_table(pa.BufferReader(content))
    columns = [table.column(name).to_pylist() for name in COLUMNS]
    days: dict[object, str] = {}
    columns[3] = [days.get(d) or days.setdefault(d, d.isoformat()) for d in columns[3]]
    return list(zip(*columns, strict=True))
