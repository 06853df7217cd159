"""R8 Margin check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from partnerclose.core.problems import Severity
from partnerclose.core.records import Mode, Plan, Product, Program
from tests.core.factories_revenue import (
    SOURCED,
    make_program,
    partner,
    run,
    tiers,
    won,
)

D = Decimal  # short for literals


def margin_program(limit: str | None, *products: Product) -> Program:
    return make_program(
        plans=(Plan("Flat", Mode.MARGINAL),),
        revenue_tiers=tiers("Flat", SOURCED, ("0", "0.155")),
        products=products,
        partners=(partner("P001", "Flat"),),
        max_margin_share=limit,
    )


def test_r8_warning_text() -> None:
    program = margin_program("0.5", Product("Core", gross_margin=D("0.25")))
    result = run([won("D1", date(2026, 10, 3), "10000.00")], program=program)
    # share 10,000 x 15.5 % = 1,550; gross profit 10,000 x 25 % = 2,500; 1,550 / 2,500 = 62 %
    (problem,) = result.problems
    assert problem.severity is Severity.WARNING
    assert problem.message == (
        "P001's revenue share takes 62 % of the gross profit of its deals (limit 50 %)"
    )
    summary = result.partners["P001"]
    assert (summary.gross_profit, summary.margin_share) == (D("2500.00"), D("0.62"))


def test_r8_no_warning_within_the_limit() -> None:
    program = margin_program("0.62", Product("Core", gross_margin=D("0.25")))
    result = run([won("D1", date(2026, 10, 3), "10000.00")], program=program)
    assert result.problems == ()


def test_r8_products_without_a_margin_add_nothing() -> None:
    program = margin_program("0.5", Product("Core", gross_margin=D("0.5")), Product("Lab"))
    deals = [
        won("D1", date(2026, 10, 3), "10000.00"),
        won("D2", date(2026, 10, 4), "10000.00", product="Lab"),
    ]
    result = run(deals, program=program)
    # shares 1,550 + 1,550 = 3,100; gross profit 10,000 x 50 % = 5,000 -> 62 %
    assert result.partners["P001"].margin_share == D("0.62")
    assert "takes 62 %" in result.problems[0].message


def test_r8_margin_share_not_computable_without_any_gross_margin() -> None:
    program = margin_program("0.5", Product("Core"))
    result = run([won("D1", date(2026, 10, 3), "10000.00")], program=program)
    assert result.partners["P001"].margin_share is None
    assert result.problems == ()


def test_r8_zero_margin_with_a_share_warns_without_a_percentage() -> None:
    program = margin_program("0.5", Product("Core", gross_margin=D("0")))
    result = run([won("D1", date(2026, 10, 3), "10000.00")], program=program)
    assert result.partners["P001"].margin_share is None
    assert result.problems[0].message == (
        "P001's revenue share of 1550.00 exceeds the gross profit of its deals (limit 50 %)"
    )


def test_r8_gross_profit_that_rounds_to_nothing_gives_no_percentage() -> None:
    """Found by setting each program cell to extremes: a margin of 1e-300 used to raise."""
    program = margin_program("0.5", Product("Core", gross_margin=D("1e-300")))
    result = run([won("D1", date(2026, 10, 3), "10000.00")], program=program)
    summary = result.partners["P001"]
    assert (summary.gross_profit, summary.margin_share) == (D("0.00"), None)
    assert result.problems[0].message == (
        "P001's revenue share of 1550.00 exceeds the gross profit of its deals (limit 50 %)"
    )
