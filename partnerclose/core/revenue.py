"""Revenue share and co-marketing (rules.md R1-R8), one period at a time.

The engine pays each won deal of the period at its plan's bracket rates plus
the product bonus (marginal or retroactive), trues up earlier deals of the
fiscal year in retroactive plans, claws back refunds and churn, caps the
period, reimburses co-marketing and checks revenue share against gross
profit. What a final close of the period leaves for later ones is
`RevenueResult.next_state`.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping, Sequence
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import cast

from partnerclose.core.currency import period_rates
from partnerclose.core.lines import Line, merge_sorted, sort_lines
from partnerclose.core.money import ZERO
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import Campaign, Deal, Mode, Program
from partnerclose.core.revenue_clawbacks import clawbacks
from partnerclose.core.revenue_margin import margin_check, margin_check_of
from partnerclose.core.revenue_mdf import reimburse_campaigns
from partnerclose.core.revenue_model import (
    TREATED_AS_INFLUENCED,
    BracketPart,
    DealDetail,
    OpeningVolume,
    PaidDeal,
    PartnerRevenue,
    RevenueResult,
    RevenueState,
    TrueUpDetail,
    frozen_mapping,
)
from partnerclose.core.revenue_pay import (
    attribute_true_ups,
    cap_line,
    pay_deals,
    true_up_line,
    true_ups,
)
from partnerclose.core.revenue_rows import (
    EngineError,
    EngineRows,
    RowEngine,
    RowRequest,
    check_controls,
    partner_slices,
    payments_from_rows,
    true_ups_from_rows,
)
from partnerclose.core.revenue_terms import (
    Terms,
    applied_reversals,
    earlier_deals_of_fiscal_year,
    eligible_deals,
    opening_volume,
    settled,
    terms_of,
)

# A partner's revenue_share lines come in R1 order; lines.csv wants them by item (deal id).
_ITEM_ORDER = attrgetter("item", "description")
_AMOUNT = attrgetter("amount")
_DEAL_ID = attrgetter("deal_id")

__all__ = [
    "TREATED_AS_INFLUENCED",
    "BracketPart",
    "DealDetail",
    "OpeningVolume",
    "PaidDeal",
    "PartnerRevenue",
    "RevenueResult",
    "RevenueState",
    "TrueUpDetail",
    "compute_revenue",
]


def compute_revenue(
    program: Program,
    period: Period,
    deals: Sequence[Deal],
    campaigns: Sequence[Campaign],
    state: RevenueState,
    engine: RowEngine | None = None,
) -> RevenueResult:
    """Rules R1-R8 for every partner taking part in `period`.

    The rules in the spec's order (R1 eligible deals, R2-R4 paid per partner, R4's
    true-up, R6 the cap, R8 the margin check, R5 clawbacks, R7 co-marketing): one call
    each, about 90 lines because each partner's figures feed its summary record.
    With `engine`, the row-level figures (R1-R4's shares, R4's dues, R8's gross profit)
    are the engine's, checked against their control totals (revenue_rows.py).
    """
    terms, problems = terms_of(program, period)
    (won, reversals), found = eligible_deals(deals, terms, state)
    problems += found
    earlier = earlier_deals_of_fiscal_year(state, terms)
    rows: EngineRows | None = None
    if engine is not None:
        rows, found = _run_engine(engine, program, (terms, deals, state), won, earlier)
        problems += found
    slices = partner_slices(rows) if rows is not None else {}

    lines: list[Line] = []
    details: list[DealDetail] = []
    true_up_details: list[TrueUpDetail] = []
    paid_now: dict[str, PaidDeal] = {}
    trued_up: dict[str, PaidDeal] = {}
    summaries: dict[str, PartnerRevenue] = {}
    for partner_id, plan in terms.plan_of.items():
        partner_deals = won.get(partner_id, [])
        partner_earlier = earlier.get(partner_id, [])
        ytd_before = sum(map(_AMOUNT, partner_earlier), opening_volume(state, terms, partner_id))
        ytd_after = ytd_before + sum(map(_AMOUNT, partner_deals), ZERO)
        if rows is None:
            payments = pay_deals(partner_deals, plan, ytd_before, terms)
        else:
            span = slices.get(partner_id, (0, 0))
            payments = payments_from_rows(rows, span, partner_deals, terms)
        problems += payments.problems
        lines += sorted(payments.lines, key=_ITEM_ORDER)
        details += payments.details
        paid_now.update(zip(map(_DEAL_ID, payments.paid), payments.paid, strict=True))

        true_up = ZERO
        if plan.mode is Mode.RETROACTIVE:
            deltas = (
                true_ups(partner_earlier, plan, ytd_after, terms)
                if rows is None
                else true_ups_from_rows(partner_earlier, rows)
            )
            true_up = sum((t.delta for t in deltas), ZERO)
            true_up_details += [t for t in deltas if t.delta]
            trued_up.update(attribute_true_ups(partner_earlier, deltas))
            if true_up:
                lines.append(true_up_line(partner_id, plan, deltas, true_up, ytd_after, terms))

        revenue_share = sum(map(_AMOUNT, payments.lines), ZERO)
        cap = cap_line(partner_id, plan, revenue_share + true_up, terms)
        if cap is not None:
            lines.append(cap)
        partner = terms.partners[partner_id]
        (gross_profit, margin_share), found = (
            margin_check(partner, payments.details, revenue_share, terms)
            if rows is None
            else margin_check_of(partner, rows.controls[partner_id].gross, revenue_share, terms)
        )
        problems += found
        summaries[partner_id] = PartnerRevenue(
            partner_id=partner_id,
            plan=plan.plan,
            mode=plan.mode,
            ytd_before=ytd_before,
            ytd_after=ytd_after,
            revenue_share=revenue_share,
            true_up=true_up,
            gross_profit=gross_profit,
            margin_share=margin_share,
        )

    claws = clawbacks(
        reversals,
        # This period's deals over earlier ones, looked up, never copied (a million).
        ChainMap(paid_now, cast(dict[str, PaidDeal], state.paid_deals)),
        state.reversed_amounts,
        period,
        terms.clawback_days,
        terms.decimals,
        _source_amounts(deals, reversals),
    )
    problems += claws.problems

    settled_campaigns: list[Campaign] = []
    for campaign in campaigns:
        ok, found = settled(campaign, "campaign", terms)
        problems += found
        if ok:
            settled_campaigns.append(campaign)
    mdf = reimburse_campaigns(
        settled_campaigns,
        terms.plan_of,
        period,
        terms.decimals,
    )
    problems += mdf.problems

    next_state = RevenueState(
        # (a read-only view of the new dict: frozen_mapping would copy every deal again)
        paid_deals=MappingProxyType(
            {**state.paid_deals, **trued_up, **paid_now}
            if state.paid_deals or trued_up
            else paid_now  # a first close: no copy of a million deals
        ),
        reversed_amounts=claws.reversed_amounts,
        opening_volume=state.opening_volume,
        applied_reversals=applied_reversals(state, reversals, terms),
    )
    return RevenueResult(
        # The partner loop's lines are sorted within each partner and component
        # (and partners come in participant order); only the few others need a sort.
        lines=tuple(merge_sorted([lines, sort_lines([*claws.lines, *mdf.lines])])),
        problems=tuple(problems),
        deals=tuple(details),
        true_ups=tuple(true_up_details),
        partners=frozen_mapping(summaries),
        next_state=next_state,
    )


def _run_engine(
    engine: RowEngine,
    program: Program,
    inputs: tuple[Terms, Sequence[Deal], RevenueState],
    won: Mapping[str, Sequence[Deal]],
    earlier: Mapping[str, Sequence[PaidDeal]],
) -> tuple[EngineRows | None, list[Problem]]:
    """The row engine's figures, or None and the located errors when they cannot be used.

    An engine that fails is an error at the Program sheet's `engine` cell; results that
    fail their control totals an error at each partner's row (check_controls).
    """
    terms, deals, state = inputs
    opening = {pid: opening_volume(state, terms, pid) for pid in terms.plan_of}
    ytd_before = {
        pid: sum(map(_AMOUNT, earlier.get(pid, ())), opening[pid]) for pid in terms.plan_of
    }
    try:
        averages = {
            code: rate.average for code, rate in period_rates(program, terms.period).items()
        }
        rows = engine.run(RowRequest(terms, deals, earlier, opening, averages))
    except EngineError as exc:
        failed = program.settings.loc.error(
            f"the {engine.name} engine could not compute the revenue share: {exc}; nothing "
            "was computed",
            column="engine",
        )
        return None, [failed]
    found = check_controls(rows, won, earlier, ytd_before, terms, engine.name)
    return (None if found else rows), found


def _source_amounts(deals: Sequence[Deal], reversals: Sequence[Deal]) -> dict[str, Decimal]:
    """The deal-currency amounts that converted reversals are taken against (R5's ratio).

    Only those of the deals the reversals name, not a map of a million deals.
    """
    wanted = {r.original_deal_id for r in reversals if r.source_amount is not None}
    if not wanted:
        return {}
    return {
        d.deal_id: d.source_amount
        for d in deals
        if d.deal_id in wanted and d.source_amount is not None
    }
