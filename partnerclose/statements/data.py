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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import cast

from partnerclose import __version__
from partnerclose.close_context import CloseContext
from partnerclose.core.close import CloseResult, pool_of_item
from partnerclose.core.cost_model import PoolDetail, PoolParticipantDetail
from partnerclose.core.cost_reserve import ReserveMovement
from partnerclose.core.currency import SettlementRate
from partnerclose.core.key_figures import KEY_FIGURE_NAMES
from partnerclose.core.lines import SECTION_OF, Component, Line, Section, section_of
from partnerclose.core.milestones import MilestoneDetail
from partnerclose.core.money import ZERO
from partnerclose.core.period import Period
from partnerclose.core.records import Partner, Settings
from partnerclose.core.revenue_model import DealDetail, TrueUpDetail
from partnerclose.reading.parquet_values import lines_file
from partnerclose.statements.currency import section_notes, settlement_scalars
from partnerclose.statements.detail_rows import (
    COMPONENT_LABELS,
    MISSING,
    line_row,
    listed_deal_rows,
    milestone_row,
    pool_rows,
    same_currency,
    score_rows,
    shown_rate,
    true_up_rows,
)
from partnerclose.statements.explain import (
    deal_text,
    explanation,
    money_text,
    number_text,
    reserve_text,
)
from partnerclose.statements.payment_block import masked_account, payment_scalars
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

# COMPONENT_LABELS, MISSING (detail_rows.py), masked_account (payment_block.py) and
# number_text (explain.py) are re-exported: the close pack, template_api and tests
# import them from here.
__all__ = [
    "COMPONENT_LABELS",
    "CORRECTIONS",
    "DUE",
    "MISSING",
    "PAYABLE",
    "SECTION_COMPONENTS",
    "SECTION_KEYS",
    "SECTION_LABELS",
    "CloseIndex",
    "common_scalars",
    "index_close",
    "masked_account",
    "no_data_note",
    "number_text",
    "period_label",
    "reserve_movement_scalars",
    "run_time",
    "section_note",
    "statement_fill",
]

PAYABLE = "Amount payable to you"
DUE = "Amount due from you"

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


def period_label(period: Period) -> str:
    """A period as a statement names it: "October 2026"."""
    return f"{calendar.month_name[period.month]} {period.year}"


def _short_period(period: Period) -> str:
    """A period in short: "Oct 2026"."""
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
    """The close's lines and details grouped by participant (see `CloseIndex`)."""
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


@dataclass(frozen=True, slots=True)
class _Settled:
    """A partner's lines with their amounts in the statement's currency, and its year
    to date before the period and last period's totals by component in that currency."""

    lines: tuple[Line, ...]
    amounts: tuple[Decimal, ...]
    rate: SettlementRate | None
    foreign: bool  # the partner settles in another currency than the program's
    settle: Callable[[Decimal], Decimal]
    ytd_before: Mapping[Component, Decimal]
    last: Mapping[Component, Decimal]
    sections: tuple[Section, ...]  # of each line (`section_of`), worked out once


def statement_fill(context: CloseContext, partner_id: str, index: CloseIndex | None = None) -> Fill:
    """Everything `templates/statement.xlsx` can show for one partner.

    Pass the `index` of the close when building many statements.
    """
    index = index or index_close(context.result)
    partner = next((p for p in context.program.partners if p.partner_id == partner_id), None)
    settled = _statement_currency(context, partner_id, index.lines.get(partner_id, ()))
    scalars = _summary_scalars(context, partner, partner_id, settled)
    sections, section_scalars = _sections(context, partner_id, settled)
    scalars.update(section_scalars)
    scalars.update(_detail_scalars(context, partner, partner_id, settled))
    return Fill(scalars, _tables(context, partner_id, index, settled, sections))


def _statement_currency(
    context: CloseContext, partner_id: str, lines: tuple[Line, ...]
) -> _Settled:
    """The currency of the statement and the partner's amounts in it."""
    # X2: a partner in another currency sees every line, total and balance in it;
    # the tables of the rules' inputs (pools, deals, milestones) keep the program's.
    rate = context.result.settlement_of(partner_id)
    foreign = rate is not None and rate.currency != context.program.settings.currency
    settle = rate.settle if rate is not None and foreign else same_currency
    if foreign:
        ytd_before = context.ytd_before_settled.get(partner_id, {})
        last = context.last_period_settled.get(partner_id, {})
    else:
        ytd_before = context.ytd_before.get(partner_id, {})
        last = context.last_period.get(partner_id, {})
    amounts = tuple(settle(line.amount) for line in lines)
    sections = tuple(map(section_of, lines))
    return _Settled(lines, amounts, rate, foreign, settle, ytd_before, last, sections)


def _summary_scalars(
    context: CloseContext, partner: Partner | None, partner_id: str, settled: _Settled
) -> dict[str, Value]:
    """The statement's header, currency, payment block and net, by dotted name."""
    program_currency = context.program.settings.currency
    net = sum(settled.amounts, ZERO)
    scalars = common_scalars(context)
    scalars.update(_partner_scalars(partner, partner_id))
    scalars.update(_submission_scalars(context, partner_id))
    scalars.update(settlement_scalars(context.result, partner_id, program_currency))
    if settled.rate is not None and settled.foreign:
        scalars["currency"] = settled.rate.currency
        scalars["currency.decimals"] = settled.rate.decimals
    scalars.update(
        payment_scalars(context, partner, partner_id, net, context.result.net(partner_id), scalars)
    )
    scalars.update(_net_scalars(context, settled, net))
    return scalars


def _net_scalars(context: CloseContext, settled: _Settled, net: Decimal) -> dict[str, Value]:
    """The net of the period (in words and signed), last period's and the year's."""
    net_last = sum(settled.last.values(), ZERO)
    return {
        "net.last_period": net_last,
        "net.change": net - net_last,
        "last_period.label": period_label(context.period.shift(-1)),
        "net.amount": abs(net),
        "net.signed": net,
        "net.label": DUE if net < 0 else PAYABLE,
        "net.ytd": net + sum(settled.ytd_before.values(), ZERO),
        "net.lines": len(settled.lines),
    }


def _sections(
    context: CloseContext, partner_id: str, settled: _Settled
) -> tuple[list[SectionRow], dict[str, Value]]:
    """The summary's rows, one per section, and the sections' scalars."""
    settings = context.program.settings
    rows: list[SectionRow] = []
    scalars: dict[str, Value] = {}
    for section in Section:
        row, figures = _section(section, settled, settings)
        rows.append(row)
        scalars.update(figures)
    scalars["settlement.sections"] = section_notes(
        context.result,
        partner_id,
        settings.currency,
        [
            (
                SECTION_LABELS[section],
                [
                    line.amount
                    for line, of in zip(settled.lines, settled.sections, strict=True)
                    if of is section
                ],
            )
            for section in Section
        ],
    )
    scalars.update(_milestones_and_other(scalars))
    return rows, scalars


def _section(
    section: Section, settled: _Settled, settings: Settings
) -> tuple[SectionRow, dict[str, Value]]:
    """A section's row of the summary and its scalars (`cost_sharing.total`, ...)."""
    lines, rate = settled.lines, settled.rate
    # P2: adjustments too
    mine = [a for a, of in zip(settled.amounts, settled.sections, strict=True) if of is section]
    count = len(mine)
    total = sum(mine, ZERO)
    program_total = sum(
        (x.amount for x, of in zip(lines, settled.sections, strict=True) if of is section), ZERO
    )
    before = sum((a for c, a in settled.ytd_before.items() if SECTION_OF[c] is section), ZERO)
    last_total = sum((a for c, a in settled.last.items() if SECTION_OF[c] is section), ZERO)
    key = SECTION_KEYS[section]
    scalars: dict[str, Value] = {
        f"{key}.total": total,
        f"{key}.ytd_before": before,
        f"{key}.ytd": before + total,
        f"{key}.lines": count,
        f"{key}.last_period": last_total,
        f"{key}.change": total - last_total,
        f"{key}.note": (
            section_note(program_total, rate, settings)
            if rate is not None and settled.foreign and count
            else ""
        ),
    }
    row = SectionRow(
        key=key,
        name=SECTION_LABELS[section],
        total=total,
        ytd_before=before,
        ytd=before + total,
        lines=count,
        last_period=last_total,
        change=total - last_total,
    )
    return row, scalars


def _milestones_and_other(scalars: Mapping[str, Value]) -> dict[str, Value]:
    """The summary's last row, the sum of sections milestones and other."""
    # The summary's last row: milestones and the adjustments of sections milestones and
    # other (rules.md P2), which the Corrections section lists.
    both = (SECTION_KEYS[Section.MILESTONES], SECTION_KEYS[Section.OTHER])
    return {
        f"milestones_and_other.{field_name}": sum(
            (cast(Decimal, scalars[f"{key}.{field_name}"]) for key in both), ZERO
        )
        for field_name in ("total", "last_period", "change", "ytd")
    }


def _detail_scalars(
    context: CloseContext, partner: Partner | None, partner_id: str, settled: _Settled
) -> dict[str, Value]:
    """The scalars of the detail sections: currency notes, reserve, revenue, key figures."""
    settlement = settled.rate.currency if settled.rate else ""
    scalars = _detail_notes(context.program.settings.currency, settlement, settled.foreign)
    scalars.update(_reserve_scalars(context, partner_id))
    scalars.update(_revenue_scalars(context, partner_id, partner))
    scalars.update(_key_figure_scalars(context, partner_id))
    scalars.update(_scorecard_scalars(context, partner_id))
    return scalars


def _component_rows(settled: _Settled) -> list[ComponentRow]:
    """The partner's total of each component it has this period or this year."""
    by_component: dict[Component, list[Decimal]] = defaultdict(list)
    for line, amount in zip(settled.lines, settled.amounts, strict=True):
        by_component[line.component].append(amount)
    totals = {c: sum(mine, ZERO) for c, mine in by_component.items()}
    ytd_before = settled.ytd_before
    return [
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


def _tables(
    context: CloseContext,
    partner_id: str,
    index: CloseIndex,
    settled: _Settled,
    sections: list[SectionRow],
) -> dict[str, Table]:
    """The statement's tables by name: the summary's, the lines' and the details'."""
    decimals = context.program.settings.decimals
    lines, settle = settled.lines, settled.settle
    my_deals = index.deals.get(partner_id, ())
    # Each deal's sentence is shown twice (its line and its row): made once.
    deal_texts = {deal.deal_id: deal_text(deal, decimals) for deal in my_deals}
    all_lines = _line_table(context, partner_id, index, settled, deal_texts)

    def section_lines(section: Section, *components: Component) -> Table:
        """The rows of `all_lines` (built once) of a section, or of some of its components."""
        return _section_lines(all_lines, settled, section, components)

    my_pools = index.pools.get(partner_id, ())
    shock = context.program.settings.shock_factor
    return {
        "sections": Table.of_rows("section", SectionRow, sections),
        "components": Table.of_rows("component", ComponentRow, _component_rows(settled)),
        "lines": all_lines,
        "pools": Table.of_rows("pool", PoolRow, pool_rows(my_pools, decimals, lines, settle)),
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
        "corrections": _corrections(all_lines, settled),
        "milestone_lines": section_lines(Section.MILESTONES),
        "deals": Table.of_values(
            "deal",
            DealRow,
            listed_deal_rows(
                my_deals,
                deal_texts,
                decimals,
                settle,
                context.program.settings.statement_deal_limit,
                _lines_file(context, partner_id),
            ),
        ),
        "true_ups": Table.of_rows(
            "true_up", TrueUpRow, true_up_rows(index.true_ups.get(partner_id, ()))
        ),
        "milestones": Table.of_rows(
            "milestone",
            MilestoneRow,
            (
                milestone_row(d, decimals, shock, settle)
                for d in index.milestones.get(partner_id, ())
            ),
        ),
        "scorecard": Table.of_rows("metric", ScoreRow, score_rows(context, partner_id)),
    }


def _lines_file(context: CloseContext, partner_id: str) -> str:
    """Where the close's lines of the partner are, relative to its output folder."""
    if context.lines_format == "parquet":
        return lines_file(partner_id, len(context.result.participants))
    return "lines.csv"


def _line_table(
    context: CloseContext,
    partner_id: str,
    index: CloseIndex,
    settled: _Settled,
    deal_texts: Mapping[str, str],
) -> Table:
    """Every line of the partner, explained, in the statement's currency."""
    program = context.program
    decimals = program.settings.decimals
    pool_names = {pool.pool_id: pool.name for pool in program.pools}
    explain = _explainer(context, partner_id, index, deal_texts)
    restated = context.restated_amounts
    return Table.of_values(
        "line",
        LineRow,
        (
            line_row(
                x,
                a,
                pool_names,
                explain(x),
                decimals,
                restated.get(_line_key(x)) if restated else None,  # most closes restate none
            )
            for x, a in zip(settled.lines, settled.amounts, strict=True)
        ),
    )


def _line_key(line: Line) -> tuple[str, str]:
    """A line's key in the close's restated amounts."""
    return line.partner_id, line.item


def _explainer(
    context: CloseContext, partner_id: str, index: CloseIndex, deal_texts: Mapping[str, str]
) -> Callable[[Line], str]:
    """The sentence that explains a line of the partner, from the engines' details
    (`deal_texts`: each of its deals' sentence, by deal id)."""
    settings = context.program.settings
    decimals = settings.decimals
    my_pools = index.pools.get(partner_id, ())
    by_pool = {pool.pool_id: (pool, me) for pool, me in my_pools}

    def explain(line: Line) -> str:
        """Why a line comes to its amount."""
        if line.component is Component.RESERVE_CONTRIBUTION:
            fixed = settings.reserve_fixed_contribution
            return reserve_text(line, my_pools, fixed, decimals)
        if line.component is Component.REVENUE_SHARE and line.item in deal_texts:
            return deal_texts[line.item]
        return explanation(line, by_pool.get(pool_of_item(line.item)), decimals)

    return explain


def _section_lines(
    all_lines: Table, settled: _Settled, section: Section, components: tuple[Component, ...]
) -> Table:
    """The rows of `all_lines` of a section, or of some of its components."""
    chosen = tuple(
        row
        for row, line, of in zip(all_lines.rows, settled.lines, settled.sections, strict=True)
        if of is section and (not components or line.component in components)
    )
    return Table(all_lines.item, all_lines.fields, chosen)


def _corrections(all_lines: Table, settled: _Settled) -> Table:
    """The corrections section: the adjustments of sections milestones and other."""
    return Table(
        all_lines.item,
        all_lines.fields,
        tuple(
            row
            for row, line, of in zip(all_lines.rows, settled.lines, settled.sections, strict=True)
            if line.component in CORRECTIONS
            # an adjustment of another section is listed in that section's table
            and of in (Section.MILESTONES, Section.OTHER)
        ),
    )


def _partner_scalars(partner: Partner | None, partner_id: str) -> dict[str, Value]:
    """The partner's name, contact, plan and status."""
    return {
        "partner.id": partner_id,
        "partner.name": partner.name if partner else partner_id,
        "partner.email": partner.email if partner else "",
        "partner.plan": partner.plan if partner else "",
        "partner.status": partner.status.value if partner else "",
        "partner.exit_date": partner.exit_date if partner else None,
    }


def no_data_note(period: Period) -> str:
    """The notice of a statement whose partner sent no data for the period."""
    return f"We received no data from you for {period_label(period)}."


def _submission_scalars(context: CloseContext, partner_id: str) -> dict[str, Value]:
    """Whether the partner sent data for the period, in words when it did not."""
    missing = partner_id in context.result.without_data
    return {
        "submission.received": "no" if missing else "yes",
        "submission.note": no_data_note(context.period) if missing else "",
    }


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


def reserve_movement_scalars(movement: ReserveMovement) -> dict[str, Value]:
    """The reserve fund's movement this period (C5, C8, C9), as statements and the close
    pack show it."""
    return {
        "reserve.opening": movement.opening,
        "reserve.draws": movement.draws,
        "reserve.contributions": movement.contributions,
        "reserve.refunds": movement.refunds,
        "reserve.closing": movement.closing,
        "reserve.cap": movement.cap,
    }


def _reserve_scalars(context: CloseContext, partner_id: str) -> dict[str, Value]:
    """The reserve fund's movement this period and the partner's part of it."""
    costs = context.result.costs
    movement = costs.reserve
    account = next((a for a in costs.accounts if a.partner_id == partner_id), None)
    to_date = costs.contributions_to_date.get(partner_id, ZERO)
    everyone = sum(costs.contributions_to_date.values(), ZERO)
    return {
        **reserve_movement_scalars(movement),
        "reserve.your_contribution": account.contribution if account else ZERO,
        "reserve.your_refund": account.refund if account else ZERO,
        "reserve.your_contributions": to_date,
        "reserve.equity": costs.equity.get(partner_id, ZERO),
        "reserve.equity_share": shown_rate(to_date / everyone) if everyone else ZERO,
    }


def _revenue_scalars(
    context: CloseContext, partner_id: str, partner: Partner | None
) -> dict[str, Value]:
    """The partner's revenue-share plan, mode, volumes and caps."""
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
    """The partner's key figures (K1), "n/a" for one that cannot be computed."""
    figures = context.result.key_figures.get(partner_id, {})
    shown = {
        name: shown_rate(value) if isinstance(value, Decimal) else value
        for name, value in figures.items()
    }
    return {f"kpi.{name}": shown.get(name, MISSING) for name in KEY_FIGURE_NAMES}


def _scorecard_scalars(context: CloseContext, partner_id: str) -> dict[str, Value]:
    """The partner's overall score (S1), its flags and the metrics not scored."""
    card = context.result.scorecards.scorecards.get(partner_id)
    if card is None:
        return {"scorecard.score": MISSING, "scorecard.flags": "", "scorecard.missing": ""}
    return {
        "scorecard.score": card.score if card.score is not None else MISSING,
        "scorecard.flags": ", ".join(card.flags) if card.flags else "none",
        "scorecard.missing": ", ".join(card.missing),
    }
