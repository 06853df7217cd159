"""What a partner statement shows, built from a close (pure), and the scalars and
labels every output shares (the close pack's fill is `close_pack_data.py`).

`statement_fill(context, partner_id)` turns a `CloseContext` into a `Fill`:
scalars by dotted name and tables of rows, the vocabulary of docs/templates.md.
Every number is a line or a sum of lines, or a figure of the engines' detail
records; nothing is recomputed here except display figures (a pool's reserve
cushion, rounded once through money.py).

Text from inputs (names, customers, descriptions, statuses) stays `str`, which
the engine always writes as literal text.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

from partnerclose import __version__
from partnerclose.close_context import CloseContext
from partnerclose.core.close import CloseResult, pool_of_item
from partnerclose.core.cost_model import PoolDetail, PoolParticipantDetail
from partnerclose.core.currency import SettlementRate
from partnerclose.core.key_figures import KEY_FIGURE_NAMES
from partnerclose.core.lines import SECTION_OF, Component, Line, Section, section_of
from partnerclose.core.milestones import MilestoneDetail
from partnerclose.core.money import ZERO, round_money
from partnerclose.core.payment import compact_account, due_date, statement_number
from partnerclose.core.period import Period
from partnerclose.core.records import Basis, Partner, Settings
from partnerclose.core.revenue_model import DealDetail, TrueUpDetail
from partnerclose.statements.currency import section_notes, settlement_scalars
from partnerclose.statements.explain import (
    FACTOR_PLACES,
    deal_text,
    explanation,
    money_text,
    number_text,
    percent_text,
    readable,
    reserve_text,
)
from partnerclose.statements.labels import key_figure_label
from partnerclose.statements.rows import (
    ComponentRow,
    DealRow,
    LineRow,
    MilestoneRow,
    PoolRow,
    ScoreRow,
    SectionRow,
    TrueUpRow,
)
from partnerclose.statements.values import Fill, Table, Value

PAYABLE = "Amount payable to you"
DUE = "Amount due from you"
MISSING = "n/a"  # a key figure that cannot be computed (K1: missing, not 0)

COMPONENT_LABELS: Mapping[Component, str] = {c: c.label for c in Component}
SECTION_LABELS: Mapping[Section, str] = {
    Section.COST_SHARING: "Cost sharing",
    Section.RESERVE_FUND: "Reserve fund",
    Section.REVENUE_SHARE: "Revenue share",
    Section.CO_MARKETING: "Co-marketing",
    Section.MILESTONES: "Milestones",
    Section.OTHER: "Other",
}
# P2/P3 (revision 2): the corrections section shows these components when the engine has them.
CORRECTIONS = frozenset(
    c for c in Component if c.value in ("adjustment", "prior_period_adjustment")
)
SECTION_COMPONENTS: Mapping[Section, tuple[Component, ...]] = {
    s: tuple(c for c in Component if SECTION_OF[c] is s) for s in Section
}
# Scalar prefixes of the sections: `cost_sharing.total`, `co_marketing.ytd`, ...
SECTION_KEYS: Mapping[Section, str] = {
    s: s.value.replace(" ", "_").replace("-", "_") for s in Section
}


_money_text = money_text  # the name milestone_why uses
_COMPONENT_VALUES = frozenset(c.value for c in Component)


def shown_rate(value: Decimal | None) -> Decimal | None:
    """A rate or factor in a cell of a statement: 4 decimals at most (outputs.md)."""
    return None if value is None else round_money(value, FACTOR_PLACES)


def period_label(period: Period) -> str:
    return f"{calendar.month_name[period.month]} {period.year}"


def _short_period(period: Period) -> str:
    return f"{calendar.month_abbr[period.month]} {period.year}"


def run_time(started_at: str) -> datetime:
    """The run's start as naive UTC (spreadsheets know no time zones)."""
    try:
        moment = datetime.fromisoformat(started_at)
    except ValueError:
        return datetime(1970, 1, 1)  # noqa: DTZ001 - naive UTC on purpose
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def common_scalars(context: CloseContext) -> dict[str, Value]:
    """Scalars every template can use."""
    settings = context.program.settings
    period = context.period
    fiscal = period.fiscal_year_start(settings.fiscal_year_start)
    started = run_time(context.started_at)
    return {
        "program.name": settings.program_name,
        "currency": settings.currency,  # a statement's: the partner's settlement currency
        "currency.decimals": settings.decimals,
        "currency.blank": "",  # in number formats without a code: their decimals follow it
        "program.currency": settings.currency,
        "program.decimals": settings.decimals,
        "period": str(period),
        "period.label": period_label(period),
        "period.start": period.first_day,
        "period.end": period.last_day,
        "ytd.start": fiscal.first_day,
        "ytd.label": f"{_short_period(fiscal)} – {_short_period(period)}",
        "produced": started.date(),
        "produced.time": started,
        "close.kind": "final" if context.final else "draft",
        "close.status": "FINAL" if context.final else "DRAFT",
        "close.note": (
            "Final: the period is closed."
            if context.final
            else "Draft: figures may change until the period is closed."
        ),
        "version": __version__,
    }


# --- the partner statement ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CloseIndex:
    """A close's details grouped by participant once, so that building each
    statement is linear in its own lines, not in the whole close's."""

    lines: Mapping[str, tuple[Line, ...]]
    pools: Mapping[str, tuple[tuple[PoolDetail, PoolParticipantDetail], ...]]
    deals: Mapping[str, tuple[DealDetail, ...]]
    true_ups: Mapping[str, tuple[TrueUpDetail, ...]]
    milestones: Mapping[str, tuple[MilestoneDetail, ...]]


def index_close(result: CloseResult) -> CloseIndex:
    lines: dict[str, list[Line]] = defaultdict(list)
    for line in result.lines:
        lines[line.partner_id].append(line)
    pools: dict[str, list[tuple[PoolDetail, PoolParticipantDetail]]] = defaultdict(list)
    for pool in result.costs.pools:
        for participant in pool.participants:
            pools[participant.partner_id].append((pool, participant))
    deals: dict[str, list[DealDetail]] = defaultdict(list)
    for deal in result.revenue.deals:
        deals[deal.partner_id].append(deal)
    true_ups: dict[str, list[TrueUpDetail]] = defaultdict(list)
    for true_up in result.revenue.true_ups:
        true_ups[true_up.partner_id].append(true_up)
    milestones: dict[str, list[MilestoneDetail]] = defaultdict(list)
    for detail in result.milestones.details:
        milestones[detail.partner_id].append(detail)
    return CloseIndex(
        lines={k: tuple(v) for k, v in lines.items()},
        pools={k: tuple(v) for k, v in pools.items()},
        deals={k: tuple(v) for k, v in deals.items()},
        true_ups={k: tuple(v) for k, v in true_ups.items()},
        milestones={k: tuple(v) for k, v in milestones.items()},
    )


def statement_fill(context: CloseContext, partner_id: str, index: CloseIndex | None = None) -> Fill:
    """Everything `templates/statement.xlsx` can show for one partner.

    Pass the `index` of the close when building many statements.
    """
    program = context.program
    index = index or index_close(context.result)
    decimals = program.settings.decimals
    partner = next((p for p in program.partners if p.partner_id == partner_id), None)
    lines = index.lines.get(partner_id, ())
    pool_names = {pool.pool_id: pool.name for pool in program.pools}
    # X2: a partner in another currency sees every line, total and balance in it;
    # the tables of the rules' inputs (pools, deals, milestones) keep the program's.
    rate = context.result.settlement_of(partner_id)
    foreign = rate is not None and rate.currency != program.settings.currency
    settle = rate.settle if rate is not None and foreign else _same
    amounts = [settle(line.amount) for line in lines]
    if foreign:
        ytd_before = context.ytd_before_settled.get(partner_id, {})
        last = context.last_period_settled.get(partner_id, {})
    else:
        ytd_before = context.ytd_before.get(partner_id, {})
        last = context.last_period.get(partner_id, {})
    net = sum(amounts, ZERO)
    net_ytd = net + sum(ytd_before.values(), ZERO)
    scalars = common_scalars(context)
    scalars.update(_partner_scalars(partner, partner_id))
    scalars.update(_submission_scalars(context, partner_id))
    scalars.update(settlement_scalars(context.result, partner_id, program.settings.currency))
    if rate is not None and foreign:
        scalars["currency"] = rate.currency
        scalars["currency.decimals"] = rate.decimals
    net_last = sum(last.values(), ZERO)
    scalars.update(
        _payment_scalars(context, partner, partner_id, net, context.result.net(partner_id), scalars)
    )
    scalars.update(
        {
            "net.last_period": net_last,
            "net.change": net - net_last,
            "last_period.label": period_label(context.period.shift(-1)),
        }
    )
    scalars.update(
        {
            "net.amount": abs(net),
            "net.signed": net,
            "net.label": DUE if net < 0 else PAYABLE,
            "net.ytd": net_ytd,
            "net.lines": len(lines),
        }
    )
    by_component: dict[Component, list[Decimal]] = defaultdict(list)
    for line, amount in zip(lines, amounts, strict=True):
        by_component[line.component].append(amount)
    totals = {c: sum(mine, ZERO) for c, mine in by_component.items()}
    sections: list[SectionRow] = []
    ytd_of: dict[Section, Decimal] = {}
    for section in Section:
        # P2: adjustments too
        mine = [a for line, a in zip(lines, amounts, strict=True) if section_of(line) is section]
        count = len(mine)
        total = sum(mine, ZERO)
        program_total = sum((x.amount for x in lines if section_of(x) is section), ZERO)
        before = sum((a for c, a in ytd_before.items() if SECTION_OF[c] is section), ZERO)
        last_total = sum((a for c, a in last.items() if SECTION_OF[c] is section), ZERO)
        key = SECTION_KEYS[section]
        ytd_of[section] = before + total
        scalars.update(
            {
                f"{key}.total": total,
                f"{key}.ytd_before": before,
                f"{key}.ytd": before + total,
                f"{key}.lines": count,
                f"{key}.last_period": last_total,
                f"{key}.change": total - last_total,
                f"{key}.note": (
                    section_note(program_total, rate, program.settings)
                    if rate is not None and foreign and count
                    else ""
                ),
            }
        )
        sections.append(
            SectionRow(
                key=key,
                name=SECTION_LABELS[section],
                total=total,
                ytd_before=before,
                ytd=before + total,
                lines=count,
                last_period=last_total,
                change=total - last_total,
            )
        )
    scalars["settlement.sections"] = section_notes(
        context.result,
        partner_id,
        program.settings.currency,
        [
            (
                SECTION_LABELS[section],
                [line.amount for line in lines if section_of(line) is section],
            )
            for section in Section
        ],
    )
    # The summary's last row: milestones and the adjustments of sections milestones and
    # other (rules.md P2), which the Corrections section lists.
    both = (SECTION_KEYS[Section.MILESTONES], SECTION_KEYS[Section.OTHER])
    for field_name in ("total", "last_period", "change", "ytd"):
        scalars[f"milestones_and_other.{field_name}"] = sum(
            (cast(Decimal, scalars[f"{key}.{field_name}"]) for key in both), ZERO
        )
    components = [
        ComponentRow(
            key=component.value,
            name=COMPONENT_LABELS[component],
            section=SECTION_LABELS[SECTION_OF[component]],
            total=totals.get(component, ZERO),
            ytd_before=ytd_before.get(component, ZERO),
            ytd=ytd_before.get(component, ZERO) + totals.get(component, ZERO),
        )
        for component in Component
        if component in by_component or component in ytd_before
    ]
    my_pools = index.pools.get(partner_id, ())
    by_pool = {pool.pool_id: (pool, me) for pool, me in my_pools}
    deals = {deal.deal_id: deal for deal in index.deals.get(partner_id, ())}

    def explain(line: Line) -> str:
        if line.component is Component.RESERVE_CONTRIBUTION:
            fixed = program.settings.reserve_fixed_contribution
            return reserve_text(line, my_pools, fixed, decimals)
        if line.component is Component.REVENUE_SHARE and line.item in deals:
            return deal_text(deals[line.item], decimals)
        return explanation(line, by_pool.get(pool_of_item(line.item)), decimals)

    def line_key(line: Line) -> tuple[str, str]:
        return line.partner_id, line.item

    all_lines = Table.of_rows(
        "line",
        LineRow,
        (
            _line_row(
                x, a, pool_names, explain(x), decimals, context.restated_amounts.get(line_key(x))
            )
            for x, a in zip(lines, amounts, strict=True)
        ),
    )

    def section_lines(section: Section, *components: Component) -> Table:
        """The rows of `all_lines` (built once) of a section, or of some of its components."""
        chosen = tuple(
            row
            for row, line in zip(all_lines.rows, lines, strict=True)
            if section_of(line) is section and (not components or line.component in components)
        )
        return Table(all_lines.item, all_lines.fields, chosen)

    scalars.update(_detail_notes(program.settings.currency, rate.currency if rate else "", foreign))
    scalars.update(_reserve_scalars(context, partner_id))
    scalars.update(_revenue_scalars(context, partner_id, partner))
    scalars.update(_key_figure_scalars(context, partner_id))
    scalars.update(_scorecard_scalars(context, partner_id))
    tables = {
        "sections": Table.of_rows("section", SectionRow, sections),
        "components": Table.of_rows("component", ComponentRow, components),
        "lines": all_lines,
        "pools": Table.of_rows(
            "pool", PoolRow, _pool_rows(index, partner_id, decimals, lines, settle)
        ),
        "cost_lines": section_lines(Section.COST_SHARING),
        "reserve_lines": section_lines(Section.RESERVE_FUND),
        "revenue_lines": section_lines(Section.REVENUE_SHARE),
        "revenue_adjustments": section_lines(
            Section.REVENUE_SHARE,
            Component.TRUE_UP,
            Component.CLAWBACK,
            Component.REVENUE_CAP,
            Component.ADJUSTMENT,
        ),
        "mdf_lines": section_lines(Section.CO_MARKETING),
        "corrections": Table(
            all_lines.item,
            all_lines.fields,
            tuple(
                row
                for row, line in zip(all_lines.rows, lines, strict=True)
                if line.component in CORRECTIONS
                # an adjustment of another section is listed in that section's table
                and section_of(line) in (Section.MILESTONES, Section.OTHER)
            ),
        ),
        "milestone_lines": section_lines(Section.MILESTONES),
        "deals": Table.of_rows("deal", DealRow, _deal_rows(index, partner_id, decimals, settle)),
        "true_ups": Table.of_rows(
            "true_up",
            TrueUpRow,
            (
                TrueUpRow(
                    deal_id=t.deal_id,
                    amount=t.amount,
                    rate=t.rate,
                    due=t.due,
                    paid_before=t.paid_before,
                    delta=t.delta,
                )
                for t in index.true_ups.get(partner_id, ())
            ),
        ),
        "milestones": Table.of_rows(
            "milestone",
            MilestoneRow,
            (
                _milestone_row(d, decimals, program.settings.shock_factor, settle)
                for d in index.milestones.get(partner_id, ())
            ),
        ),
        "scorecard": Table.of_rows("metric", ScoreRow, _score_rows(context, partner_id)),
    }
    return Fill(scalars, tables)


def masked_account(account: str) -> str:
    """A bank account as a statement shows it: its last 4 characters ("ending 4321")."""
    plain = compact_account(account)
    return f"ending {plain[-4:]}" if plain else ""


def _payment_scalars(
    context: CloseContext,
    partner: Partner | None,
    partner_id: str,
    net: Decimal,
    own: Decimal,
    scalars: Mapping[str, Value],
) -> dict[str, Value]:
    """The payment block: the statement's number and version, the due date, what is
    paid or due in words (`net`, in the settlement currency), where to pay and whom
    to ask; and a revision's note (`own`, the net in the program currency, as the
    ledger keeps the replaced statement's)."""
    settings = context.program.settings
    version = context.statement_version
    number = statement_number(partner_id, context.period, version)
    due = due_date(context.period, settings.payment_terms_days)
    currency = str(scalars["currency"])
    amount = f"{currency} {money_text(abs(net), int(str(scalars['currency.decimals'])))}"
    decimals = settings.decimals
    by = f" by {due.day} {calendar.month_name[due.month]} {due.year}" if due else ""
    account = masked_account(partner.bank_account if partner else "")
    if net > 0:
        where = f"your account {account}" if account else "your account on file"
        text = f"We will pay {amount} to {where}{by}."
    elif net < 0:
        to = f" to {settings.remit_to}" if settings.remit_to else ""
        text = f"Please pay {amount}{to}{by}, quoting {number}."
    else:
        text = "Nothing is paid or due for this period."
    revision = ""
    replaced = context.replaced_nets.get(partner_id)
    if version > 1:
        before = replaced if replaced is not None else ZERO
        change = own - before
        revision = (
            f"Revised statement: replaces "
            f"{statement_number(partner_id, context.period, version - 1)}. "
            f"Net then {settings.currency} {money_text(before, decimals)}, now "
            f"{settings.currency} {money_text(own, decimals)}: change "
            f"{'+' if change > 0 else ''}{money_text(change, decimals)}."
        )
    return {
        "statement.number": number,
        "statement.version": version,
        "statement.revision": revision,
        "payment.due_date": due,
        "payment.text": text,
        "payment.account": account,
        "payment.remit_to": settings.remit_to if net < 0 else "",
        "payment.remit_label": "Pay to" if net < 0 and settings.remit_to else "",
        "payment.contact": (
            f"Questions about this statement: {settings.contact}" if settings.contact else ""
        ),
    }


def _partner_scalars(partner: Partner | None, partner_id: str) -> dict[str, Value]:
    return {
        "partner.id": partner_id,
        "partner.name": partner.name if partner else partner_id,
        "partner.email": partner.email if partner else "",
        "partner.plan": partner.plan if partner else "",
        "partner.status": partner.status.value if partner else "",
        "partner.exit_date": partner.exit_date if partner else None,
    }


def no_data_note(period: Period) -> str:
    return f"We received no data from you for {period_label(period)}."


def _submission_scalars(context: CloseContext, partner_id: str) -> dict[str, Value]:
    """Whether the partner sent data for the period, in words when it did not."""
    missing = partner_id in context.result.without_data
    return {
        "submission.received": "no" if missing else "yes",
        "submission.note": no_data_note(context.period) if missing else "",
    }


def _same(amount: Decimal) -> Decimal:
    """A line's amount for a partner in the program currency: itself."""
    return amount


def section_note(total: Decimal, rate: SettlementRate, settings: Settings) -> str:
    """A section's amount in the program currency and the rate, for a partner that
    settles in another currency (outputs.md: "a note per section", X2)."""
    code = settings.currency
    return (
        f"  ·  {code} {money_text(total, settings.decimals)} at "
        f"{rate.rate.normalize():f} {code} per {rate.currency}"
    )


def _detail_notes(program_currency: str, settlement: str, foreign: bool) -> dict[str, Value]:
    """For a partner in another currency: which amounts of the detail tables are in
    which currency; empty otherwise, so one-currency statements read as before."""
    if not foreign:
        return {
            "pools.currency_note": "",
            "deals.currency_note": "",
            "milestones.currency_note": "",
            "reserve.currency_note": "",
        }
    return {
        "pools.currency_note": f" (in {settlement})",
        "deals.currency_note": (
            f" (deal and bracket amounts in {program_currency}; revenue share in {settlement})"
        ),
        "milestones.currency_note": (
            f" (payout and held in {program_currency}; released and paid in {settlement})"
        ),
        "reserve.currency_note": f" (in {program_currency}, the program currency)",
    }


def _line_row(
    line: Line,
    amount: Decimal,
    pool_names: Mapping[str, str],
    explained: str,
    decimals: int,
    restated: tuple[Decimal, Decimal] | None = None,
) -> LineRow:
    credit = line.component is Component.IN_KIND_CREDIT
    corrected = restated if line.component is Component.PRIOR_PERIOD_ADJUSTMENT else None
    return LineRow(
        component=line.component.value,
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


def _pool_rows(
    index: CloseIndex,
    partner_id: str,
    decimals: int,
    lines: Iterable[Line] = (),
    settle: Callable[[Decimal], Decimal] = _same,
) -> Iterable[PoolRow]:
    """The partner's part of each pool; its cost and guardrail the sums of its lines
    of the pool in the settlement currency (so the net cost adds up on the page)."""
    settled: dict[tuple[str, Component], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.component in (Component.COST_SHARE, Component.GUARDRAIL):
            settled[pool_of_item(line.item), line.component] += settle(line.amount)
    for pool, me in index.pools.get(partner_id, ()):
        share = me.allocation / pool.allocable if pool.allocable else ZERO
        if settle is _same:
            cost, guardrail = -me.allocation, me.guardrail
        else:
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


def _deal_rows(
    index: CloseIndex,
    partner_id: str,
    decimals: int,
    settle: Callable[[Decimal], Decimal] = _same,
) -> Iterable[DealRow]:
    """Each deal, and below a deal that spans brackets one row per bracket (its
    range of the year's volume, rate with the product bonus, and amount)."""
    for deal in index.deals.get(partner_id, ()):
        spans = len(deal.parts) > 1
        yield DealRow(
            kind="deal",
            id=deal.deal_id,
            customer=deal.customer,
            product=deal.product,
            close_date=deal.close_date,
            type=deal.paid_type.value,
            reported_type=deal.reported_type.value,
            registered="Yes" if deal.registered else "No",
            amount=deal.amount,
            rate=None if spans else shown_rate(deal.rate),
            bonus_rate=deal.bonus_rate,
            bracket_share=None,
            share=settle(deal.share),  # the deal's line, in the settlement currency
            status=readable(deal.status, decimals),
            explanation=deal_text(deal, decimals),
        )
        if not spans:
            continue
        for part in deal.parts:
            rate = part.rate + deal.bonus_rate
            bonus = f" + {percent_text(deal.bonus_rate)} bonus" if deal.bonus_rate else ""
            yield DealRow(
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


def _milestone_row(
    detail: MilestoneDetail,
    decimals: int,
    shock: Decimal,
    settle: Callable[[Decimal], Decimal] = _same,
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
        return _money_text(value, decimals)

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


def _reserve_scalars(context: CloseContext, partner_id: str) -> dict[str, Value]:
    costs = context.result.costs
    movement = costs.reserve
    account = next((a for a in costs.accounts if a.partner_id == partner_id), None)
    to_date = costs.contributions_to_date.get(partner_id, ZERO)
    everyone = sum(costs.contributions_to_date.values(), ZERO)
    return {
        "reserve.opening": movement.opening,
        "reserve.draws": movement.draws,
        "reserve.contributions": movement.contributions,
        "reserve.refunds": movement.refunds,
        "reserve.closing": movement.closing,
        "reserve.cap": movement.cap,
        "reserve.your_contribution": account.contribution if account else ZERO,
        "reserve.your_refund": account.refund if account else ZERO,
        "reserve.your_contributions": to_date,
        "reserve.equity": costs.equity.get(partner_id, ZERO),
        "reserve.equity_share": shown_rate(to_date / everyone) if everyone else ZERO,
    }


def _revenue_scalars(
    context: CloseContext, partner_id: str, partner: Partner | None
) -> dict[str, Value]:
    revenue = context.result.revenue.partners.get(partner_id)
    plan = next((p for p in context.program.plans if partner and p.plan == partner.plan), None)
    return {
        "revenue.plan": revenue.plan if revenue else (partner.plan if partner else ""),
        "revenue.mode": revenue.mode.value if revenue else (plan.mode.value if plan else ""),
        "revenue.ytd_volume_before": revenue.ytd_before if revenue else None,
        "revenue.ytd_volume_after": revenue.ytd_after if revenue else None,
        "revenue.period_cap": plan.period_cap if plan and plan.period_cap is not None else "none",
        "revenue.gross_profit": revenue.gross_profit if revenue else None,
        "revenue.margin_share": revenue.margin_share if revenue else None,
        "co_marketing.cofund_pct": plan.mdf_cofund_pct if plan else None,
        "co_marketing.period_cap": (
            plan.mdf_period_cap if plan and plan.mdf_period_cap is not None else "none"
        ),
    }


def _key_figure_scalars(context: CloseContext, partner_id: str) -> dict[str, Value]:
    figures = context.result.key_figures.get(partner_id, {})
    shown = {
        name: shown_rate(value) if isinstance(value, Decimal) else value
        for name, value in figures.items()
    }
    return {f"kpi.{name}": shown.get(name, MISSING) for name in KEY_FIGURE_NAMES}


def _scorecard_scalars(context: CloseContext, partner_id: str) -> dict[str, Value]:
    card = context.result.scorecards.scorecards.get(partner_id)
    if card is None:
        return {"scorecard.score": MISSING, "scorecard.flags": "", "scorecard.missing": ""}
    return {
        "scorecard.score": card.score if card.score is not None else MISSING,
        "scorecard.flags": ", ".join(card.flags) if card.flags else "none",
        "scorecard.missing": ", ".join(card.missing),
    }


def _score_rows(context: CloseContext, partner_id: str) -> Iterable[ScoreRow]:
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
