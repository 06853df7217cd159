"""Carried state between the engines' records and the ledger's rows.

Small maps are stored as a snapshot per final run (`state_values`); paid
deals are stored once, by the run that paid them, with what each run paid on
them (share, then true-ups) and reversed of them, so a year of deals is never
copied from run to run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import repeat
from typing import cast

from partnerclose.core.close import CloseState
from partnerclose.core.cost_model import CostState
from partnerclose.core.milestones import MilestoneState
from partnerclose.core.period import Period
from partnerclose.core.records import DealType
from partnerclose.core.revenue import OpeningVolume, PaidDeal, RevenueState
from partnerclose.core.revenue_model import UNRECORDED_CURRENCY
from partnerclose.ledger.store import PaidDealText, StoredState

_PAIR = "\t"  # partner_id and pool_id never contain a tab (ids are validated)


def _texts(values: Mapping[str, Decimal]) -> dict[str, str]:
    return {key: str(value) for key, value in values.items()}


def _decimals(values: Mapping[str, str] | None) -> dict[str, Decimal]:
    return {key: Decimal(value) for key, value in (values or {}).items()}


def state_values(state: CloseState) -> dict[str, dict[str, str]]:
    """The snapshot part of a state, as the ledger stores it."""
    cost, milestones = state.cost, state.milestones
    values = {
        "contributions": _texts(cost.contributions_to_date),
        "allocations": {f"{p}{_PAIR}{pool}": str(v) for (p, pool), v in cost.allocations.items()},
        "accrued": _texts(milestones.accrued),
        "held": _texts(milestones.held),
        "deferred": _texts(milestones.deferred),
        "phase_spent": _texts(milestones.phase_spent),
    }
    if cost.reserve_balance is not None:
        values["reserve"] = {"balance": str(cost.reserve_balance)}
    applied = state.revenue.applied_reversals
    if applied:  # P1: reversal rows already applied, of the fiscal year
        values["applied_reversals"] = {deal_id: day.isoformat() for deal_id, day in applied.items()}
    opening = state.revenue.opening_volume
    if opening:  # O1: carried from close to close until its fiscal year ends
        values["opening_volume"] = {
            pid: f"{volume.before}{_PAIR}{volume.amount}" for pid, volume in opening.items()
        }
    return values


def load_close_state(stored: StoredState) -> CloseState:
    values = stored.values
    reserve = values.get("reserve", {}).get("balance")
    allocations = {
        tuple(key.split(_PAIR, 1)): Decimal(v) for key, v in values.get("allocations", {}).items()
    }
    cost = CostState(
        reserve_balance=None if reserve is None else Decimal(reserve),
        contributions_to_date=_decimals(values.get("contributions")),
        allocations=allocations,  # type: ignore[arg-type]
    )
    milestones = MilestoneState(
        accrued=_decimals(values.get("accrued")),
        held=_decimals(values.get("held")),
        deferred=_decimals(values.get("deferred")),
        phase_spent=_decimals(values.get("phase_spent")),
    )
    paid_deals = {
        row.deal_id: PaidDeal(
            deal_id=row.deal_id,
            partner_id=row.partner_id,
            period=Period.parse(row.period),
            close_date=date.fromisoformat(row.close_date),
            amount=row.amount,
            deal_type=DealType(row.deal_type),
            product=row.product,
            rate=row.rate,
            share=row.share,
            paid=row.share + stored.deal_payments.get(row.deal_id, Decimal(0)),
            bonus_rate=row.bonus_rate,
            currency=UNRECORDED_CURRENCY if row.currency is None else row.currency,
            source_amount=row.source_amount,
        )
        for row in stored.paid_deals
    }
    opening = {}
    for pid, text in values.get("opening_volume", {}).items():
        before, amount = text.split(_PAIR, 1)
        opening[pid] = OpeningVolume(Period.parse(before), Decimal(amount))
    applied = {
        deal_id: date.fromisoformat(day)
        for deal_id, day in values.get("applied_reversals", {}).items()
    }
    revenue = RevenueState(
        paid_deals=paid_deals,
        reversed_amounts=dict(stored.reversals),
        opening_volume=opening,
        applied_reversals=applied,
    )
    return CloseState(cost, revenue, milestones)


class NewPaidDeals:
    """A run's newly paid deals by partner, each partner's turned into the ledger's
    text rows only when the ledger asks for them: a million deals' text never
    exists at once (~130 MB at the benchmark size)."""

    def __init__(self, by_partner: Mapping[str, Sequence[PaidDeal]]) -> None:
        self._by_partner = by_partner

    def __iter__(self) -> Iterator[tuple[str, list[PaidDealText]]]:
        for partner_id, deals in sorted(self._by_partner.items()):
            yield partner_id, _texts_of(deals)

    def packed(self) -> Iterator[tuple[str, str]]:
        """(partner_id, the JSON text of its rows) by partner, the text json.dumps gives
        the rows of `__iter__` (ensure_ascii off, no spaces), partners without deals left
        out: what the ledger stores of them, without a row of text per deal."""
        tables = _DealTexts()
        for partner_id, deals in sorted(self._by_partner.items()):
            if deals:
                yield partner_id, _packed(deals, tables)

    def deals(self) -> Iterator[PaidDeal]:
        """Every deal, in the order the ledger packs them (by partner, then as paid)."""
        for _, deals in sorted(self._by_partner.items()):
            yield from deals


def _texts_of(deals: Sequence[PaidDeal]) -> list[PaidDealText]:
    rows: list[PaidDealText] = []
    add = rows.append
    period: object = None
    period_text = ""
    day_texts: dict[date, str] = {}  # a month's deals share a few dozen close dates
    for deal in deals:
        if deal.period is not period:  # the close's own period, as a rule
            period, period_text = deal.period, str(deal.period)
        day = deal.close_date
        add(
            (
                deal.deal_id,
                deal.partner_id,
                period_text,
                day_texts.get(day) or day_texts.setdefault(day, day.isoformat()),
                str(deal.amount),
                str(deal.deal_type),  # its value (a StrEnum)
                deal.product,
                str(deal.rate),
                str(deal.bonus_rate),
                str(deal.share),
                deal.currency,
                "" if deal.source_amount is None else str(deal.source_amount),
            )
        )
    return rows


# A str's JSON text as json.dumps gives it (ensure_ascii off), quotes included.
_json: Callable[[str], str] = json.encoder.encode_basestring


def _inner(text: str) -> str:
    """A str's JSON text without its quotes."""
    return _json(text)[1:-1]


class _Table(dict[object, str]):
    """value -> `text(value)`'s JSON text without quotes, made once per distinct value.
    Keys whose equal values have equal texts only (str, date, Period, enums; not Decimal,
    whose 0.1 equals 0.10)."""

    def __init__(self, text: Callable[[object], str] = str) -> None:
        super().__init__()
        self._text = text

    def __missing__(self, value: object) -> str:
        made = self[value] = _inner(self._text(value))
        return made


def _iso_day(value: object) -> str:
    """A close date's text, by isoformat, as `_texts_of` makes it."""
    return cast(date, value).isoformat()


@dataclass(frozen=True, slots=True)
class _DealTexts:
    """A run's tables of the deal columns that repeat a few values (one per run, not
    per process: a table lives as long as the run's rows are being packed)."""

    partners: _Table = field(default_factory=_Table)
    periods: _Table = field(default_factory=_Table)
    days: _Table = field(default_factory=lambda: _Table(_iso_day))
    types: _Table = field(default_factory=_Table)
    products: _Table = field(default_factory=_Table)
    currencies: _Table = field(default_factory=_Table)


def _id_texts(ids: Sequence[str]) -> Sequence[str]:
    """The deal ids' JSON texts without quotes: the ids themselves when none has a
    character to escape (as a rule; checked on all at once, exactly: escaping lengthens)."""
    joined = "".join(ids)
    if len(_json(joined)) == len(joined) + 2:
        return ids
    return list(map(_inner, ids))


def _packed(deals: Sequence[PaidDeal], tables: _DealTexts) -> str:
    """The JSON text of `_texts_of(deals)`, built column by column (C loops): every field
    is a JSON string, so a row is its fields' texts without quotes joined by '","'; a
    decimal's text (digits, sign, point, exponent) is its JSON text without quotes."""
    (
        ids,
        partners,
        periods,
        days,
        amounts,
        types,
        products,
        rates,
        shares,
        _,
        bonus_rates,
        currencies,
        sources,
    ) = zip(*deals, strict=True)
    if sources.count(None) == len(sources):
        source_texts: Iterable[str] = repeat("", len(sources))
    else:
        source_texts = ["" if s is None else str(s) for s in sources]
    rows = zip(
        _id_texts(ids),
        map(tables.partners.__getitem__, partners),
        map(tables.periods.__getitem__, periods),
        map(tables.days.__getitem__, days),
        map(str, amounts),
        map(tables.types.__getitem__, types),
        map(tables.products.__getitem__, products),
        map(str, rates),
        map(str, bonus_rates),
        map(str, shares),
        map(tables.currencies.__getitem__, currencies),
        source_texts,
        strict=True,
    )
    return '[["' + '"],["'.join(map('","'.join, rows)) + '"]]'


def revenue_changes(
    before: RevenueState, after: RevenueState
) -> tuple[NewPaidDeals, dict[str, Decimal], dict[str, Decimal]]:
    """(deals paid for the first time, true-ups per deal by this run, reversed by this run).

    A deal's `paid` is its share plus its true-ups, so only true-ups are stored
    as payments: a month of new deals adds one row each, not two.
    """
    earlier = before.paid_deals
    new_deals: defaultdict[str, list[PaidDeal]] = defaultdict(list)
    payments = {}
    for deal_id, deal in after.paid_deals.items():
        previous = earlier.get(deal_id)
        if previous is deal:  # carried over as it was (a year of deals): nothing to store
            continue
        if previous is None:
            new_deals[deal.partner_id].append(deal)
            paid_before = deal.share
        else:
            paid_before = previous.paid
        # The same decimal as before (a deal paid its share, nothing trued up since):
        # nothing to subtract, for most of a month's half a million deals.
        if deal.paid is not paid_before:
            true_up = deal.paid - paid_before
            if true_up:
                payments[deal_id] = true_up
    reversals = {}
    for deal_id, amount in after.reversed_amounts.items():
        delta = amount - before.reversed_amounts.get(deal_id, Decimal(0))
        if delta:
            reversals[deal_id] = delta
    return NewPaidDeals(dict(new_deals)), payments, reversals
