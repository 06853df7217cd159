"""A partner recomputes its statement from the numbers printed on it (outputs.md,
"Statements, revision 2"): every cost share from the pool's amount, its units,
factors and the total units; every deal that spans brackets from its bracket rows.
The demo's statements are written and read back with openpyxl."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.core.lines import Component
from partnerclose.core.money import round_money
from partnerclose.core.records import HOST
from partnerclose.statements.explain import number_text, readable
from partnerclose.statements.writers import render_statements
from tests.statements.conftest import DemoClose

CENT = Decimal("0.01")
COST = re.compile(
    r"^(?P<amount>[\d,]+\.\d\d) × (?P<units>[\d,.]+)"
    r"(?: × tier factor (?P<tier>[\d.]+))?(?: × wind-down factor (?P<wind>[\d.]+))?"
    r" ÷ (?P<total>[\d,.]+) "
)
RANGE = re.compile(r"^\s+(?P<start>[\d,]+\.\d\d) – (?P<end>[\d,]+\.\d\d)$")


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


@pytest.fixture(scope="module")
def sheets(demo: DemoClose, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Worksheet]:
    out: Path = tmp_path_factory.mktemp("explained")
    paths = render_statements(demo.context, out, workers=1)
    found = {}
    for path in paths:
        ws = load_workbook(path)["Statement"]
        assert isinstance(ws, Worksheet)
        found[path.stem] = ws
    return found


def test_every_cost_share_recomputes_from_its_statement(
    demo: DemoClose, sheets: dict[str, Worksheet]
) -> None:
    checked = 0
    for pid, ws in sheets.items():
        expected = [
            line
            for line in demo.context.result.lines_of(pid)
            if line.component is Component.COST_SHARE
        ]
        seen = []
        for row in range(1, ws.max_row + 1):
            text = ws[f"C{row}"].value
            match = COST.match(text) if isinstance(text, str) else None
            if match is None:
                continue
            factor = Decimal(match["tier"] or 1) * Decimal(match["wind"] or 1)
            share = number(match["amount"]) * number(match["units"]) * factor
            share /= number(match["total"])
            printed = Decimal(str(ws[f"K{row}"].value))
            assert abs(-printed - share) <= CENT, (pid, row, text, printed)
            seen.append(printed)
        assert sorted(seen) == sorted(line.amount for line in expected), pid
        checked += len(seen)
    assert checked > 30  # 11 partners with data, most of them in several pools


def test_every_spanning_deal_recomputes_from_its_bracket_rows(
    demo: DemoClose, sheets: dict[str, Worksheet]
) -> None:
    spanning = [d for d in demo.context.result.revenue.deals if len(d.parts) > 1]
    assert {d.partner_id for d in spanning} >= {"P001", "P004", "P006"}
    for deal in spanning:
        ws = sheets[deal.partner_id]
        row = next(r for r in range(1, ws.max_row + 1) if ws[f"C{r}"].value == deal.deal_id)
        assert ws[f"H{row}"].value is None  # no blended rate that would not recompute
        total = Decimal(0)
        volume = Decimal(0)
        for offset in range(1, len(deal.parts) + 1):
            bracket = RANGE.match(ws[f"B{row + offset}"].value)
            assert bracket is not None
            amount = Decimal(str(ws[f"G{row + offset}"].value))
            rate = Decimal(str(ws[f"H{row + offset}"].value))
            share = Decimal(str(ws[f"J{row + offset}"].value))
            assert number(bracket["end"]) - number(bracket["start"]) == amount
            assert round_money(amount * rate, 2) == share
            total += share
            volume += amount
        assert volume == Decimal(str(ws[f"G{row}"].value))
        assert abs(total - Decimal(str(ws[f"K{row}"].value))) <= CENT
    # P001's D-2026-10-0002: 65,000.00 at 10 % + 2 % and 95,500.00 at 15 % + 2 %.
    assert round_money(Decimal(65000) * Decimal("0.12") + Decimal(95500) * Decimal("0.17"), 2) == (
        Decimal("24035.00")
    )


def test_no_statement_shows_a_long_number_or_one_without_separators(
    sheets: dict[str, Worksheet],
) -> None:
    long_fraction = re.compile(r"\d\.\d{5,}")
    no_separator = re.compile(r"(?<![\w.,-])\d{4,}\.\d+")
    for pid, ws in sheets.items():
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "{{" not in cell.value:
                    assert not long_fraction.search(cell.value), (pid, cell.coordinate)
                    assert not no_separator.search(cell.value), (pid, cell.coordinate, cell.value)
                if isinstance(cell.value, float) and cell.number_format.endswith("%"):
                    assert Decimal(str(cell.value)) == round(Decimal(str(cell.value)), 4)
    assert HOST not in sheets


def test_texts_of_the_engines_are_made_readable() -> None:
    assert readable("fixed 250.00 + 10 % of savings 9449.09", 2) == (
        "fixed 250.00 + 10 % of savings 9,449.09"
    )
    assert readable("×0.9647058823529411764705882353 of D-2026-10-0035 in 2026-10", 2) == (
        "×0.9647 of D-2026-10-0035 in 2026-10"
    )
    assert number_text(Decimal("1641.600")) == "1,641.6"
    assert number_text(Decimal("2") / Decimal("3")) == "0.6667"
