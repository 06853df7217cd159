"""The columnar lines.csv and journal.csv writers (issue 28, point 4) write the same
bytes as the row-by-row writer they replaced, kept here as the reference, on the
demo close and on the currencies demo (partners settling in other currencies)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import pytest

from partnerclose.close_context import CloseContext
from partnerclose.core.currency import SettlementRate
from partnerclose.core.journal import JournalRow
from partnerclose.core.lines import Line
from partnerclose.core.money import fmt_money
from partnerclose.core.period import Period
from partnerclose.demo import write_demo
from partnerclose.pipeline import Status, run_close
from partnerclose.writing.csv_files import (
    JOURNAL_COLUMNS,
    LINE_COLUMNS,
    _csv,
    journal_csv,
    lines_csv,
    plain_number,
    safe_text,
)

PERIOD = Period(2026, 10)


def reference_lines_csv(
    lines: Iterable[Line],
    decimals: int,
    settlement: Mapping[str, SettlementRate],
    currency: str,
) -> bytes:
    """The row-by-row writer as it was before the columnar one."""
    own = SettlementRate(currency, Decimal(1), decimals)

    def settled(line: Line) -> tuple[str, str, str]:
        rate = settlement.get(line.partner_id, own)
        return (
            rate.currency,
            plain_number(rate.rate),
            fmt_money(rate.settle(line.amount), rate.decimals),
        )

    return _csv(
        LINE_COLUMNS,
        (
            (
                line.period,
                safe_text(line.partner_id),
                line.component.value,
                safe_text(line.item),
                safe_text(line.description),
                plain_number(line.quantity),
                plain_number(line.rate),
                fmt_money(line.amount, decimals),
                safe_text(line.status),
                line.rule,
                *settled(line),
            )
            for line in lines
        ),
    )


def reference_journal_csv(rows: Iterable[JournalRow], decimals: int) -> bytes:
    return _csv(
        JOURNAL_COLUMNS,
        (
            (
                row.period,
                row.date,
                safe_text(row.partner_id),
                row.component.value,
                safe_text(row.account),
                fmt_money(row.debit, decimals),
                fmt_money(row.credit, decimals),
                safe_text(row.memo),
            )
            for row in rows
        ),
    )


def closed(folder: Path, *, currencies: bool) -> tuple[CloseContext, Path]:
    program = write_demo(folder / "demo", period=PERIOD, currencies=currencies)
    seen: list[CloseContext] = []
    outcome = run_close(
        program,
        PERIOD,
        out=folder / "out",
        ledger_path=folder / "ledger.sqlite",
        writers=(lambda context, out: seen.append(context),),
    )
    assert outcome.status is Status.CLOSED, outcome.message
    return seen[0], folder


@pytest.mark.parametrize("currencies", [False, True], ids=["demo", "currencies"])
def test_columnar_csvs_are_the_bytes_of_the_row_by_row_writer(
    tmp_path: Path, currencies: bool
) -> None:
    context, _ = closed(tmp_path, currencies=currencies)
    decimals = context.program.settings.decimals
    currency = context.program.settings.currency
    result = context.result
    settlement = result.settlement or {}
    if currencies:  # the case is real: some partners settle in another currency
        assert any(rate.currency != currency for rate in settlement.values())
    lines = lines_csv(result.lines, decimals, result.settlement, currency)
    assert lines.count(b"\n") == len(result.lines) + 1 > 100
    assert lines == reference_lines_csv(result.lines, decimals, settlement, currency)
    journal = journal_csv(context.journal, decimals)
    assert journal.count(b"\n") == len(context.journal) + 1 > 100
    assert journal == reference_journal_csv(context.journal, decimals)


def test_no_lines_give_the_header_alone() -> None:
    assert lines_csv([], 2) == reference_lines_csv([], 2, {}, "USD")
    assert journal_csv([], 2) == reference_journal_csv([], 2)
