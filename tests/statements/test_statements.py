"""Statements and the close pack of the demo close (seed 7, 12 partners, 2026-10).

Golden snapshots live in tests/statements/golden/ (one text dump per workbook);
rewrite them with `pytest tests/statements --update-golden` after a deliberate
change, and review the diff.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose import __version__
from partnerclose.core.currency import SettlementRate
from partnerclose.core.lines import SECTION_OF, Component, Section
from partnerclose.core.money import round_money
from partnerclose.core.records import HOST
from partnerclose.ledger.store import current_user
from partnerclose.pipeline import (
    DEFAULT_WRITERS,
    Stage,
    Status,
    run_close,
    write_csvs,
    write_payments,
)
from partnerclose.processes import worker_count
from partnerclose.statements.data import statement_fill
from partnerclose.statements.explain import money_text
from partnerclose.statements.values import Fill, Table
from partnerclose.statements.writers import (
    CLOSE_PACK_TEMPLATE,
    STATEMENT_TEMPLATE,
    render_statements,
    write_close_pack,
    write_statements,
)
from partnerclose.statements.xlsx import fill_workbook
from tests.statements.conftest import PERIOD, DemoClose
from tests.statements.dump import dump_workbook, golden_text

GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_STATEMENTS = ("P001", "P004")  # rich: pools, credit, cap, MDF; clawback and a hold
EVIL = '=HYPERLINK("http://evil.example","click")'
SECTION_TOTALS = {
    Section.COST_SHARING: "Total cost sharing",
    Section.RESERVE_FUND: "Total reserve fund",
    Section.REVENUE_SHARE: "Total revenue share",
    Section.CO_MARKETING: "Total co-marketing",
    Section.MILESTONES: "Total milestones (paid and released)",
}


@pytest.fixture(scope="module")
def written(demo: DemoClose, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("written")
    write_statements(demo.context, out)
    write_close_pack(demo.context, out)
    return out


def sheet(path: Path, title: str | None = None) -> Worksheet:
    book = load_workbook(path)
    ws = book[title] if title else book.worksheets[0]
    assert isinstance(ws, Worksheet)
    return ws


def lines_of(output: Path) -> dict[str, list[dict[str, str]]]:
    by_partner: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (output / "lines.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_partner[row["partner_id"]].append(row)
    return by_partner


def number(value: Any) -> Decimal:
    return Decimal(repr(value))  # the shortest decimal of the stored double


def evaluate_sums(ws: Worksheet, formula: str) -> Decimal:
    """A formula made of SUM(range) terms joined by +, evaluated on the sheet."""
    terms = formula.removeprefix("=").split("+")
    total = Decimal(0)
    for term in terms:
        match = re.fullmatch(r"SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", term)
        assert match, f"not a sum of ranges: {formula}"
        for row in ws[f"{match.group(1)}:{match.group(2)}"]:
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    total += number(cell.value)
    return total


def row_with(ws: Worksheet, column: str, text: str) -> int:
    # a template's label may end in a placeholder (a section's currency note)
    rows = [
        int(c.row) for c in ws[column] if c.value == text or f"{c.value}".startswith(text + "{{")
    ]
    assert len(rows) == 1, f"{text!r} in column {column}: rows {rows}"
    return rows[0]


# --- golden snapshots ------------------------------------------------------------------


def _golden(name: str, text: str, update: bool) -> None:
    path = GOLDEN / f"{name}.txt"
    if update:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run pytest tests/statements --update-golden"
    assert text.splitlines() == path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("partner", GOLDEN_STATEMENTS)
def test_statement_matches_its_golden_snapshot(
    partner: str, demo: DemoClose, written: Path, update_golden: bool
) -> None:
    dump = dump_workbook(
        written / "statements" / f"{partner}.xlsx",
        volatile={str(demo.folder): "<demo>"},
    )
    _golden(f"statement_{partner}", golden_text(dump), update_golden)


def test_close_pack_matches_its_golden_snapshot(
    demo: DemoClose, written: Path, update_golden: bool
) -> None:
    dump = dump_workbook(
        written / "close_pack.xlsx",
        volatile={str(demo.folder): "<demo>", f"PartnerClose {__version__}": "PartnerClose <v>"},
        exact={current_user(): "<user>", __version__: "<version>"},
    )
    _golden("close_pack", golden_text(dump), update_golden)


# --- what the statements say ---------------------------------------------------------------


def test_one_statement_per_partner_taking_part_and_none_for_host(
    demo: DemoClose, written: Path
) -> None:
    names = sorted(p.name for p in (written / "statements").iterdir())
    partners = [p for p in demo.context.result.participants if p != HOST]
    assert names == sorted([*(f"{p}.xlsx" for p in partners), *(f"{p}.pdf" for p in partners)])
    assert len(partners) == 11  # one of the 12 demo partners has left


def test_statement_numbers_equal_the_lines_csv(demo: DemoClose, written: Path) -> None:
    lines = lines_of(demo.output)
    for partner in (p for p in demo.context.result.participants if p != HOST):
        ws = sheet(written / "statements" / f"{partner}.xlsx")
        numbers = {
            number(c.value)
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, int | float) and not isinstance(c.value, bool)
        }
        mine = lines[partner]
        for line in mine:
            assert Decimal(line["amount"]) in numbers, (partner, line)
        net = sum((Decimal(line["amount"]) for line in mine), Decimal(0))
        by_section: dict[Section, Decimal] = defaultdict(Decimal)
        for line in mine:
            by_section[SECTION_OF[Component(line["component"])]] += Decimal(line["amount"])
        # The net box: the amount, and which way it goes.
        assert number(ws["G10"].value) == abs(net)
        assert ws["B10"].value == ("Amount due from you" if net < 0 else "Amount payable to you")
        # Every section's subtotal formula sums exactly its lines.
        for section, label in SECTION_TOTALS.items():
            formula = ws[f"K{row_with(ws, 'B', label)}"].value
            expected = by_section[section]
            assert evaluate_sums(ws, formula) == expected, (partner, section)
        # The summary shows each section (the last with the adjustments of section other,
        # which Corrections lists: rules.md P2), and its total row sums to the net.
        shown = [*Section][:-1]
        for offset, section in enumerate(shown):
            expected = by_section[section]
            if section is Section.MILESTONES:
                expected += by_section[Section.OTHER]
            assert number(ws[f"C{17 + offset}"].value) == expected
        assert evaluate_sums(ws, ws["C22"].value) == net


def test_the_plan_of_a_statement_takes_a_bounded_number_of_operations(demo: DemoClose) -> None:
    fill = statement_fill(demo.context, "P001")
    _, plans = fill_workbook(STATEMENT_TEMPLATE, fill)
    demo_count = plans["Statement"].sheet_operations
    deals = fill.tables["deals"]
    many = Fill(
        fill.scalars,
        {**fill.tables, "deals": Table(deals.item, deals.fields, deals.rows * 200)},
    )
    _, big = fill_workbook(STATEMENT_TEMPLATE, many)
    assert big["Statement"].rows_added >= 1000
    assert big["Statement"].sheet_operations == demo_count <= 25


def test_statements_written_in_parallel_equal_those_written_one_by_one(
    demo: DemoClose, tmp_path: Path
) -> None:
    events: list[tuple[Stage, int, int, str]] = []
    context = dataclasses.replace(
        demo.context,
        progress=lambda stage, done, total, pid: events.append((stage, done, total, pid)),
    )
    one = render_statements(context, tmp_path / "one", workers=1)
    two = render_statements(context, tmp_path / "two", workers=2)
    assert [p.name for p in one] == [p.name for p in two]
    for a, b in zip(one, two, strict=True):
        assert dump_workbook(a) == dump_workbook(b)
    partners = [p.stem for p in one]
    for run in (events[: len(partners)], events[len(partners) :]):
        assert [e[1] for e in run] == list(range(1, len(partners) + 1))
        assert {e[0] for e in run} == {Stage.WRITE}
        assert {e[2] for e in run} == {len(partners)}
        assert sorted(e[3] for e in run) == sorted(partners)


def test_many_partners_are_written_in_parallel_few_one_by_one() -> None:
    assert worker_count(11, 8) == 1
    assert worker_count(16, 8) == 1
    assert worker_count(17, 2) == 2
    assert worker_count(1000, 8) == 8
    assert worker_count(500, None) == 1


def test_the_writers_are_wired_into_the_close_statements_first() -> None:
    """Statements first: their forked workers run while the close writes the rest."""
    assert (write_statements, write_csvs, write_close_pack, write_payments) == DEFAULT_WRITERS


# --- restyling the template ----------------------------------------------------------------


def _move_rows(ws: Worksheet, first: int, last: int, to: int) -> None:
    """What a user does in Excel with cut and paste: rows first..last go to row `to`."""
    shift = to - first
    merges = [m for m in ws.merged_cells.ranges if first <= m.min_row and m.max_row <= last]
    coords = [m.coord for m in merges]
    for coord in coords:
        ws.unmerge_cells(coord)
    ws.move_range(f"A{first}:K{last}", rows=shift, translate=True)
    for m in merges:
        ws.merge_cells(
            start_row=m.min_row + shift,
            start_column=m.min_col,
            end_row=m.max_row + shift,
            end_column=m.max_col,
        )
    for row in range(first, last + 1):
        ws.row_dimensions[row + shift].height = ws.row_dimensions[row].height


def test_a_restyled_template_is_followed_without_code_changes(
    demo: DemoClose, tmp_path: Path
) -> None:
    template = tmp_path / "statement.xlsx"
    shutil.copy(STATEMENT_TEMPLATE, template)
    book = load_workbook(template)
    ws = book["Statement"]
    assert isinstance(ws, Worksheet)
    # 1. Move the co-marketing section (heading to year-to-date row) below the footer.
    first, last = row_with(ws, "B", "4   Co-marketing"), row_with(ws, "B", "Total co-marketing") + 1
    end = ws.max_row + 2
    _move_rows(ws, first, last, end)
    ws.print_area = f"A1:K{end + last - first}"
    # 2. Another font for the customers, another number format for deal amounts.
    deal_row = next(c.row for c in ws["A"] if str(c.value).startswith("{{#table deals"))
    ws[f"B{deal_row}"].font = Font(name="Georgia", bold=True, color="C00000")
    ws[f"G{deal_row}"].number_format = "#,##0"
    # 3. A new column in the deals table: the close date.
    ws[f"L{deal_row - 1}"] = "Closed"
    ws[f"L{deal_row}"] = "{{ deal.close_date }}"
    ws[f"L{deal_row}"].number_format = "yyyy-mm-dd"
    book.save(template)

    render_statements(demo.context, tmp_path / "out", template, workers=1)
    out = sheet(tmp_path / "out" / "P001.xlsx")
    deals = [d for d in demo.context.result.revenue.deals if d.partner_id == "P001"]
    start = row_with(out, "L", "Closed") + 1
    row = start
    for deal in deals:
        assert out[f"B{row}"].value == deal.customer
        assert out[f"B{row}"].font.name == "Georgia"
        assert out[f"B{row}"].font.b
        assert out[f"G{row}"].number_format == "#,##0"
        assert out[f"L{row}"].value.date() == deal.close_date
        # a deal that spans brackets is followed by a row per bracket, styled alike
        row += 1 + (len(deal.parts) if len(deal.parts) > 1 else 0)
        assert out[f"G{row - 1}"].number_format == "#,##0"
    # Co-marketing now comes after the scorecard, and its total still sums its lines.
    mdf_total = row_with(out, "B", "Total co-marketing")
    assert mdf_total > row_with(out, "B", "Overall score")
    mdf = sum(
        (
            line.amount
            for line in demo.context.result.lines_of("P001")
            if line.component is Component.MDF
        ),
        Decimal(0),
    )
    assert evaluate_sums(out, out[f"K{mdf_total}"].value) == mdf == Decimal("4000.00")
    assert out.print_area.endswith(f"$K${mdf_total + 1}")
    assert not [c.coordinate for r in out.iter_rows() for c in r if "{{" in str(c.value or "")]


# --- text from inputs stays text ------------------------------------------------------------


def _set_cells(path: Path, sheet_name: str, column: str, values: dict[int, str]) -> None:
    """Put text (kept as text, even when it starts with =) into a data column."""
    book = load_workbook(path)
    ws = book[sheet_name]
    header = [str(c.value).strip().lower() for c in ws[1]]
    col = header.index(column) + 1
    for row, value in values.items():
        cell = ws.cell(row=row, column=col)
        cell.value = value
        cell.data_type = "s"
    book.save(path)


def test_formula_like_text_from_inputs_lands_as_text_everywhere(tmp_path: Path) -> None:
    from partnerclose.demo import write_demo

    program = write_demo(tmp_path, partners=12, period=PERIOD, seed=7)
    partner_book = tmp_path / "partners" / "P001_2026-10.xlsx"
    _set_cells(partner_book, "Deals", "customer", {2: EVIL})
    _set_cells(partner_book, "Campaigns", "name", {2: "+SUM(1,2)"})
    _set_cells(program, "Partners", "name", {2: "@cmd|' /C calc'!A0"})
    outcome = run_close(program, PERIOD)  # the default writers
    assert outcome.status is Status.CLOSED, outcome.message
    assert outcome.output is not None
    statement = sheet(outcome.output / "statements" / "P001.xlsx")
    texts = {c.value: c for row in statement.iter_rows() for c in row if isinstance(c.value, str)}
    assert texts[EVIL].data_type == "s"  # the customer
    assert texts["@cmd|' /C calc'!A0"].data_type == "s"  # the partner's name
    assert any(t.startswith("+SUM(1,2)") for t in texts)  # the campaign
    formulas = [str(c.value) for row in statement.iter_rows() for c in row if c.data_type == "f"]
    assert formulas
    assert all(f.startswith("=SUM(") for f in formulas)
    summary = sheet(outcome.output / "close_pack.xlsx", "Summary")
    names = [c for c in summary["C"] if c.value == "@cmd|' /C calc'!A0"]
    assert len(names) == 1
    assert names[0].data_type == "s"
    descriptions = [row["description"] for row in lines_of(outcome.output)["P001"]]
    assert any(d.startswith("'" + EVIL) for d in descriptions)  # prefixed with ' in the CSV
    assert "'+SUM(1,2)" in descriptions


# --- it opens in LibreOffice -----------------------------------------------------------------


def _pages(pdf: Path) -> int:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
        match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
        assert match is not None, info.stdout
        return int(match.group(1))
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_every_statement_opens_in_libreoffice_on_at_most_three_pages(
    written: Path, tmp_path: Path
) -> None:
    statements = sorted((written / "statements").glob("*.xlsx"))
    profile = tmp_path / "profile"
    result = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, statements),
            str(written / "close_pack.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for statement in statements:
        pdf = tmp_path / f"{statement.stem}.pdf"
        assert pdf.exists(), result.stdout + result.stderr
        assert 1 <= _pages(pdf) <= 3, statement.name
    assert _pages(tmp_path / "close_pack.pdf") >= 5  # one page per sheet at least


# --- the committed templates are built by the script -------------------------------------------


def test_the_committed_templates_are_what_the_script_builds(tmp_path: Path) -> None:
    script = STATEMENT_TEMPLATE.parent / "build_statement_templates.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True)
    rebuild = "templates are out of date: run templates/build_statement_templates.py"
    assert (tmp_path / "statement.xlsx").read_bytes() == STATEMENT_TEMPLATE.read_bytes(), rebuild
    assert (tmp_path / "close_pack.xlsx").read_bytes() == CLOSE_PACK_TEMPLATE.read_bytes(), rebuild


def _variant(demo: DemoClose, name: str) -> tuple[str, Any]:
    """Demo statements with the blocks the demo itself does not have."""
    context = demo.context
    if name == "P006_revision":  # a revised statement, with last period's figures
        return "P006", dataclasses.replace(
            context,
            statement_version=2,
            replaced_nets={"P006": Decimal("10000.00")},
            last_period={
                "P006": {
                    Component.COST_SHARE: Decimal("-2500.00"),
                    Component.REVENUE_SHARE: Decimal("9000.00"),
                    Component.CLAWBACK: Decimal("-500.00"),
                }
            },
        )
    if name == "P004_in_eur":  # a partner that settles in EUR at 1.1 USD per EUR (X2)
        settlement = {**context.result.settlement, "P004": SettlementRate("EUR", D11, 2)}
        result = dataclasses.replace(context.result, settlement=settlement)
        return "P004", dataclasses.replace(context, result=result)
    # a partner that sent no data this period
    result = dataclasses.replace(context.result, without_data=frozenset({"P010"}))
    return "P010", dataclasses.replace(context, result=result)


D11 = Decimal("1.1")


@pytest.mark.parametrize("variant", ["P006_revision", "P010_no_submission", "P004_in_eur"])
def test_statement_variants_match_their_golden_snapshots(
    variant: str, demo: DemoClose, tmp_path: Path, update_golden: bool
) -> None:
    pid, context = _variant(demo, variant)
    paths = render_statements(context, tmp_path, workers=1, pdf=False)
    path = next(p for p in paths if p.stem == pid)
    dump = dump_workbook(path, volatile={str(demo.folder): "<demo>"})
    text = golden_text(dump)
    if variant == "P006_revision":
        assert "Revised statement: replaces P006-2026-10-1." in text
        assert "P006-2026-10-2" in text
    elif variant == "P004_in_eur":
        result = context.result
        net = result.settlement_net("P004")
        # every line / 1.1, rounded per line; the net is their sum, in EUR
        assert net == sum(
            (round_money(line.amount / D11, 2) for line in result.lines_of("P004")), Decimal(0)
        )
        assert f"EUR {money_text(abs(net), 2)}" in text
        assert "at 1.1 USD per EUR" in text
    else:
        assert "We received no data from you for October 2026." in text
    _golden(f"statement_{variant}", text, update_golden)
