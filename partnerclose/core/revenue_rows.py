"""The row-level revenue rules run by another engine, and the checks on what it returns.

A row engine (partnerclose/engines: DuckDB, Spark) computes R1's eligible deals, R2-R4's
exact and rounded share of every deal (marginal brackets over the running fiscal YTD
volume, or the rate the period-end YTD reaches), R4's due amount for each earlier deal
of the fiscal year, and R8's gross profit, as relational expressions over columns. This
module is the core's side of that contract: what the engine is given (`RowRequest`),
what it returns (`EngineRows`, columns and per-partner control totals), and the checks
that everything it returned is whole (`check_controls`) before its figures become lines.
The partner-level rules (true-up lines, caps, margin warnings, clawbacks, co-marketing)
stay in the Decimal core, which builds the same records from the engine's figures as it
does from its own (`payments_from_rows`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, cast

from partnerclose.core.lines import Component, Line
from partnerclose.core.money import ZERO
from partnerclose.core.problems import Problem
from partnerclose.core.records import Deal, DealType, Mode, Partner
from partnerclose.core.revenue_model import (
    TREATED_AS_INFLUENCED,
    BracketPart,
    DealDetail,
    PaidDeal,
    TrueUpDetail,
)
from partnerclose.core.revenue_pay import Payments, true_up_detail
from partnerclose.core.revenue_terms import Terms

new_record = tuple.__new__  # a NamedTuple from its fields, in declaration order
_DEAL_TYPES = {t.value: t for t in DealType}


class EngineError(Exception):
    """An engine could not run the rules (an overflow it refused, a lost session)."""


@dataclass(frozen=True, slots=True)
class RowRequest:
    """What a row engine computes from: the period's terms and rows.

    `deals` are every deal row of the period (the engine applies R1 itself, and X1 to a
    deal booked in another currency: from its `source_amount` at `averages`, the period's
    average rate of each currency); `earlier` the deals paid in earlier periods of the
    fiscal year, by partner; `opening` each partner's O1 volume brought in for this period.
    """

    terms: Terms
    deals: Sequence[Deal]
    earlier: Mapping[str, Sequence[PaidDeal]]
    opening: Mapping[str, Decimal]
    averages: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PartnerControl:
    """One partner's totals as the engine computed them, beside its rows.

    `share_minor` is the sum of its deals' shares in minor units and `checksum` the sum
    of each share in minor units times the deal's position (1, 2, ...) in R1 order, so a
    lost, repeated, reordered, NULL or overflowed row changes at least one of them.
    """

    rows: int
    volume: Decimal  # sum of the paid deals' amounts
    share_minor: int
    checksum: int
    ytd_before: Decimal
    gross: Decimal | None  # R8: exact sum of amount x gross_margin (None: no margin known)
    true_up_rows: int


@dataclass(frozen=True, slots=True)
class EngineRows:
    """An engine's results as columns, paid deals by partner (participant order) in R1 order.

    The paid-deal columns are parallel; `parts` holds each deal's bracket parts, and
    `due` each earlier deal's R4 (rate now + bonus, due) for partners in retroactive plans.
    """

    deal_id: Sequence[str]
    partner_id: Sequence[str]
    paid_type: Sequence[str]
    ytd_start: Sequence[Decimal | None]
    exact: Sequence[Decimal | None]
    share: Sequence[Decimal | None]
    point_rate: Sequence[Decimal | None]  # the bracket rate at ytd_start (R4: reached)
    bonus: Sequence[Decimal | None]
    parts: Mapping[str, tuple[BracketPart, ...]]
    due: Mapping[str, tuple[Decimal, Decimal]]
    controls: Mapping[str, PartnerControl]


class RowEngine(Protocol):
    """An engine that runs the row-level revenue rules on columns."""

    @property
    def name(self) -> str:
        """The engine's name as a user gives it (`duckdb`, `spark`)."""
        ...

    def run(self, request: RowRequest) -> EngineRows:
        """The rules' figures for `request`; raises EngineError when it cannot run them."""
        ...


def minor_units(amount: Decimal, decimals: int) -> int:
    """An amount of the currency as a whole number of its minor units (12.34 -> 1234)."""
    return int(amount.scaleb(decimals))


def partner_slices(rows: EngineRows) -> dict[str, tuple[int, int]]:
    """Each partner's [first, end) positions in the engine's paid-deal columns."""
    slices: dict[str, tuple[int, int]] = {}
    start = 0
    ids = rows.partner_id
    for i in range(1, len(ids) + 1):
        if i == len(ids) or ids[i] != ids[start]:
            slices[ids[start]] = (start, i)
            start = i
    return slices


def check_controls(
    rows: EngineRows,
    won: Mapping[str, Sequence[Deal]],
    earlier: Mapping[str, Sequence[PaidDeal]],
    ytd_before: Mapping[str, Decimal],
    terms: Terms,
    engine: str,
) -> list[Problem]:
    """The engine's rows against its control totals and against the core's own R1.

    One error per partner whose rows do not add up (at the partner's Partners row): a
    missing, repeated or reordered deal, a NULL figure, a sum that overflowed. Any
    such error stops the close, as every error does.
    """
    problems: list[Problem] = []
    slices = partner_slices(rows)
    decimals = terms.decimals
    for partner_id, partner in terms.partners.items():
        if partner_id not in terms.plan_of:
            continue
        lo, hi = slices.get(partner_id, (0, 0))
        found = _partner_mismatch(
            rows, (lo, hi), won.get(partner_id, ()), earlier.get(partner_id, ()), decimals
        )
        control = rows.controls.get(partner_id)
        if found is None and control is not None and control.ytd_before != ytd_before[partner_id]:
            found = (
                f"YTD volume before the period {control.ytd_before}, not {ytd_before[partner_id]}"
            )
        if found is not None:
            problems.append(_mismatch(partner, engine, found))
    unknown = sorted(set(slices) - set(terms.plan_of))
    if unknown:
        first = next(iter(terms.partners.values()), None)
        if first is not None:
            problems.append(_mismatch(first, engine, f"rows of unknown partners {unknown[:3]}"))
    return problems


def _partner_mismatch(
    rows: EngineRows,
    span: tuple[int, int],
    deals: Sequence[Deal],
    earlier: Sequence[PaidDeal],
    decimals: int,
) -> str | None:
    """What in one partner's rows disagrees with its control totals, or None."""
    lo, hi = span
    partner_id = deals[0].partner_id if deals else (rows.partner_id[lo] if hi > lo else "")
    control = rows.controls.get(partner_id) if partner_id else None
    if control is None:
        return None if not deals else "no control totals came back"
    shares = rows.share[lo:hi]
    if any(v is None for v in shares) or any(v is None for v in rows.exact[lo:hi]):
        return "a deal's share came back empty (NULL)"
    received = [minor_units(v, decimals) for v in shares if v is not None]
    checks = (
        (control.rows, hi - lo, "rows"),
        (len(deals), hi - lo, "paid deals by R1"),
        (control.share_minor, sum(received), "sum of shares in minor units"),
        (control.checksum, sum(i * v for i, v in enumerate(received, 1)), "checksum"),
        (control.volume, sum((d.amount for d in deals), ZERO), "paid volume"),
        (control.true_up_rows, sum(1 for p in earlier if p.deal_id in rows.due), "true-up rows"),
    )
    for reported, actual, what in checks:
        if reported != actual:
            return f"{what} {actual} received, {reported} reported"
    if list(rows.deal_id[lo:hi]) != [d.deal_id for d in deals]:
        return "the paid deals differ from R1's, or come in another order"
    return None


def _mismatch(partner: Partner, engine: str, what: str) -> Problem:
    """The located error of an engine's results that do not add up."""
    return partner.loc.error(
        f"the {engine} engine's revenue-share results for {partner.partner_id} fail their "
        f"control totals ({what}): nothing was computed; close again with engine decimal "
        "and report this",
        column="partner_id",
    )


def payments_from_rows(
    rows: EngineRows, span: tuple[int, int], deals: Sequence[Deal], terms: Terms
) -> Payments:
    """One partner's paid deals as `pay_deals` records them, from the engine's figures.

    `deals` are the partner's won deals in R1 order, the same as the engine's rows
    (`check_controls` made sure). The effective rate is exact share / amount, divided
    here as the Decimal core divides, so the two engines' lines are identical.
    """
    lo, _ = span
    period, period_text = terms.period, terms.period_text
    first_day = period.first_day
    revenue_share = Component.REVENUE_SHARE
    details: list[DealDetail] = []
    lines: list[Line] = []
    paid: list[PaidDeal] = []
    description_of: dict[tuple[str, str, DealType], str] = {}
    problems: list[Problem] = []
    if not deals:
        return Payments(details, lines, paid, problems)
    plan = terms.plan_of[deals[0].partner_id]
    rule = "R3" if plan.mode is Mode.MARGINAL else "R4"
    for i, deal in enumerate(deals, lo):
        paid_type = _DEAL_TYPES[rows.paid_type[i]]
        if not terms.brackets_for(plan, paid_type):
            problems.append(
                deal.loc.warning(
                    f"plan {plan.plan} has no revenue tiers for {paid_type} deals: deal "
                    f"{deal.deal_id} earns no bracket rate",
                    column="deal_type",
                )
            )
        status = TREATED_AS_INFLUENCED if paid_type != deal.deal_type else ""
        if deal.close_date < first_day:  # P1: a late deal of an earlier period of the year
            status = f"late: closed {deal.close_date}" + (f"; {status}" if status else "")
        # (none is NULL: check_controls made sure)
        exact, share = cast(Decimal, rows.exact[i]), cast(Decimal, rows.share[i])
        bonus = cast(Decimal, rows.bonus[i])
        amount = deal.amount
        point = rows.point_rate[i]
        rate = exact / amount if amount else (point or ZERO) + bonus
        key = (deal.customer, deal.product, paid_type)
        description = description_of.get(key)
        if description is None:
            description = description_of[key] = ", ".join(filter(None, key))
        values = (deal.deal_id, deal.partner_id, deal.customer, deal.product, deal.close_date)
        details.append(
            new_record(
                DealDetail,
                (
                    *values,
                    deal.deal_type,
                    paid_type,
                    deal.registered,
                    amount,
                    rows.parts.get(deal.deal_id, ()),
                    bonus,
                    rate,
                    share,
                    status,
                ),
            )
        )
        lines.append(
            new_record(
                Line,
                (
                    period_text,
                    deal.partner_id,
                    revenue_share,
                    deal.deal_id,
                    share,
                    rule,
                    description,
                    amount,
                    rate,
                    status,
                ),
            )
        )
        paid.append(
            new_record(
                PaidDeal,
                (
                    deal.deal_id,
                    deal.partner_id,
                    period,
                    deal.close_date,
                    amount,
                    paid_type,
                    deal.product,
                    rate,
                    share,
                    share,
                    bonus,
                    "" if deal.source_amount is None else deal.currency,
                    deal.source_amount,
                ),
            )
        )
    return Payments(details, lines, paid, problems)


def true_ups_from_rows(earlier: Sequence[PaidDeal], rows: EngineRows) -> list[TrueUpDetail]:
    """R4: each earlier deal's true-up from the engine's rate now and due amount."""
    return [true_up_detail(paid, *rows.due[paid.deal_id]) for paid in earlier]
