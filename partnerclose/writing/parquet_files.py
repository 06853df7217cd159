"""A close's lines as partitioned Parquet (`lines_format` parquet, docs/sources.md).

The columns and values of lines.csv, with `seq` first (the line's place in lines.csv
order): text as text, amounts, quantities, rates and settlement amounts as exact
DECIMAL(38, s) (reading/parquet_values.py), a blank quantity or rate as NULL. Text is
the workbook's text itself: the apostrophe lines.csv puts before text starting with
`=`, `+`, `-` or `@` (so that a spreadsheet does not run it) has no place in Parquet,
which no spreadsheet runs. Each partition file is written once, and named with its
SHA-256 and row count so that the ledger can register it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from partnerclose.core.currency import SettlementRate
from partnerclose.core.lines import Line
from partnerclose.core.money import round_money
from partnerclose.reading.parquet_values import LINES_FOLDER, arrow, decimal_array, lines_file


@dataclass(frozen=True, slots=True)
class WrittenFile:
    """A file a close wrote for the ledger to register: where (relative to the output
    folder, `/` separated), its SHA-256 and its number of rows."""

    kind: str  # lines | paid_deals
    path: str
    sha256: str
    rows: int


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def lines_table(
    lines: Sequence[Line],
    decimals: int,
    settlement: Mapping[str, SettlementRate] | None = None,
    currency: str = "USD",
) -> Any:
    """All lines as one Arrow table, in the order given (lines.csv's)."""
    pa, _ = arrow()

    rates = settlement or {}
    own = SettlementRate(currency, Decimal(1), decimals)
    # one pass over the lines into columns, as lines_csv does (Line's field order)
    (
        periods,
        partners,
        components,
        items,
        amounts,
        rules,
        descriptions,
        quantities,
        unit_rates,
        statuses,
    ) = list(zip(*lines, strict=True)) if lines else [() for _ in Line._fields]
    rate_of = {pid: rates.get(pid, own) for pid in set(partners)}
    line_rates = list(map(rate_of.__getitem__, partners))
    rounded = [round_money(amount, decimals) for amount in amounts]
    settled = [
        amount if rate == own else round_money(rate.settle(amount), rate.decimals)
        for amount, rate in zip(rounded, line_rates, strict=True)
    ]
    most = max([decimals, *(rate.decimals for rate in rate_of.values())])
    values = {component: component.value for component in set(components)}

    def text(column: Sequence[str]) -> Any:
        return pa.array(column, type=pa.string())

    return pa.table(
        {
            "seq": pa.array(range(1, len(lines) + 1), type=pa.int64()),
            "period": text(periods),
            "partner_id": text(partners),
            "component": text(list(map(values.__getitem__, components))),
            "item": text(items),
            "description": text(descriptions),
            "quantity": decimal_array(quantities),
            "rate": decimal_array(unit_rates),
            "amount": decimal_array(rounded, decimals),
            "status": text(statuses),
            "rule": text(rules),
            "settlement_currency": text([rate.currency for rate in line_rates]),
            "fx_rate": decimal_array([rate.rate for rate in line_rates]),
            "settlement_amount": decimal_array(settled, most),
        }
    )


def write_lines_parquet(
    lines: Sequence[Line],
    decimals: int,
    settlement: Mapping[str, SettlementRate] | None,
    currency: str,
    folder: Path,
    participants: int,
) -> list[WrittenFile]:
    """`folder`/lines/<partition>/part-0.parquet for every partition that has lines;
    the files written, in path order."""
    pa, pq = arrow()

    table = lines_table(lines, decimals, settlement, currency)
    runs: dict[str, list[tuple[int, int]]] = {}  # file -> (first row, rows) of each partner
    start = 0
    for index in range(1, len(lines) + 1):
        if index == len(lines) or lines[index].partner_id != lines[start].partner_id:
            name = lines_file(lines[start].partner_id, participants)
            runs.setdefault(name, []).append((start, index - start))
            start = index
    (folder / LINES_FOLDER).mkdir(exist_ok=True)
    written = []
    for name in sorted(runs):
        part = pa.concat_tables([table.slice(first, count) for first, count in runs[name]])
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(part, target)
        written.append(WrittenFile("lines", name, file_sha256(target), part.num_rows))
    return written
