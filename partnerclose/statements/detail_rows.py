"""The rows of a statement's detail tables (lines, pools, deals, true-ups,
milestones, scorecard), built from a close's records (pure), and the few display
rules they share with the statement's scalars (`statement_fill` is `data.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

from partnerclose.close_context import CloseContext
from partnerclose.core.close import pool_of_item
from partnerclose.core.cost_model import PoolDetail, PoolParticipantDetail
from partnerclose.core.lines import Component, Line
from partnerclose.core.milestones import MilestoneDetail
from partnerclose.core.money import ZERO, round_money
from partnerclose.core.records import Basis, DealType
from partnerclose.core.revenue_model import DealDetail, TrueUpDetail
from partnerclose.statements.explain import (
    FACTOR_PLACES,
    money_text,
    number_text,
    percent_text,
    readable,
)
from partnerclose.statements.labels import key_figure_label
from partnerclose.statements.rows import (
    DealRow,
    LineRow,
    MilestoneRow,
    PoolRow,
    ScoreRow,
    TrueUpRow,
)
from partnerclose.statements.values import Value, row_values

MISSING = "n/a"  # a key figure that cannot be computed (K1: missing, not 0)

COMPONENT_LABELS: Mapping[Component, str] = {c: c.label for c in Component}
# An enum member's `.value` is a descriptor call (slow in a loop over every line and
# deal); their plain strings, looked up:
_COMPONENT_VALUE: Mapping[Component, str] = {c: c.value for c in Component}
_COMPONENT_VALUES = frozenset(_COMPONENT_VALUE.values())
_DEAL_TYPE_VALUE: Mapping[DealType, str] = {t: t.value for t in DealType}


def shown_rate(value: Decimal | None) -> Decimal | None:
    """A rate or factor in a cell of a statement: 4 decimals at most (outputs.md)."""
    return None if value is None else round_money(value, FACTOR_PLACES)


# The line and deal tables' rows, hundreds a statement: as the values `Table.of_values`
# takes, not as LineRow and DealRow instances (see `row_values`).
_LINE_VALUES = row_values(LineRow)
_DEAL_VALUES = row_values(DealRow)


def same_currency(amount: Decimal) -> Decimal:
    """A line's amount for a partner in the program currency: itself."""
    return amount


def line_row(
    line: Line,
    amount: Decimal,
    pool_names: Mapping[str, str],
    explained: str,
    decimals: int,
    restated: tuple[Decimal, Decimal] | None = None,
) -> tuple[Value, ...]:
    """A line of the statement: its amount in the settlement currency, its title and why
    (a LineRow's values, for `Table.of_values`)."""
    credit = line.component is Component.IN_KIND_CREDIT
    corrected = restated if line.component is Component.PRIOR_PERIOD_ADJUSTMENT else None
    return _LINE_VALUES(
        component=_COMPONENT_VALUE[line.component],
        kind=COMPONENT_LABELS[line.component],
        item=line.item,
        title=line_title(line, pool_names),
        description=readable(line.description, decimals),
        explanation=explained,
        quantity=line.quantity,
        # In-kind credits carry a unit value where other lines carry a rate or share.
        rate=None if credit else shown_rate(line.rate),
        unit_value=line.rate if credit else None,
        amount=amount,
        status=readable(line.status, decimals),
        rule=line.rule,
        program_amount=line.amount,
        recorded=corrected[0] if corrected else None,
        restated=corrected[1] if corrected else None,
    )


def line_title(line: Line, pool_names: Mapping[str, str]) -> str:
    """A short name for a line on a statement."""
    component = line.component
    if component is Component.ADJUSTMENT:  # P2: its reason
        return f"Adjustment · {line.description}"
    if component is Component.PRIOR_PERIOD_ADJUSTMENT:  # P3: the period and what it corrects
        period, _, corrected = line.item.partition(" ")
        named = Component(corrected).label.lower() if corrected in _COMPONENT_VALUES else corrected
        return f"{period} {named} restated"
    if component is Component.COST_SHARE:
        pool = pool_of_item(line.item)
        part = line.item[len(pool) + 1 :]
        name = pool_names.get(pool, pool)
        return f"{name} · {part} part" if part else name
    if component is Component.GUARDRAIL:
        return f"Guardrail · {pool_names.get(line.item, line.item)}"
    if component is Component.IN_KIND_CREDIT:
        return f"In-kind credit · {line.item}"
    if component in (Component.TRUE_UP, Component.REVENUE_CAP):
        return f"{COMPONENT_LABELS[component]} · plan {line.item}"
    if component is Component.CLAWBACK:
        return f"Clawback · {line.item}"
    if component is Component.REVENUE_SHARE:
        return f"Deal {line.item}"
    if component is Component.MDF:
        return f"{line.description} ({line.item})" if line.description else line.item
    if component in (Component.MILESTONE_RELEASE, Component.DEFERRED_RELEASE):
        return f"{line.item} · {COMPONENT_LABELS[component].lower()}"
    if component is Component.MILESTONE:
        return f"{line.item} · {line.description}" if line.description else line.item
    return COMPONENT_LABELS[component]


def _driver(pool: PoolDetail) -> str:
    """What a pool is split by, as its table shows it ("hybrid 40/60, seats")."""
    used = {s.used_basis for s in pool.splits}
    if pool.basis is Basis.HYBRID and pool.base_share is not None:
        base = round_money(pool.base_share * 100, 0)
        return f"hybrid {base}/{100 - base}" + (f", {pool.unit}" if pool.unit else "")
    text = pool.basis.value
    if used and pool.basis not in used:
        text += " → " + ", ".join(sorted(b.value for b in used))
    if Basis.USAGE in (used or {pool.basis}) and pool.unit:
        text += f", {pool.unit}"
    return text


def _cushion(pool: PoolDetail, me: PoolParticipantDetail, decimals: int) -> Decimal:
    """The partner's part of the pool's C5 draw: what the draw spared it (display)."""
    if pool.draw == 0 or pool.allocable == 0:
        return ZERO
    amounts = {s.part: s.amount for s in pool.splits}
    spared = sum(
        (
            pool.draw * amounts.get(part.part, ZERO) / pool.allocable * part.share
            for part in me.parts
        ),
        ZERO,
    )
    return round_money(spared, decimals)


def pool_rows(
    my_pools: Iterable[tuple[PoolDetail, PoolParticipantDetail]],
    decimals: int,
    lines: Iterable[Line] = (),
    settle: Callable[[Decimal], Decimal] = same_currency,
) -> Iterable[PoolRow]:
    """The partner's part of each pool; its cost and guardrail the sums of its lines
    of the pool in the settlement currency (so the net cost adds up on the page)."""
    settled: dict[tuple[str, Component], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.component in (Component.COST_SHARE, Component.GUARDRAIL):
            settled[pool_of_item(line.item), line.component] += settle(line.amount)
    for pool, me in my_pools:
        share = me.allocation / pool.allocable if pool.allocable else ZERO
        cost = settled[pool.pool_id, Component.COST_SHARE]
        guardrail = settled[pool.pool_id, Component.GUARDRAIL]
        credit = settle(me.in_kind_credit)
        yield PoolRow(
            id=pool.pool_id,
            name=pool.name,
            label=f"{pool.name} ({pool.pool_id})",
            basis=pool.basis.value,
            driver=_driver(pool),
            unit=pool.unit,
            units=me.usage_units,
            capacity=me.committed_capacity,
            utilization=shown_rate(me.utilization),
            share=shown_rate(share),
            tier_factor=shown_rate(me.tier_factor),
            wind_down_factor=shown_rate(me.wind_down_factor),
            cushion=settle(_cushion(pool, me, decimals)),
            cost=cost,
            guardrail=guardrail,
            credit=credit,
            net=cost + guardrail + credit,
            pool_amount=pool.amount,
            draw=pool.draw,
            allocable=pool.allocable,
        )


def deal_rows(
    deals: Iterable[DealDetail],
    texts: Mapping[str, str],
    decimals: int,
    settle: Callable[[Decimal], Decimal] = same_currency,
) -> Iterable[tuple[Value, ...]]:
    """Each deal, explained by its sentence in `texts` (by deal id), and below a deal
    that spans brackets one row per bracket (its range of the year's volume, rate with
    the product bonus, and amount): DealRows' values, for `Table.of_values`."""
    for deal in deals:
        spans = len(deal.parts) > 1
        yield _DEAL_VALUES(
            kind="deal",
            id=deal.deal_id,
            customer=deal.customer,
            product=deal.product,
            close_date=deal.close_date,
            type=_DEAL_TYPE_VALUE[deal.paid_type],
            reported_type=_DEAL_TYPE_VALUE[deal.reported_type],
            registered="Yes" if deal.registered else "No",
            amount=deal.amount,
            rate=None if spans else shown_rate(deal.rate),
            bonus_rate=deal.bonus_rate,
            bracket_share=None,
            share=settle(deal.share),  # the deal's line, in the settlement currency
            status=readable(deal.status, decimals),
            explanation=texts[deal.deal_id],
        )
        if not spans:
            continue
        for part in deal.parts:
            rate = part.rate + deal.bonus_rate
            bonus = f" + {percent_text(deal.bonus_rate)} bonus" if deal.bonus_rate else ""
            yield _DEAL_VALUES(
                kind="bracket",
                id="",
                customer=(
                    f"  {money_text(part.start, decimals)} – {money_text(part.end, decimals)}"
                ),
                product="",
                close_date=None,
                type="",
                reported_type="",
                registered="",
                amount=part.amount,
                rate=shown_rate(rate),
                bonus_rate=deal.bonus_rate,
                bracket_share=round_money(part.amount * rate, decimals),
                share=None,
                status=f"bracket {percent_text(part.rate)}{bonus}",
                explanation=(
                    f"{money_text(part.amount, decimals)} × {percent_text(rate)} of the year's "
                    f"volume {money_text(part.start, decimals)} – {money_text(part.end, decimals)}"
                ),
            )


def listed_deal_rows(
    deals: Sequence[DealDetail],
    texts: Mapping[str, str],
    decimals: int,
    settle: Callable[[Decimal], Decimal],
    limit: int | None,
    lines_file: str,
) -> list[tuple[Value, ...]]:
    """`deal_rows` of the first `limit` deals (every deal when None), then one row for
    the rest: how many, where their lines are, their amounts and revenue share (so the
    table still adds up to the section's lines)."""
    if limit is None or len(deals) <= limit:
        return list(deal_rows(deals, texts, decimals, settle))
    rest = deals[limit:]
    count = f"{len(rest):,} more deal{'s' if len(rest) != 1 else ''}"
    return [
        *deal_rows(deals[:limit], texts, decimals, settle),
        _DEAL_VALUES(
            kind="more",
            id="",
            customer=f"… and {count}: see {lines_file}",
            product="",
            close_date=None,
            type="",
            reported_type="",
            registered="",
            amount=sum((deal.amount for deal in rest), Decimal(0)),
            rate=None,
            bonus_rate=None,
            bracket_share=None,
            share=sum((settle(deal.share) for deal in rest), Decimal(0)),
            status="",
            explanation=f"the {count} of the period, each a revenue_share line in {lines_file}",
        ),
    ]


def true_up_rows(true_ups: Iterable[TrueUpDetail]) -> Iterable[TrueUpRow]:
    """Each plan true-up of the partner's deals, as the engine recorded it."""
    for t in true_ups:
        yield TrueUpRow(
            deal_id=t.deal_id,
            amount=t.amount,
            rate=t.rate,
            due=t.due,
            paid_before=t.paid_before,
            delta=t.delta,
        )


def milestone_row(
    detail: MilestoneDetail,
    decimals: int,
    shock: Decimal,
    settle: Callable[[Decimal], Decimal] = same_currency,
) -> MilestoneRow:
    """A milestone's figures in the program currency; what it pays and releases (its
    lines) in the settlement currency."""
    released = settle(detail.released_held) + settle(detail.released_deferred)
    paid = settle(detail.paid)
    return MilestoneRow(
        id=detail.milestone_id,
        metric=detail.metric,
        title=f"{detail.milestone_id} · {detail.metric.replace('_', ' ')}",
        phase=detail.phase_id,
        curve=detail.curve.value,
        recurrence=detail.recurrence.value,
        actual=detail.actual,
        floor=detail.floor,
        target=detail.target,
        cap=detail.cap,
        floor_payout=detail.floor_payout,
        target_payout=detail.target_payout,
        max_payout=detail.max_payout,
        payout=detail.payout,
        due=detail.due,
        paid=paid,
        held=detail.held,
        deferred=detail.deferred,
        not_paid=detail.not_paid,
        released=released,
        released_held=detail.released_held,
        released_deferred=detail.released_deferred,
        held_total=detail.held_after,
        deferred_total=detail.deferred_after,
        amount=paid + released,
        verified="Yes" if detail.verified or detail.computed_metric else "No",
        status=detail.status,
        why=milestone_why(detail, decimals, shock),
    )


def milestone_why(detail: MilestoneDetail, decimals: int, shock: Decimal) -> str:
    """Why a milestone pays what it pays, in one sentence for the statement."""

    def money(value: Decimal) -> str:
        """An amount of the milestone, in words."""
        return money_text(value, decimals)

    parts = []
    if not detail.computed:
        parts.append(detail.status or "not computed this period")
    elif detail.actual is None:
        parts.append("no value reported for the metric: nothing paid or accrued")
    else:
        parts.append(
            f"{detail.metric.replace('_', ' ')} {number_text(detail.actual)} "
            f"gives {money(detail.payout)} on the {detail.curve.value} curve"
        )
        if detail.retention_multiplier is not None:
            parts.append(f"retention guard ×{number_text(detail.retention_multiplier)}")
        if detail.accrued_before:
            parts.append(f"{money(detail.accrued_before)} accrued before, {money(detail.due)} due")
    if detail.held:
        reason = "disputed" if detail.disputed else "pending verification"
        parts.append(f"{money(detail.held)} held ({reason})")
    if detail.not_paid:
        parts.append(f"{money(detail.not_paid)} over the phase budget, not paid")
    if detail.deferred:
        parts.append(f"{money(detail.deferred)} deferred (shock factor {number_text(shock)})")
    if detail.released_held:
        parts.append(f"{money(detail.released_held)} held before is released")
    if detail.released_deferred:
        parts.append(f"{money(detail.released_deferred)} deferred before is released")
    if detail.held_after:
        parts.append(f"{money(detail.held_after)} held in all")
    if detail.deferred_after:
        parts.append(f"{money(detail.deferred_after)} deferred in all")
    text = "; ".join(parts)
    status = detail.status
    return f"{status.capitalize()}: {text}." if status and detail.computed else f"{text}."


def score_rows(context: CloseContext, partner_id: str) -> Iterable[ScoreRow]:
    """The partner's scorecard, one row per metric (a missing figure is "n/a")."""
    card = context.result.scorecards.scorecards.get(partner_id)
    for metric in card.metrics if card else ():
        yield ScoreRow(
            metric=metric.metric,
            label=key_figure_label(metric.metric),
            weight=metric.weight,
            worst=metric.worst,
            best=metric.best,
            value=metric.value if metric.value is not None else MISSING,
            score=metric.score if metric.score is not None else MISSING,
        )
