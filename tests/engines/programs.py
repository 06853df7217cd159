"""Small generated revenue programs for the engines' differential tests.

Marginal and retroactive plans (a deal type without tiers, a first bracket above 0),
bonus products with and without a gross margin, an unknown product, registered and
unregistered sourced and co-sell deals, lost and open rows, deals without volume, a late
deal of the fiscal year, earlier-period YTD from the ledger and from O1's opening volume,
deals booked in euros and yen (X1), a period cap
and a margin limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from partnerclose.core.currency import convert_inputs
from partnerclose.core.period import Period
from partnerclose.core.records import (
    Deal,
    DealStatus,
    DealType,
    FxRate,
    Loc,
    Mode,
    Partner,
    PartnerStatus,
    PeriodData,
    Plan,
    Product,
    Program,
    RevenueTier,
    Settings,
)
from partnerclose.core.revenue import OpeningVolume, PaidDeal, RevenueState

OCT = Period(2026, 10)
D = Decimal
COLUMNS = {"deal_id": "A", "close_date": "B", "deal_type": "D", "amount": "F"}


@dataclass(frozen=True)
class Generated:
    """One generated program, the period's deal rows and the ledger's state."""

    program: Program
    deals: tuple[Deal, ...]
    state: RevenueState


def money(rng: random.Random, top: int, places: int = 2, *, coarse: bool = False) -> Decimal:
    """An amount from 0 to `top` with `places` decimals (sometimes whole, sometimes a
    multiple of 5,000 so that YTD volumes meet bracket thresholds exactly)."""
    if coarse or rng.random() < 0.25:
        return D(rng.randint(1, max(1, top // 5000)) * 5000)
    cents = rng.randint(0, top * 10**places)
    return D(cents).scaleb(-places) if rng.random() < 0.8 else D(cents // 10**places)


def rate(rng: random.Random, places: int) -> Decimal:
    """A rate below 0.3 with `places` decimals."""
    return D(rng.randint(0, 3 * 10 ** (places - 1))).scaleb(-places)


def _tiers(rng: random.Random, plan: str) -> list[RevenueTier]:
    tiers: list[RevenueTier] = []
    for deal_type in DealType:
        if deal_type is DealType.CO_SELL and rng.random() < 0.3:
            continue  # a deal type without tiers: its deals earn no bracket rate
        starts = sorted({D(0)} | {D(rng.randint(1, 40) * 5000) for _ in range(rng.randint(0, 3))})
        if rng.random() < 0.1:
            starts = [s + D(1000) for s in starts]  # no 0 bracket: volume below pays 0
        tiers += [RevenueTier(plan, deal_type, s, rate(rng, rng.choice((2, 3, 4)))) for s in starts]
    return tiers


def generate(rng: random.Random, partners: int = 4, deals: int = 30) -> Generated:
    """A program of `partners` partners and about `deals` deal rows in October 2026."""
    plans = (
        Plan(
            "Gold",
            Mode.MARGINAL,
            period_cap=D(rng.randint(2, 20) * 1000) if rng.random() < 0.3 else None,
        ),
        Plan("Silver", Mode.RETROACTIVE),
        Plan("Flat", Mode.MARGINAL),
    )
    tiers = [t for p in plans for t in _tiers(rng, p.plan)]
    products = (
        Product("Core", gross_margin=D("0.40")),
        Product("Plus", bonus_rate=D("0.015")),
        Product("Max", gross_margin=D("0.625"), bonus_rate=D("0.0275")),
    )
    ids = [f"P{i:03d}" for i in range(1, partners + 1)]
    members = tuple(
        Partner(
            pid,
            f"Partner {pid}",
            "Ghost" if i == partners - 1 and rng.random() < 0.2 else rng.choice(plans).plan,
            PartnerStatus.ACTIVE,
            loc=Loc("program.xlsx", "Partners", i + 2, {"partner_id": "A"}),
        )
        for i, pid in enumerate(ids)
    )
    settings = Settings(
        "Generated",
        fiscal_year_start=rng.choice((1, 4, 10)),
        max_margin_share=D("0.3") if rng.random() < 0.5 else None,
    )
    program = Program(
        settings,
        partners=members,
        plans=plans,
        revenue_tiers=tuple(tiers),
        products=products,
        fx_rates=(
            FxRate(OCT, "EUR", D("1.0800"), D("1.1000")),
            FxRate(OCT, "JPY", D("0.006700"), D("0.006500"), decimals=0),
        ),
    )
    fiscal = OCT.fiscal_year_start(settings.fiscal_year_start)
    coarse = rng.random() < 0.3  # every amount a multiple of 5,000: YTDs meet thresholds
    paid: dict[str, PaidDeal] = {}
    month = fiscal
    n = 0
    while month < OCT:  # earlier final closes of the fiscal year
        for _ in range(rng.randint(0, partners * 2)):
            n += 1
            close = month.first_day + timedelta(days=rng.randint(0, 27))
            amount = money(rng, 60000, coarse=coarse)
            bonus = rng.choice((D(0), D("0.015"), D("0.0275")))
            share = (amount * (rate(rng, 2) + bonus)).quantize(D("0.01"))
            paid[f"E{n}"] = PaidDeal(
                f"E{n}",
                rng.choice(ids),
                month,
                close,
                amount,
                rng.choice(list(DealType)),
                rng.choice(("Core", "Plus", "Max")),
                share / amount if amount else D(0),
                share,
                share + (D(rng.randint(0, 5000)).scaleb(-2) if rng.random() < 0.2 else D(0)),
                bonus,
            )
        month = month.shift(1)
    opening = {
        ids[0]: OpeningVolume(OCT, money(rng, 150000, coarse=coarse))
        if rng.random() < 0.5
        else None,
    }
    state = RevenueState(
        paid_deals=paid,
        opening_volume={k: v for k, v in opening.items() if v is not None},
    )
    rows: list[Deal] = []
    for i in range(deals):
        status = rng.choices((DealStatus.WON, DealStatus.LOST, DealStatus.OPEN), weights=(8, 1, 1))[
            0
        ]
        close = OCT.first_day + timedelta(days=rng.randint(0, 30))
        if i == 0 and fiscal < OCT:
            close = OCT.first_day - timedelta(days=3)  # a late deal of the fiscal year (P1)
        amount = D(0) if rng.random() < 0.05 else money(rng, 120000, coarse=coarse)
        currency = rng.choices(("", "EUR", "JPY"), weights=(17, 2, 1))[0]
        if currency == "JPY":
            amount = amount.scaleb(2).quantize(D(1))  # yen, whole: about as much in USD
        rows.append(
            Deal(
                rng.choice(ids),
                f"D{i:04d}",
                close,
                rng.choice(("Core", "Plus", "Max", "Widget")),
                rng.choice(list(DealType)),
                amount,
                status,
                registered=rng.random() < 0.7,
                customer=rng.choice(("", "Contoso", "Fabrikam")),
                currency=currency,
                loc=Loc("partner.xlsx", "Deals", i + 2, COLUMNS),
            )
        )
    # X1 as a close applies it before the rules: the engines convert again from the
    # booked amount (RowRequest.averages), and the control totals compare the two.
    converted = convert_inputs(program, OCT, PeriodData(deals=tuple(rows))).deals
    return Generated(program, converted, state)
