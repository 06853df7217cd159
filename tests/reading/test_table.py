"""A table sheet read column by column: values, blanks, defaults and problems by cell."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

from partnerclose.core.records import Curve, Milestone, Recurrence
from partnerclose.core.schema import DEALS, METRICS, MILESTONES
from partnerclose.reading.build import build_table
from partnerclose.reading.grid import UNCACHED, SheetGrid, WorkbookGrids, column_letter
from partnerclose.reading.table import ABSENT, read_table

HEADER = ["deal_id", "close_date", "product", "deal_type", "amount", "status", "registered"]


def test_values_are_typed_column_by_column():
    grid = SheetGrid(
        "Deals",
        [
            HEADER,
            ["D1", datetime(2026, 10, 3), "Core", "sourced", 1200.5, "won", "Y"],
            [None, None, None, None, None, None, None],  # blank rows are skipped
            [1002.0, "2026-10-04", " Core ", "Co-Sell", "1,000.10", "won", None],
        ],
    )
    table, problems = read_table(grid, DEALS, "P1.xlsx")
    assert problems == []
    assert table is not None
    assert table.row_numbers == [2, 4]
    assert table.columns["deal_id"] == ["D1", "1002"]  # a number typed as an id: its digits
    assert table.columns["product"] == ["Core", "Core"]
    assert table.columns["deal_type"] == ["sourced", "co-sell"]
    assert table.columns["amount"] == [D("1200.5"), D("1000.10")]  # never 1200.4999…
    assert table.columns["registered"] == [True, False]  # blank flag: its default, N
    assert table.constants == {  # columns not in the sheet
        "customer": "",
        "original_deal_id": "",
        "currency": "",
    }
    assert table.loc(1).cell("amount") == "E4"


def test_problems_come_row_by_row_with_their_cells_and_rows_are_marked():
    grid = SheetGrid(
        "Deals",
        [
            HEADER,
            ["D1", "soon", "Core", "sourcd", -5.0, "won"],
            ["D2", datetime(2026, 10, 3), None, "sourced", 10.0, "won"],
            ["D3", datetime(2026, 10, 3), "Core", "sourced", 10.0, "won"],
        ],
    )
    table, problems = read_table(grid, DEALS, "P1.xlsx")
    assert [(p.cell, p.message) for p in problems] == [
        ("B2", 'close_date must be a date (YYYY-MM-DD), got "soon"'),
        (
            "D2",
            'deal_type must be one of sourced, co-sell, influenced, got "sourcd"; '
            'did you mean "sourced"?',
        ),
        ("E2", "amount must be a number ≥ 0, got -5"),
        ("C3", "product is required"),
    ]
    assert table is not None
    assert table.complete == [False, False, True]
    assert table.columns["deal_id"] == ["D1", "D2", "D3"]  # kept: bad rows' ids still exist


def test_blank_optional_cell_without_default_is_absent():
    grid = SheetGrid(
        "Deals",
        [
            [*HEADER, "created_date"],
            ["D1", datetime(2026, 10, 3), "Core", "sourced", 10.0, "won", "N", None],
            ["D2", datetime(2026, 10, 3), "Core", "sourced", 10.0, "won", "N", "2026-09-01"],
        ],
    )
    table, problems = read_table(grid, DEALS, "P1.xlsx")
    assert problems == []
    assert table is not None
    assert table.columns["created_date"] == [ABSENT, date(2026, 9, 1)]  # the record's default
    assert table.with_absent == {"created_date"}


def test_formula_without_saved_value_is_reported_at_its_cell():
    grid = SheetGrid(
        "Metrics",
        [["metric", "value"], ["nps", None], [None, None]],
        uncached=frozenset({(1, 1), (2, 0)}),
    )
    table, problems = read_table(grid, METRICS, "P1.xlsx")
    assert [(p.cell, p.message) for p in problems] == [
        ("B2", UNCACHED),
        ("A3", UNCACHED),
        ("B3", "value is required"),
    ]
    assert table is not None
    assert table.row_numbers == [2, 3]  # a row of uncached formulas is not blank
    assert table.complete == [False, False]


def test_missing_sheet_and_header_errors_give_no_table():
    assert read_table(None, DEALS, "P1.xlsx") == (None, [])  # Deals is optional
    table, problems = read_table(SheetGrid("Deals", [["deal_id"]]), DEALS, "P1.xlsx")
    assert table is None
    assert "missing required column close_date" in problems[0].message


def test_columns_left_out_take_their_defaults_as_typed_values():
    """A Milestones sheet without curve and recurrence columns: the records get the
    default members, not their text (built column by column in build_table)."""
    required = [c for c in MILESTONES.columns if c.required]
    grid = SheetGrid("Milestones", [[c.name for c in required], [c.example for c in required]])
    built, problems = build_table(
        WorkbookGrids("p.xlsx", {"Milestones": grid}), MILESTONES, Milestone
    )
    assert problems == []
    assert built[0].curve is Curve.LINEAR
    assert built[0].recurrence is Recurrence.ONCE
    assert (
        built[0].loc.cell("metric")
        == f"{column_letter(required.index(MILESTONES.column('metric')))}2"
    )
