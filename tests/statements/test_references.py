"""Where template rows land when regions grow, and how formulas follow (pure)."""

from __future__ import annotations

import pytest

from partnerclose.statements.references import Adjuster, Region, RowMap

# A one-row region at row 20 grown to 5 lines (4 rows inserted below it), and a
# two-row region at rows 30-31 grown to 3 copies (4 rows inserted below it).
DEALS = Region(20, 20, 5)
MILESTONES = Region(30, 31, 3)
ROWS = RowMap((MILESTONES, DEALS))  # given in any order
ADJUST = Adjuster(ROWS, "Statement")


def test_rows_above_stay_rows_below_move_by_what_was_inserted_above_them() -> None:
    assert ROWS.first(19) == 19
    assert ROWS.first(20) == 20  # the template row is the first line
    assert ROWS.last(20) == 24  # ... and the fifth line is 4 rows further
    assert ROWS.first(21) == 25  # the row below the region moves down by 4
    assert ROWS.first(30) == 34
    assert ROWS.first(31) == 35
    assert ROWS.last(31) == 35 + 2 * 2  # third copy of a two-row block
    assert ROWS.first(32) == 32 + 4 + 4
    assert ROWS.total_extra == 8


def test_overlapping_regions_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        RowMap((Region(5, 7, 2), Region(7, 8, 2)))


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        # A subtotal over the region grows with it; the rows below it move.
        ("=SUM(K20:K20)", "=SUM(K20:K24)"),
        ("=SUM($K$20:$K$20)*2", "=SUM($K$20:$K$24)*2"),
        # Two regions in one formula; a 2-D range over a two-row block.
        ("=SUM(K20:K20)+SUM(J30:K31)", "=SUM(K20:K24)+SUM(J34:K39)"),
        # A range ending just above a region does not grow.
        ("=SUM(K10:K19)", "=SUM(K10:K19)"),
        # A range that spans a region grows by the inserted rows (Excel does the same).
        ("=SUM(K15:K25)", "=SUM(K15:K29)"),
        # A single cell on the template row points at the first line.
        ("=K20*2", "=K20*2"),
        ("=K21+K40", "=K25+K48"),
        # Whole rows and columns.
        ("=SUM(21:22)", "=SUM(25:26)"),
        ("=SUM(K:K)", "=SUM(K:K)"),
        # Strings, other sheets and names are left alone; LOG10( is a function.
        ('="K21 is "&K21', '="K21 is "&K25'),
        ("=Other!K21+'My Sheet'!K21", "=Other!K21+'My Sheet'!K21"),
        ("=Statement!K21+'Statement'!K21", "=Statement!K25+'Statement'!K25"),
        ("=LOG10(K21)", "=LOG10(K25)"),
    ],
)
def test_formulas_outside_regions(formula: str, expected: str) -> None:
    assert ADJUST.formula(formula) == expected


def test_formulas_inside_a_region_are_filled_down() -> None:
    # Copy 2 of the deals region (row 22): relative rows move by 2, absolute ones stay,
    # and a running total over the own region does not grow.
    assert ADJUST.formula("=G20*H20", DEALS, 2) == "=G22*H22"
    assert ADJUST.formula("=G20*$H$20", DEALS, 2) == "=G22*$H$20"
    assert ADJUST.formula("=SUM($K$20:K20)", DEALS, 2) == "=SUM($K$20:K22)"
    # In the milestones region (first copy at rows 34-35), copy 1 is two rows further.
    assert ADJUST.formula("=C30-D31", MILESTONES, 1) == "=C36-D37"
    # From inside a region, a range over another region grows as from outside
    # (with `$` rows; relative rows move with the copy, as Excel's fill does).
    assert ADJUST.formula("=SUM(K$20:K$20)", MILESTONES, 1) == "=SUM(K$20:K$24)"
    assert ADJUST.formula("=SUM(K20:K20)", MILESTONES, 1) == "=SUM(K22:K26)"


def test_chart_references_grow_from_a_single_template_row_cell() -> None:
    assert ADJUST.chart_reference("'Statement'!$C$20") == "'Statement'!$C$20:$C$24"
    assert ADJUST.chart_reference("'Statement'!$B$20:$B$20") == "'Statement'!$B$20:$B$24"
    assert ADJUST.chart_reference("'Statement'!$C$5") == "'Statement'!$C$5"
    assert ADJUST.chart_reference("'Other'!$C$20") == "'Other'!$C$20"


def test_print_area_and_titles() -> None:
    assert ADJUST.area("'Statement'!$A$1:$K$90") == "'Statement'!$A$1:$K$98"
    assert ADJUST.area("$1:$2") == "$1:$2"


def test_a_region_of_one_copy_changes_nothing() -> None:
    same = Adjuster(RowMap((Region(20, 20, 1),)), "S")
    assert same.formula("=SUM(K20:K20)+K21") == "=SUM(K20:K20)+K21"
