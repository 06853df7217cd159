"""Template parsing and fill plans, on an in-memory sheet (no spreadsheet library)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partnerclose.statements.plan import (
    CopyRowFormats,
    FitRowHeights,
    InsertRows,
    ReplaceInNumberFormats,
    SetChartReferences,
    SetPrintArea,
    WriteBlock,
    build_plan,
    fill_sheet,
)
from partnerclose.statements.sheet import RowInsert
from partnerclose.statements.template import TemplateError, parse_template
from partnerclose.statements.values import Fill, Formula, Table, Text
from tests.statements.grid_sheet import GridSheet

EVIL = '=HYPERLINK("http://evil.example","click")'


def template() -> GridSheet:
    """Rows: 1 title, 3 deals (one-row region), 4 total, 6-7 milestones (two-row
    region), 8 total over the milestones."""
    return GridSheet(
        title="S",
        cells={
            (1, 2): Text("Statement for {{ partner.name }}"),
            (1, 11): Text("{{ net }}"),
            (3, 1): Text('{{#table deals empty="No deals this period."}}'),
            (3, 2): Text("{{ deal.customer }}"),
            (3, 3): Text("{{ deal.amount }}"),
            (3, 4): Formula("=C3*2"),
            (3, 5): Text("per deal"),
            (4, 2): Text("Total"),
            (4, 3): Formula("=SUM(C3:C3)"),
            (6, 1): Text("{{#table milestones}}"),
            (6, 2): Text("{{ milestone.id }}"),
            (6, 3): Text("{{ milestone.paid }}"),
            (7, 1): Text("{{/table}}"),
            (7, 2): Text("Why: {{ milestone.why }}"),
            (8, 3): Formula("=SUM(C6:C7)+C4"),
        },
        formats={(3, 3): '#,##0.00 "{{ currency }}"', (6, 3): "0.00"},
        merged=[(1, 2, 1, 5), (7, 2, 7, 5)],
        print_area="'S'!$A$1:$K$8",
        print_title_rows="$1:$1",
        charts=[["'S'!$C$3", "'S'!$B$3"]],
    )


def fill(deals: int = 3, milestones: int = 2) -> Fill:
    return Fill(
        scalars={"partner.name": EVIL, "net": Decimal("-12.50"), "currency": "EUR"},
        tables={
            "deals": Table.of(
                "deal",
                ("customer", "amount"),
                (
                    {"customer": EVIL if i == 0 else f"Customer {i}", "amount": Decimal(i + 1)}
                    for i in range(deals)
                ),
            ),
            "milestones": Table.of(
                "milestone",
                ("id", "paid", "why"),
                (
                    {"id": f"M{i}", "paid": Decimal(10 * i), "why": "+SUM(1)"}
                    for i in range(milestones)
                ),
            ),
        },
    )


def test_a_plan_fills_the_sheet_with_grown_tables() -> None:
    sheet = template()
    plan = fill_sheet(sheet, fill())
    cells = sheet.cells
    # Text from data is literal text, also when it looks like a formula.
    assert cells[1, 2] == Text(f"Statement for {EVIL}")
    assert cells[1, 11] == Decimal("-12.50")  # a lone placeholder keeps its type
    assert (3, 1) not in cells  # the marker is gone
    # Three deals at rows 3-5: values, the template's static text and filled-down formulas.
    assert [cells[r, 2] for r in (3, 4, 5)] == [Text(EVIL), Text("Customer 1"), Text("Customer 2")]
    assert [cells[r, 3] for r in (3, 4, 5)] == [Decimal(1), Decimal(2), Decimal(3)]
    assert [cells[r, 4] for r in (3, 4, 5)] == [
        Formula("=C3*2"),
        Formula("=C4*2"),
        Formula("=C5*2"),
    ]
    assert [cells[r, 5] for r in (3, 4, 5)] == [Text("per deal")] * 3
    # The total moved from row 4 to 6 and sums the grown region.
    assert cells[6, 3] == Formula("=SUM(C3:C5)")
    # Two milestones of two rows each at rows 8-11; the total below covers them.
    assert cells[8, 2] == Text("M0")
    assert cells[10, 2] == Text("M1")
    assert cells[9, 2] == Text("Why: +SUM(1)")
    assert cells[11, 2] == Text("Why: +SUM(1)")
    assert cells[12, 3] == Formula("=SUM(C8:C11)+C6")
    # Formats, merged ranges, print area and chart follow the rows.
    assert sheet.formats[5, 3] == '#,##0.00 "EUR"'
    assert sheet.formats[10, 3] == "0.00"
    assert sorted(sheet.merged) == [(1, 2, 1, 5), (9, 2, 9, 5), (11, 2, 11, 5)]
    assert sheet.print_area == "'S'!$A$1:$K$12"
    assert sheet.charts == [["'S'!$C$3:$C$5", "'S'!$B$3:$B$5"]]
    assert sheet.fitted == [(3, 5), (8, 11)]
    assert plan.rows_added == 4
    # Each call is one range operation; the plan counts them, the read included.
    assert len(sheet.calls) == plan.sheet_operations
    assert sheet.calls[:4] == ["read", "formats", "insert", "copy formats"]


def test_operations_come_in_order_and_inserts_use_template_rows() -> None:
    plan = build_plan(template().read(), fill())
    kinds = [type(op) for op in plan.operations]
    assert kinds[:2] == [ReplaceInNumberFormats, InsertRows]
    assert plan.operations[1] == InsertRows((RowInsert(4, 2), RowInsert(8, 2)))
    assert plan.operations[2] == CopyRowFormats((3, 3), (4, 5))
    assert plan.operations[3] == CopyRowFormats((8, 9), (10, 11))
    assert {FitRowHeights, SetPrintArea, SetChartReferences, WriteBlock} <= set(kinds)


def test_the_number_of_operations_does_not_depend_on_the_number_of_lines() -> None:
    small = build_plan(template().read(), fill(deals=2, milestones=2))
    large = build_plan(template().read(), fill(deals=1000, milestones=300))
    assert small.sheet_operations == large.sheet_operations <= 25
    assert large.rows_added == 999 + 2 * 299


@pytest.mark.parametrize("max_blocks", [1, 2, 3])
def test_writes_are_grouped_into_few_blocks_that_never_cut_a_merged_range(max_blocks: int) -> None:
    sheet = template()
    plan = fill_sheet(sheet, fill(), max_blocks=max_blocks)  # GridSheet checks merges
    blocks = [op for op in plan.operations if isinstance(op, WriteBlock)]
    assert 1 <= len(blocks) <= max_blocks
    assert all(len({len(row) for row in b.values}) == 1 for b in blocks)  # rectangles


def test_an_empty_table_keeps_its_row_once_with_the_empty_text() -> None:
    sheet = template()
    plan = fill_sheet(sheet, fill(deals=0))
    assert sheet.cells[3, 2] == Text("No deals this period.")
    assert (3, 3) not in sheet.cells  # the item's fields are blank
    assert sheet.cells[3, 4] == Formula("=C3*2")
    assert sheet.cells[4, 3] == Formula("=SUM(C3:C3)")
    assert plan.operations[1] == InsertRows((RowInsert(8, 2),))


def test_the_template_vocabulary_is_checked_against_the_data() -> None:
    bad = template()
    bad.cells[2, 2] = Text("{{ partner.nmae }}")
    bad.cells[2, 3] = Text("{{ deal.amount }}")  # outside the deals region
    bad.cells[3, 6] = Text("{{ deal.colour }}")
    bad.cells[9, 1] = Text("{{#table invoices}}")
    with pytest.raises(TemplateError) as error:
        build_plan(bad.read(), fill())
    message = str(error.value)
    assert 'S!B2: unknown placeholder "partner.nmae"' in message
    assert 'S!C2: "deal.amount" is a field of the deals table' in message
    assert "no field 'colour'" in message
    assert 'unknown table "invoices"' in message


@pytest.mark.parametrize(
    ("cell", "error"),
    [
        (Text("{{ 1 + 2 }}"), "cannot read the placeholder"),
        (Text("x {{#table deals}}"), "must start the cell"),
    ],
)
def test_malformed_markers_are_reported_with_their_cell(cell: Text, error: str) -> None:
    sheet = template()
    sheet.cells[2, 4] = cell
    with pytest.raises(TemplateError, match=error):
        parse_template(sheet.read())


def test_a_closing_marker_without_a_table_is_reported() -> None:
    sheet = template()
    sheet.cells[9, 1] = Text("{{/table}}")
    with pytest.raises(TemplateError, match="closes no table"):
        parse_template(sheet.read())


def test_regions_are_found_with_their_rows() -> None:
    parsed = parse_template(template().read())
    assert [(r.name, r.first, r.last, r.empty_text) for r in parsed.regions] == [
        ("deals", 3, 3, "No deals this period."),
        ("milestones", 6, 7, ""),
    ]


def test_the_pure_modules_import_no_spreadsheet_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import partnerclose.statements.data, partnerclose.statements.plan\n"
        "import partnerclose.statements.references, partnerclose.statements.sheet\n"
        "import partnerclose.statements.template, partnerclose.statements.values\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'xlwings')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
