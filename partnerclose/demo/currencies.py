"""The demo in several currencies (`partnerclose demo --currencies`, rules.md X).

The program stays in USD. Three partners in ten settle in EUR, GBP, JPY or CHF
(in turn), and report their deals and campaigns in that currency; one deal in
five is booked in CAD instead, a currency neither side settles in. The demo's
amounts are drawn in USD as always and expressed in the row's currency at the
period's average rate, so that the program's brackets, caps and milestones still
bind as the scenario intends; the close converts them back (X1) and settles each
partner in its own currency (X2).

Everything here is a pure function of the spec, the partner and the period:
a demo without currencies draws exactly the same random numbers as before.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from partnerclose.core.money import quantum
from partnerclose.core.period import Period
from partnerclose.core.records import Campaign, Deal, FxRate
from partnerclose.reading.fx import currency_codes

SETTLEMENT_CURRENCIES = ("EUR", "GBP", "JPY", "CHF")
DEAL_CURRENCY = "CAD"  # the "third currency" of quality.md's large program
RATE_SOURCE = "ECB reference rates (demo)"
# One in DEAL_CURRENCY_ONE_IN deals is booked in DEAL_CURRENCY.
DEAL_CURRENCY_ONE_IN = 5
# Rates a year either side of the demo period, so that later months of a demo close too.
RATE_MONTHS = 12

# USD for one unit (average, closing) in the demo period, and the decimals a rate keeps.
_BASE_RATES: Mapping[str, tuple[Decimal, Decimal, int]] = {
    "EUR": (Decimal("1.0800"), Decimal("1.1000"), 4),
    "GBP": (Decimal("1.2700"), Decimal("1.2600"), 4),
    "JPY": (Decimal("0.006700"), Decimal("0.006500"), 6),
    "CHF": (Decimal("1.1300"), Decimal("1.1400"), 4),
    "CAD": (Decimal("0.7300"), Decimal("0.7250"), 4),
}
# Movement of every rate from its demo-period value, in thousandths, in a five-month cycle.
_DRIFT = (-4, -2, 0, 2, 4)


def settlement_currency(index: int) -> str:
    """The settlement currency of the partner at `index` (0-based) in a currency demo;
    blank (the program currency) for seven partners in ten."""
    if index % 10 not in (1, 5, 8):
        return ""
    turn = (index // 10) * 3 + (1, 5, 8).index(index % 10)
    return SETTLEMENT_CURRENCIES[turn % len(SETTLEMENT_CURRENCIES)]


def fx_rates(period: Period) -> tuple[FxRate, ...]:
    """FxRates rows of every demo currency for the months around `period`."""
    return tuple(
        FxRate(month, code, *_rates(code, k), RATE_SOURCE)
        for k in range(-RATE_MONTHS, RATE_MONTHS + 1)
        for month in (period.shift(k),)
        for code in _BASE_RATES
    )


def _rates(code: str, k: int) -> tuple[Decimal, Decimal]:
    average, closing, places = _BASE_RATES[code]
    factor = 1 + Decimal(_DRIFT[(k + 2) % len(_DRIFT)]) / 1000  # the demo period: 0
    step = quantum(places)
    return (
        (average * factor).quantize(step, ROUND_HALF_UP),
        (closing * factor).quantize(step, ROUND_HALF_UP),
    )


def in_currencies(
    deals: tuple[Deal, ...],
    campaigns: tuple[Campaign, ...],
    *,
    settlement: str,
    period: Period,
    demo_period: Period,
) -> tuple[tuple[Deal, ...], tuple[Campaign, ...]]:
    """A partner's deals and campaigns of `period`, drawn in USD, in the currencies a
    currency demo books them in: its settlement currency (the column left blank), or
    CAD for one deal in five. A reversal goes by its original deal's id, so it is in
    its original's currency (rules.md X1), whichever month the original closed in."""
    average = {code: _rates(code, period.months_since(demo_period))[0] for code in _BASE_RATES}
    converted = []
    for deal in deals:
        code = DEAL_CURRENCY if _in_deal_currency(deal.original_deal_id or deal.deal_id) else ""
        amount = _expressed(deal.amount, code or settlement, average)
        converted.append(replace(deal, amount=amount, currency=code))
    return tuple(converted), tuple(_campaign(row, settlement, average) for row in campaigns)


def _in_deal_currency(deal_id: str) -> bool:
    return zlib.crc32(deal_id.encode()) % DEAL_CURRENCY_ONE_IN == 0


def _campaign(row: Campaign, settlement: str, average: Mapping[str, Decimal]) -> Campaign:
    if not settlement:
        return row

    def expressed(value: Decimal | None) -> Decimal | None:
        return None if value is None else _expressed(value, settlement, average)

    return replace(
        row,
        spend=_expressed(row.spend, settlement, average),
        pipeline=expressed(row.pipeline),
        attributed_revenue=expressed(row.attributed_revenue),
    )


def _expressed(usd: Decimal, code: str, average: Mapping[str, Decimal]) -> Decimal:
    """`usd` in `code` at the average rate, to the currency's minor units ("": USD)."""
    if not code:
        return usd
    places = currency_codes().minor_units[code]
    return (usd / average[code]).quantize(quantum(places), ROUND_HALF_UP)
