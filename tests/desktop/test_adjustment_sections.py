"""The desktop's review shows an adjustment (rules.md P2) in the section its row names."""

from __future__ import annotations

from decimal import Decimal

from desktop.presenters.review_tables import sections_table
from tests.test_adjustments import close, closed, program_with


def test_an_adjustment_counts_in_its_row_s_section_in_the_review(tmp_path):
    without = closed(close(tmp_path / "without", program_with()))
    row = ["2026-10", "P001", "revenue_share", -400, "correction of a duplicate deal", None]
    outcome = closed(close(tmp_path / "with", program_with(row)))
    assert outcome.result is not None
    assert without.result is not None

    def subtotals(result) -> dict[str, Decimal | None]:
        table = sections_table(result, "P001", 2)
        return {r.cells[0].text: r.cells[1].value for r in table.rows}

    before, after = subtotals(without.result), subtotals(outcome.result)
    assert after["Revenue share"] == before["Revenue share"] - Decimal("400.00")
    assert "Other" not in after
    assert after["Net"] == before["Net"] - Decimal("400.00")
