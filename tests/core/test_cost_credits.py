"""C7: in-kind credits, their caps (pool and total) and their line items."""

from __future__ import annotations

from decimal import Decimal as D

from partnerclose.core.cost_credits import Credit, in_kind_credits
from partnerclose.core.problems import Problem, Severity
from partnerclose.core.records import HOST, Contribution
from tests.core.factories_costs import contribution

ALLOCATIONS = {
    ("P001", "CRM"): D("3340.20"),
    ("P001", "DATA"): D("1000.00"),
    ("P002", "CRM"): D("2474.23"),
}


def credit_of(
    *rows: Contribution, taking_part: tuple[str, ...] = ("P001", "P002")
) -> tuple[tuple[Credit, ...], tuple[Problem, ...]]:
    return in_kind_credits(rows, ALLOCATIONS, frozenset(taking_part), "2026-10", 2)


def test_example_c_e_pool_cap() -> None:
    # 1 × 1,000.00 against CRM, max 0.25 × 3,340.20 = 835.05 -> credit 835.05.
    (credit,), problems = credit_of(
        contribution(
            "P001", "1000.00", pool_id="CRM", description="data access", max_credit_pct="0.25"
        )
    )
    assert (credit.item, credit.cap, credit.credit, credit.limited) == (
        "data access",
        D("835.0500"),
        D("835.05"),
        True,
    )
    assert problems == ()


def test_total_cap_uses_the_partners_total_allocation() -> None:
    # Total 3,340.20 + 1,000.00 = 4,340.20; 0.1 × 4,340.20 = 434.02 < value 500.00.
    (credit,), _ = credit_of(contribution("P001", "500.00", max_credit_pct="0.1"))
    assert (credit.allocation, credit.credit) == (D("4340.20"), D("434.02"))


def test_credit_below_the_cap_is_the_value_rounded() -> None:
    # 3 × 33.333 = 99.999 -> 100.00; cap 3,340.20 is not reached.
    (credit,), _ = credit_of(contribution("P001", "33.333", quantity="3", pool_id="CRM"))
    assert credit.credit == D("100.00")
    assert not credit.limited


def test_credits_of_one_partner_never_exceed_the_allocation_they_offset() -> None:
    # Against DATA (1,000.00), 100 % each: 800.00, then only the 200.00 left.
    # Then a total credit of 5,000.00 (cap 4,340.20) gets what is left of the total:
    # 4,340.20 − 1,000.00 = 3,340.20.
    credits, _ = credit_of(
        contribution("P001", "800.00", pool_id="DATA", description="leads"),
        contribution("P001", "800.00", pool_id="DATA", description="leads"),
        contribution("P001", "5000.00", description="leads"),
    )
    assert [(c.item, c.credit) for c in credits] == [
        ("leads", D("800.00")),
        ("leads (2)", D("200.00")),
        ("leads (3)", D("3340.20")),
    ]


def test_blank_description_is_in_kind() -> None:
    (credit,), _ = credit_of(contribution("P002", "10.00"))
    assert credit.item == "in-kind"


def test_credit_against_a_pool_the_partner_does_not_share_is_zero() -> None:
    (credit,), _ = credit_of(contribution("P002", "10.00", pool_id="DATA"))
    assert credit.credit == 0


def test_partner_not_taking_part_or_host_earns_no_credit() -> None:
    credits, problems = credit_of(
        contribution("P003", "10.00"), contribution(HOST, "10.00"), taking_part=("P001",)
    )
    assert credits == ()
    assert [p.severity for p in problems] == [Severity.INFO, Severity.INFO]
    assert "host bears" in problems[0].message
    assert "P003 does not take part" in problems[1].message
