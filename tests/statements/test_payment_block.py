"""The payment block, the statement's number and version, the comparison with last
period and the corrections section (outputs.md, "Statements, revision 2"), written
into the demo's statement and read back with openpyxl."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.core.lines import Component
from partnerclose.statements.data import index_close, masked_account, statement_fill
from partnerclose.statements.writers import STATEMENT_TEMPLATE, render_workbook
from tests.statements.conftest import DemoClose

REMIT = "Northwind Traders Ltd, IBAN GB29 NWBK 6016 1331 9268 19"


def _cells(path: Path) -> dict[str, object]:
    ws = load_workbook(path)["Statement"]
    assert isinstance(ws, Worksheet)
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _write(
    demo: DemoClose, tmp_path: Path, context: object = None, index: object = None
) -> dict[str, object]:
    fill = statement_fill(context or demo.context, "P001", index)  # type: ignore[arg-type]
    path = tmp_path / "P001.xlsx"
    render_workbook(STATEMENT_TEMPLATE.read_bytes(), fill, datetime(2026, 11, 2), path)
    return _cells(path)


def _texts(cells: dict[str, object]) -> list[str]:
    return [v for v in cells.values() if isinstance(v, str)]


def test_a_payable_statement_says_when_and_to_which_account(demo: DemoClose, tmp_path: Path):
    cells = _write(demo, tmp_path)
    texts = _texts(cells)
    paid = "We will pay USD 32,845.00 to your account ending 1900 by 30 November 2026."
    assert texts.count(paid) == 2  # under the net, and in the payment block
    assert "P001-2026-10-1" in texts
    assert datetime(2026, 11, 30) in cells.values()  # due: 31 October + 30 days
    assert (
        "Questions about this statement: partner-finance@northwind.example, +44 20 7946 0000"
        in texts
    )
    assert REMIT not in texts  # only for amounts due
    assert "Pay to" not in texts
    assert not [t for t in texts if "logo" in t.lower() or "{{" in t]
    assert "Revised statement" not in " ".join(texts)


def test_a_receivable_statement_asks_for_payment_to_remit_to(demo: DemoClose, tmp_path: Path):
    index = index_close(demo.context.result)
    lines = index.lines["P001"]
    cap = next(line for line in lines if line.component is Component.REVENUE_CAP)
    charged = cap._replace(amount=Decimal("-80000.00"))
    mine = tuple(charged if line is cap else line for line in lines)
    net = sum((line.amount for line in mine), Decimal(0))
    assert net == Decimal("-19442.38")
    cells = _write(
        demo, tmp_path, index=dataclasses.replace(index, lines={**index.lines, "P001": mine})
    )
    texts = _texts(cells)
    assert (
        f"Please pay USD 19,442.38 to {REMIT} by 30 November 2026, quoting P001-2026-10-1."
    ) in texts
    assert "Amount due from you" in texts
    assert REMIT in texts
    assert "Pay to" in texts


def test_a_revision_names_the_statement_it_replaces_and_the_change(demo: DemoClose, tmp_path: Path):
    context = dataclasses.replace(
        demo.context, statement_version=2, replaced_nets={"P001": Decimal("30000.00")}
    )
    texts = _texts(_write(demo, tmp_path, context))
    assert "P001-2026-10-2" in texts
    assert (
        "Revised statement: replaces P001-2026-10-1. Net then USD 30,000.00, now "
        "USD 32,845.00: change +2,845.00."
    ) in texts


def test_the_summary_compares_each_section_with_last_period(demo: DemoClose, tmp_path: Path):
    last = {
        "P001": {
            Component.COST_SHARE: Decimal("-10000.00"),
            Component.GUARDRAIL: Decimal("200.00"),
            Component.REVENUE_SHARE: Decimal("20000.00"),
        }
    }
    cells = _write(demo, tmp_path, dataclasses.replace(demo.context, last_period=last))
    row = next(int(k[1:]) for k, v in cells.items() if v == "Cost sharing" and k[0] == "B")
    assert cells[f"C{row}"] == -10755.59
    assert cells[f"D{row}"] == -9800.00
    assert round(Decimal(str(cells[f"E{row}"])), 2) == Decimal("-955.59")
    revenue = row + 2
    assert cells[f"B{revenue}"] == "Revenue share"
    assert (cells[f"D{revenue}"], cells[f"E{revenue}"]) == (20000.0, 5000.0)
    assert cells[f"D{row + 5}"] == f"=SUM(D{row}:D{row + 4})"


def test_no_corrections_says_so_and_the_account_is_masked(demo: DemoClose, tmp_path: Path):
    assert "No corrections this period." in _texts(_write(demo, tmp_path))
    assert masked_account("DE89 3704 0044 0532 0130 00") == "ending 3000"
    assert masked_account("") == ""
    assert date(2026, 10, 31).toordinal() + 30 == date(2026, 11, 30).toordinal()


def test_last_period_comes_from_the_ledgers_previous_final_close(tmp_path: Path):
    from partnerclose.close_context import CloseContext
    from partnerclose.core.period import Period
    from partnerclose.demo import write_demo
    from partnerclose.pipeline import Status, run_close

    program = write_demo(tmp_path / "demo", partners=12, period=Period(2026, 10), seed=7)
    seen: list[CloseContext] = []

    def capture(context: CloseContext, out: Path) -> None:
        seen.append(context)

    first = run_close(program, Period(2026, 10), final=True, writers=(capture,))
    assert first.status is Status.CLOSED, first.message
    assert seen[0].last_period == {}
    second = run_close(program, Period(2026, 11), writers=(capture,), allow_empty=True)
    assert second.status is Status.CLOSED, second.message
    last = seen[1].last_period
    assert sum(last["P001"].values(), Decimal(0)) == Decimal("32845.00")
    assert second.last_period == last
    fill = statement_fill(seen[1], "P001")
    assert fill.scalars["cost_sharing.last_period"] == Decimal("-10755.59")
    assert fill.scalars["net.last_period"] == Decimal("32845.00")
    assert fill.scalars["last_period.label"] == "October 2026"
