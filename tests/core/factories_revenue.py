"""Small literal inputs for the revenue-share tests (rules.md R1-R8)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from partnerclose.core.lines import Component, Line
from partnerclose.core.period import Period
from partnerclose.core.records import (
    Campaign,
    Deal,
    DealStatus,
    DealType,
    Loc,
    Mode,
    Partner,
    PartnerStatus,
    Plan,
    Product,
    Program,
    RevenueTier,
    Settings,
)
from partnerclose.core.revenue import PaidDeal, RevenueResult, RevenueState, compute_revenue

D = Decimal  # short for literals

SOURCED, CO_SELL, INFLUENCED = DealType.SOURCED, DealType.CO_SELL, DealType.INFLUENCED
OCT = Period(2026, 10)

DEAL_COLUMNS = {"deal_id": "A", "close_date": "C", "amount": "H", "partner_id": "P"}
DEAL_COLUMNS |= {"original_deal_id": "J", "deal_type": "F"}


def tiers(plan: str, deal_type: DealType, *brackets: tuple[str, str]) -> tuple[RevenueTier, ...]:
    return tuple(RevenueTier(plan, deal_type, D(start), D(rate)) for start, rate in brackets)


# Example R-a: Gold (marginal). Example R-b: Silver (retroactive).
GOLD_TIERS = (
    tiers("Gold", SOURCED, ("0", "0.10"), ("100000", "0.15"), ("250000", "0.20"))
    + tiers("Gold", CO_SELL, ("0", "0.06"))
    + tiers("Gold", INFLUENCED, ("0", "0.03"))
)
SILVER_TIERS = tiers("Silver", SOURCED, ("0", "0.08"), ("100000", "0.12"), ("200000", "0.15"))
SILVER_TIERS += tiers("Silver", INFLUENCED, ("0", "0.02"))
PRODUCTS = (Product("Core"), Product("Analytics", bonus_rate=D("0.02")))


def gold(cap: str | None = None, mdf_pct: str = "0", mdf_cap: str | None = None) -> Plan:
    return Plan(
        "Gold",
        Mode.MARGINAL,
        period_cap=D(cap) if cap else None,
        mdf_cofund_pct=D(mdf_pct),
        mdf_period_cap=D(mdf_cap) if mdf_cap else None,
    )


SILVER = Plan("Silver", Mode.RETROACTIVE)


def partner(partner_id: str, plan: str = "Gold", start: date | None = None) -> Partner:
    return Partner(partner_id, f"Partner {partner_id}", plan, PartnerStatus.ACTIVE, start)


def make_program(
    *,
    plans: tuple[Plan, ...] = (gold(), SILVER),
    revenue_tiers: tuple[RevenueTier, ...] = GOLD_TIERS + SILVER_TIERS,
    products: tuple[Product, ...] | None = PRODUCTS,
    partners: tuple[Partner, ...] = (partner("P001"), partner("P002", "Silver")),
    fiscal_year_start: int = 1,
    clawback_days: int = 90,
    max_margin_share: str | None = None,
) -> Program:
    settings = Settings(
        "Test program",
        fiscal_year_start=fiscal_year_start,
        clawback_days=clawback_days,
        max_margin_share=D(max_margin_share) if max_margin_share else None,
    )
    return Program(
        settings,
        partners=partners,
        plans=plans,
        revenue_tiers=revenue_tiers,
        products=products,
    )


def loc(row: int) -> Loc:
    return Loc("P001.xlsx", "Deals", row, DEAL_COLUMNS)


def won(
    deal_id: str,
    close: date,
    amount: str,
    *,
    partner_id: str = "P001",
    product: str = "Core",
    deal_type: DealType = SOURCED,
    registered: bool = True,
    customer: str = "",
    row: int = 2,
) -> Deal:
    return Deal(
        partner_id,
        deal_id,
        close,
        product,
        deal_type,
        D(amount),
        DealStatus.WON,
        registered=registered,
        customer=customer,
        loc=loc(row),
    )


def reversal(
    deal_id: str,
    close: date,
    amount: str,
    original: str,
    *,
    partner_id: str = "P001",
    status: DealStatus = DealStatus.REFUNDED,
    row: int = 2,
) -> Deal:
    return Deal(
        partner_id,
        deal_id,
        close,
        "Core",
        SOURCED,
        D(amount),
        status,
        original_deal_id=original,
        loc=loc(row),
    )


def paid(
    deal_id: str,
    close: date,
    amount: str,
    share: str,
    *,
    partner_id: str = "P001",
    deal_type: DealType = SOURCED,
    product: str = "Core",
    bonus: str = "0",
    total_paid: str | None = None,
) -> PaidDeal:
    return PaidDeal(
        deal_id=deal_id,
        partner_id=partner_id,
        period=Period.of(close),
        close_date=close,
        amount=D(amount),
        deal_type=deal_type,
        product=product,
        rate=D(share) / D(amount),
        share=D(share),
        paid=D(total_paid or share),
        bonus_rate=D(bonus),
    )


def campaign(
    campaign_id: str, spend: str, *, approved: bool = True, partner_id: str = "P001", row: int = 2
) -> Campaign:
    return Campaign(
        partner_id,
        campaign_id,
        D(spend),
        name=f"Campaign {campaign_id}",
        approved=approved,
        loc=Loc("P001.xlsx", "Campaigns", row, {"approved": "F", "spend": "B"}),
    )


# --- running the engine ---------------------------------------------------------


def run(
    deals: Sequence[Deal],
    *,
    state: RevenueState | None = None,
    program: Program | None = None,
    period: Period = OCT,
    campaigns: Sequence[Campaign] = (),
) -> RevenueResult:
    return compute_revenue(
        program or make_program(), period, deals, campaigns, state or RevenueState()
    )


def the_line(result: RevenueResult, component: Component, item: str) -> Line:
    (found,) = [x for x in result.lines if x.component is component and x.item == item]
    return found


def amounts(result: RevenueResult, component: Component) -> dict[str, D]:
    return {x.item: x.amount for x in result.lines if x.component is component}


def state_of(*deals: PaidDeal, reversed_amounts: dict[str, D] | None = None) -> RevenueState:
    return RevenueState({d.deal_id: d for d in deals}, reversed_amounts or {})


# P001 (Gold) has 90,000.00 of deals paid earlier in the fiscal year (Example R-a).
YTD_90K = state_of(
    paid("D-07", date(2026, 7, 20), "40000.00", "4000.00"),
    paid("D-09", date(2026, 9, 5), "50000.00", "5000.00"),
)
R_A_DEALS = (
    won("D1", date(2026, 10, 3), "30000.00", row=2),
    won("D2", date(2026, 10, 12), "150000.00", product="Analytics", row=3),
    won("D3", date(2026, 10, 20), "10000.00", registered=False, row=4),
)
