"""Small builders for cost-sharing tests: records with only what a test cares about."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal as D

from partnerclose.core.cost_model import CostResult
from partnerclose.core.lines import Component, Line
from partnerclose.core.period import Period
from partnerclose.core.records import (
    Basis,
    Commitment,
    Contribution,
    CostTier,
    Partner,
    PartnerStatus,
    Pool,
    Program,
    Settings,
    Usage,
)

OCT = Period(2026, 10)


def partner(
    partner_id: str,
    *,
    exit_date: date | None = None,
    wind_down_months: int = 0,
    fee: str = "0",
    start_date: date | None = None,
) -> Partner:
    status = PartnerStatus.ACTIVE if exit_date is None else PartnerStatus.EXITING
    return Partner(
        partner_id=partner_id,
        name=f"Partner {partner_id}",
        plan="Gold",
        status=status,
        start_date=start_date,
        exit_date=exit_date,
        wind_down_months=wind_down_months,
        wind_down_fee=D(fee),
    )


def pool(
    pool_id: str,
    amount: str,
    basis: Basis,
    *,
    budget: str | None = None,
    base_share: str | None = None,
    max_change_pct: str | None = None,
    unit: str = "",
) -> Pool:
    return Pool(
        pool_id=pool_id,
        name=pool_id.title(),
        amount=D(amount),
        basis=basis,
        budget=None if budget is None else D(budget),
        base_share=None if base_share is None else D(base_share),
        max_change_pct=None if max_change_pct is None else D(max_change_pct),
        unit=unit,
    )


def commit(
    partner_id: str,
    pool_id: str,
    capacity: str = "0",
    *,
    share: str | None = None,
    standalone: str | None = None,
) -> Commitment:
    return Commitment(
        partner_id=partner_id,
        pool_id=pool_id,
        committed_capacity=D(capacity),
        fixed_share=None if share is None else D(share),
        standalone_cost=None if standalone is None else D(standalone),
    )


def use(partner_id: str, pool_id: str, units: str) -> Usage:
    return Usage(partner_id=partner_id, pool_id=pool_id, units=D(units))


def tier(pool_id: str, min_utilization: str, factor: str) -> CostTier:
    return CostTier(pool_id=pool_id, min_utilization=D(min_utilization), factor=D(factor))


def contribution(
    partner_id: str,
    value: str,
    *,
    pool_id: str = "",
    description: str = "",
    max_credit_pct: str = "1",
    quantity: str = "1",
) -> Contribution:
    return Contribution(
        partner_id=partner_id,
        quantity=D(quantity),
        unit_value=D(value),
        pool_id=pool_id,
        description=description,
        max_credit_pct=D(max_credit_pct),
    )


def program(
    pools: Iterable[Pool],
    commitments: Iterable[Commitment],
    *,
    partners: Iterable[Partner] = (),
    tiers: Iterable[CostTier] = (),
    contributions: Iterable[Contribution] = (),
    opening: str = "0",
    fixed_contribution: str = "0",
    savings_pct: str = "0",
    cap: str | None = None,
) -> Program:
    given = tuple(partners) or (partner("P001"), partner("P002"))
    return Program(
        settings=Settings(
            program_name="Test",
            reserve_opening_balance=D(opening),
            reserve_fixed_contribution=D(fixed_contribution),
            reserve_savings_pct=D(savings_pct),
            reserve_cap=None if cap is None else D(cap),
        ),
        partners=given,
        pools=tuple(pools),
        commitments=tuple(commitments),
        cost_tiers=tuple(tiers),
        contributions=tuple(contributions),
    )


# --- reading results -----------------------------------------------------------


def amounts(result: CostResult, component: Component, item: str | None = None) -> dict[str, D]:
    """Participant -> Σ of its lines of one component (and item, if given)."""
    found: dict[str, D] = {}
    for line in result.lines:
        if line.component is component and (item is None or line.item == item):
            found[line.partner_id] = found.get(line.partner_id, D(0)) + line.amount
    return found


def lines_of(result: CostResult, partner_id: str, component: Component) -> list[Line]:
    return [x for x in result.lines if x.partner_id == partner_id and x.component is component]
