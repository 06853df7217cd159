"""The Review view's tables (pure: a result in, display tables out).

Summary, a partner's lines, sections, milestones, key figures and scorecard, pools and reserve.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from desktop.presenters.formatting import (
    component_header,
    component_label,
    money,
    number,
    participant_label,
)
from desktop.presenters.table import (
    Align,
    Cell,
    Column,
    DisplayTable,
    Row,
    Tone,
    money_cell,
    number_cell,
    percent_cell,
    text_cell,
)
from partnerclose.api import (
    HOST,
    SECTION_OF,
    CloseResult,
    Component,
    Section,
    key_figure_label,
    section_of,
)

# How each K1 figure reads: an amount, a rate, a count or a plain number.
MONEY_FIGURES = {"revenue", "ytd_revenue", "net_revenue", "pipeline", "avg_deal_size", "savings"}
PERCENT_FIGURES = {"win_rate", "utilization", "margin_share"}
COUNT_FIGURES = {"deals_won", "deals_lost"}


def figure_cell(key: str, value: Decimal, decimals: int) -> Cell:
    """K1: a key figure's cell, formatted as money, percent, count or ratio."""
    if key in MONEY_FIGURES:
        return money_cell(value, decimals)
    if key in PERCENT_FIGURES:
        return percent_cell(value, 1)
    if key in COUNT_FIGURES:
        return number_cell(value, 0)
    if key == "mdf_roi":
        return Cell(f"{number(value, 2)} ×", (1, value), Tone.NORMAL, "", value)
    return number_cell(value, 1)


def figure_label(key: str) -> str:
    """A key figure's name as the statement and the close pack give it."""
    return key_figure_label(key)


def used_components(result: CloseResult) -> list[Component]:
    """Components with a non-zero line this period (a column of zeros says nothing)."""
    present = {line.component for line in result.lines if line.amount != 0}
    return [c for c in Component if c in present]


def summary_table(result: CloseResult, names: dict[str, str], decimals: int) -> DisplayTable:
    """One row per participant: its net, then one column per component; a totals row."""
    components = used_components(result)
    totals = result.totals()
    columns = (
        Column("Participant", stretch=True, key="participant"),
        Column(
            "Net",
            Align.RIGHT,
            "Σ of the participant's lines: + payable to it, − due from it",
            strong=True,
            key="net",
        ),
        *(
            Column(
                component_header(c),
                Align.RIGHT,
                f"{component_label(c)} ({c.value})",
                key=c.value,
            )
            for c in components
        ),
    )
    rows = []
    column_totals: dict[Component, Decimal] = defaultdict(Decimal)
    for pid in result.participants:
        by_component = totals.get(pid, {})
        cells = [text_cell(_name(pid, names), tooltip=pid), money_cell(result.net(pid), decimals)]
        for component in components:
            amount = by_component.get(component, Decimal(0))
            column_totals[component] += amount
            cells.append(money_cell(amount, decimals, dash_zero=True))
        rows.append(Row(tuple(cells), key=pid))
    grand = sum(column_totals.values(), Decimal(0))
    rows.append(
        Row(
            (
                text_cell(f"Total ({len(result.participants)} participants)"),
                money_cell(grand, decimals),
                *(money_cell(column_totals[c], decimals, dash_zero=True) for c in components),
            ),
            total=True,
            key="",
        )
    )
    return DisplayTable(columns, tuple(rows))


def _name(pid: str, names: dict[str, str]) -> str:
    return "Host (program owner)" if pid == HOST else participant_label(pid, names)


LINE_COLUMNS = (
    Column("Component"),
    Column("Item"),
    Column("Quantity", Align.RIGHT, "Driver quantity or deal amount"),
    Column("Rate", Align.RIGHT, "Share or rate that produced the amount"),
    Column("Amount", Align.RIGHT, strong=True),
    Column("Rule", Align.CENTER, "The rule of the specification that produced the line"),
    Column("Status"),
    Column("Description", stretch=True),
)


def lines_table(result: CloseResult, participant: str, decimals: int) -> DisplayTable:
    """One row per line of the participant: component, item, description and amount."""
    rows = []
    for line in result.lines_of(participant):
        rows.append(
            Row(
                (
                    text_cell(
                        component_label(line.component),
                        tooltip=section_of(line).value.capitalize(),
                    ),
                    text_cell(line.item),
                    number_cell(line.quantity, 4),
                    number_cell(line.rate, 6),
                    money_cell(line.amount, decimals),
                    text_cell(line.rule),
                    text_cell(line.status, Tone.WARNING if line.status else Tone.NORMAL),
                    text_cell(line.description, tooltip=line.description),
                ),
                key=line.item,
            )
        )
    return DisplayTable(LINE_COLUMNS, tuple(rows))


def sections_table(
    result: CloseResult,
    participant: str,
    decimals: int,
    last: Mapping[Component, Decimal] | None = None,
) -> DisplayTable:
    """The participant's sections: this period's subtotal, last period's and the change.

    Last period's is its final close's (0 when there is none).
    """
    subtotals: dict[Section, Decimal] = defaultdict(Decimal)
    for line in result.lines_of(participant):
        subtotals[section_of(line)] += line.amount  # an adjustment: its row's section
    before: dict[Section, Decimal] = defaultdict(Decimal)
    for component, amount in (last or {}).items():
        before[SECTION_OF[component]] += amount

    def row(label: str, now: Decimal, then: Decimal, total: bool = False) -> Row:
        return Row(
            (
                text_cell(label),
                money_cell(now, decimals),
                money_cell(then, decimals),
                money_cell(now - then, decimals),
            ),
            total=total,
        )

    rows = [
        row(s.value.capitalize(), subtotals[s], before[s])
        for s in Section
        if s in subtotals or s in before
    ]
    rows.append(row("Net", result.net(participant), sum(before.values(), Decimal(0)), True))
    return DisplayTable(
        (
            Column("Section", stretch=True),
            Column("Subtotal", Align.RIGHT),
            Column("Last period", Align.RIGHT, "The section in the previous period's final close"),
            Column("Change", Align.RIGHT),
        ),
        tuple(rows),
    )


MILESTONE_COLUMNS = (
    Column("Milestone"),
    Column("Metric"),
    Column("Actual", Align.RIGHT),
    Column(
        "Floor / target\n/ cap",
        Align.RIGHT,
        "The curve's floor, target and cap (M1)",
        key="Floor / target / cap",
    ),
    Column("Payout", Align.RIGHT, "Curve payout after the retention guard (M1-M3)"),
    Column("Paid", Align.RIGHT, "The milestone line of this close"),
    Column("Held", Align.RIGHT, "Newly held in this close, awaiting verification (M4)"),
    Column("Deferred", Align.RIGHT, "Newly deferred in this close (M5)"),
    Column("Released", Align.RIGHT, "Earlier held or deferred amounts released now"),
    Column("Held\nto date", Align.RIGHT, "Still held after this close", key="Held to date"),
    Column(
        "Deferred\nto date", Align.RIGHT, "Still deferred after this close", key="Deferred to date"
    ),
    Column("Status", stretch=True),
)


def milestones_table(result: CloseResult, participant: str, decimals: int) -> DisplayTable:
    """M1–M7: one row per milestone of the partner: value, payout, paid, held, deferred, status."""
    rows = []
    for d in result.milestones.details:
        if d.partner_id != participant:
            continue
        rows.append(
            Row(
                (
                    text_cell(d.milestone_id),
                    text_cell(d.metric.replace("_", " ")),
                    number_cell(d.actual, 2),
                    text_cell(f"{number(d.floor, 2)} / {number(d.target, 2)} / {number(d.cap, 2)}"),
                    money_cell(d.payout, decimals),
                    money_cell(d.paid, decimals),
                    money_cell(d.held, decimals),
                    money_cell(d.deferred, decimals),
                    money_cell(d.released_held + d.released_deferred, decimals),
                    money_cell(d.held_after, decimals),
                    money_cell(d.deferred_after, decimals),
                    text_cell(d.status, Tone.WARNING if d.held or d.deferred else Tone.NORMAL),
                ),
                key=d.milestone_id,
            )
        )
    return DisplayTable(MILESTONE_COLUMNS, tuple(rows))


def key_figures_table(result: CloseResult, participant: str, decimals: int) -> DisplayTable:
    """K1: one row per key figure of the partner."""
    figures = result.key_figures.get(participant, {})
    rows = tuple(
        Row((text_cell(figure_label(k)), figure_cell(k, v, decimals)), key=k)
        for k, v in figures.items()
    )
    return DisplayTable((Column("Key figure", stretch=True), Column("Value", Align.RIGHT)), rows)


def scorecard_table(result: CloseResult, participant: str) -> DisplayTable:
    """S1: one row per scorecard metric of the partner: value, score, weight, worst → best."""
    card = result.scorecards.scorecards.get(participant)
    rows: list[Row] = []
    if card is not None:
        for m in card.metrics:
            missing = m.value is None
            rows.append(
                Row(
                    (
                        text_cell(figure_label(m.metric)),
                        number_cell(m.value, 2)
                        if not missing
                        else text_cell("no value", Tone.MUTED),
                        number_cell(m.score, 1),
                        number_cell(m.weight, 2),
                        text_cell(f"{number(m.worst, 2)} → {number(m.best, 2)}", Tone.MUTED),
                    ),
                    key=m.metric,
                )
            )
    return DisplayTable(
        (
            Column("Metric", stretch=True),
            Column("Value", Align.RIGHT),
            Column("Score", Align.RIGHT, "0 (worst) to 100 (best)"),
            Column("Weight", Align.RIGHT),
            Column("Worst → best", Align.RIGHT),
        ),
        tuple(rows),
    )


def pools_table(result: CloseResult, decimals: int) -> DisplayTable:
    """N1: one row per pool: amount, reserve draw, Σ lines and whether it reconciles."""
    names = {p.pool_id: p.name for p in result.costs.pools}
    rows = []
    for check in result.pool_checks:
        ok = check.difference == 0
        rows.append(
            Row(
                (
                    text_cell(check.pool_id),
                    text_cell(names.get(check.pool_id, "")),
                    money_cell(check.amount, decimals),
                    money_cell(check.draw, decimals),
                    money_cell(check.amount - check.draw, decimals),
                    money_cell(check.lines_total, decimals),
                    Cell(
                        money(check.difference, decimals),
                        (1, check.difference),
                        Tone.GOOD if ok else Tone.ERROR,
                        "Reconciles" if ok else "Does not reconcile",
                        check.difference,
                    ),
                ),
                key=check.pool_id,
            )
        )
    total_amount = sum((c.amount for c in result.pool_checks), Decimal(0))
    total_draw = sum((c.draw for c in result.pool_checks), Decimal(0))
    total_lines = sum((c.lines_total for c in result.pool_checks), Decimal(0))
    total_diff = sum((c.difference for c in result.pool_checks), Decimal(0))
    rows.append(
        Row(
            (
                text_cell("Total"),
                text_cell(f"{len(result.pool_checks)} pools"),
                money_cell(total_amount, decimals),
                money_cell(total_draw, decimals),
                money_cell(total_amount - total_draw, decimals),
                money_cell(total_lines, decimals),
                money_cell(total_diff, decimals),
            ),
            total=True,
        )
    )
    return DisplayTable(
        (
            Column("Pool"),
            Column("Name", stretch=True),
            Column("Amount", Align.RIGHT, "The pool's cost for the period"),
            Column("Reserve draw", Align.RIGHT, "Drawn from the reserve fund (C5)"),
            Column("To allocate", Align.RIGHT, "Amount − draw"),
            Column("Σ lines", Align.RIGHT, "Cost share and guardrail lines of the pool"),
            Column("Check", Align.RIGHT, "Σ lines + (amount − draw): 0 when the pool reconciles"),
        ),
        tuple(rows),
    )


def reserve_table(result: CloseResult, decimals: int) -> DisplayTable:
    """The reserve movement as a running sum: opening − draws + contributions − refunds."""
    r = result.costs.reserve
    items = [
        ("Opening balance", r.opening, False),
        ("Draws for pools", -r.draws, False),
        ("Contributions", r.contributions, False),
        ("Refunds on exit", -r.refunds, False),
        ("Closing balance", r.closing, True),
    ]
    rows = [Row((text_cell(t), money_cell(v, decimals)), total=total) for t, v, total in items]
    if r.cap is not None:
        rows.insert(-1, Row((text_cell("Cap", Tone.MUTED), money_cell(r.cap, decimals))))
    return DisplayTable(
        (Column("Reserve fund", stretch=True), Column("Amount", Align.RIGHT)), tuple(rows)
    )


def reserve_accounts_table(
    result: CloseResult, names: dict[str, str], decimals: int
) -> DisplayTable:
    """C8/C9: one row per participant: contribution asked and made, refund, equity."""
    rows = tuple(
        Row(
            (
                text_cell(participant_label(a.partner_id, names)),
                money_cell(a.asked, decimals),
                money_cell(a.contribution, decimals),
                money_cell(a.refund, decimals),
                money_cell(a.contributions_to_date, decimals),
                money_cell(a.equity, decimals),
            ),
            key=a.partner_id,
        )
        for a in result.costs.accounts
    )
    return DisplayTable(
        (
            Column("Participant", stretch=True),
            Column("Asked", Align.RIGHT, "C8 contribution before the cap"),
            Column("Contribution", Align.RIGHT, "After the cap"),
            Column("Refund", Align.RIGHT, "C9, in the exit month"),
            Column("Contributed to date", Align.RIGHT),
            Column("Equity", Align.RIGHT, "The participant's share of the reserve"),
        ),
        rows,
    )
