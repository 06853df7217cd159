"""lines.csv, journal.csv and exceptions.csv (outputs.md).

Deterministic bytes: UTF-8, `\n` line ends, rows in a fixed order, amounts
with exactly `decimals` places. Text that a spreadsheet would run as a
formula (starting with =, +, -, @, tab or carriage return) is prefixed with '.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from partnerclose.core.currency import SettlementRate
from partnerclose.core.journal import JournalRow
from partnerclose.core.lines import Line
from partnerclose.core.money import fmt_money
from partnerclose.core.problems import Problem

LINE_COLUMNS = (
    "period",
    "partner_id",
    "component",
    "item",
    "description",
    "quantity",
    "rate",
    "amount",
    "status",
    "rule",
    "settlement_currency",  # rules.md X2: the line in the partner's currency
    "fx_rate",
    "settlement_amount",
)
JOURNAL_COLUMNS = (
    "period",
    "date",
    "partner_id",
    "component",
    "account",
    "debit",
    "credit",
    "memo",
)
EXCEPTION_COLUMNS = ("severity", "file", "sheet", "cell", "column", "message")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """Text that no spreadsheet will run as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def plain_number(value: Decimal | None) -> str:
    """An exact decimal without exponent or trailing zeros (quantities, rates)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def lines_csv(
    lines: Iterable[Line],
    decimals: int,
    settlement: Mapping[str, SettlementRate] | None = None,
    currency: str = "USD",
) -> bytes:
    """Lines as given; callers pass them sorted (core.lines.sort_lines).

    `settlement` gives each partner's currency and closing rate (rules.md X2); a
    partner not in it settles in the program `currency` at rate 1."""
    rates = settlement or {}
    own = SettlementRate(currency, Decimal(1), decimals)

    def settled(line: Line) -> tuple[str, str, str]:
        rate = rates.get(line.partner_id, own)
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


def journal_csv(rows: Iterable[JournalRow], decimals: int) -> bytes:
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


def exceptions_csv(problems: Iterable[Problem]) -> bytes:
    return _csv(
        EXCEPTION_COLUMNS,
        (
            (
                p.severity.value,
                safe_text(p.file),
                safe_text(p.sheet),
                p.cell,
                p.column,
                safe_text(p.message),
            )
            for p in problems
        ),
    )
