"""What the close pack shows, built from a close (pure).

`close_pack_fill(context)` turns a `CloseContext` into the `Fill` of
`templates/close_pack.xlsx`: the whole close (participants, pool checks,
reserve accounts, problems, input files, key figures), in the vocabulary of
docs/templates.md and with the labels the statements use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import cast

from partnerclose.close_context import CloseContext
from partnerclose.core.close import CloseResult
from partnerclose.core.key_figures import KEY_FIGURE_NAMES
from partnerclose.core.lines import SECTION_OF, Component, Section
from partnerclose.core.money import ZERO, round_money
from partnerclose.core.records import HOST
from partnerclose.statements.currency import close_pack_tables
from partnerclose.statements.data import (
    COMPONENT_LABELS,
    MISSING,
    SECTION_KEYS,
    SECTION_LABELS,
    common_scalars,
    reserve_movement_scalars,
    run_time,
)
from partnerclose.statements.labels import key_figure_label
from partnerclose.statements.rows import (
    AccountRow,
    ChangeRow,
    ComponentTotalRow,
    FileRow,
    KeyFigureRow,
    ParticipantRow,
    PoolCheckRow,
    ProblemRow,
)
from partnerclose.statements.values import Fill, Table, Value


def close_pack_fill(context: CloseContext) -> Fill:
    """Everything `templates/close_pack.xlsx` can show about the whole close."""
    program, result = context.program, context.result
    totals = result.totals()
    participants = _participant_rows(context, totals)
    problems = _problem_rows(context)
    scalars = common_scalars(context)
    scalars.update(_close_scalars(context, len(participants), problems))
    tables = {
        "participants": Table.of_rows("participant", ParticipantRow, participants),
        "changes": Table.of_rows("change", ChangeRow, change_rows(context)),
        "pools": Table.of_rows("pool", PoolCheckRow, _pool_check_rows(result)),
        "accounts": Table.of_rows("account", AccountRow, _account_rows(context)),
        "problems": Table.of_rows("problem", ProblemRow, problems),
        "files": Table.of_rows("file", FileRow, _file_rows(context)),
        "key_figures": Table.of_rows("figure", KeyFigureRow, _key_figure_rows(result)),
        **close_pack_tables(program, context.period, result),
        "components": Table.of_rows("component", ComponentTotalRow, _component_total_rows(totals)),
    }
    return Fill(scalars, tables)


def _close_scalars(
    context: CloseContext, participants: int, problems: list[ProblemRow]
) -> dict[str, Value]:
    """The close's own scalars: its files and run, the reserve, counts and sign-off."""
    movement = context.result.costs.reserve
    program_files = [f for f in context.inputs.files if f.role == "program"]
    return {
        "program.file": str(program_files[0].path) if program_files else "(open workbook)",
        "run.user": context.user,
        "run.started_at": context.started_at,
        **reserve_movement_scalars(movement),
        "participants.count": participants,
        "lines.count": len(context.result.lines),
        "problems.count": len(problems),
        "problems.warnings": sum(p.severity == "warning" for p in problems),
        "problems.infos": sum(p.severity == "info" for p in problems),
        # The sign-off block: prepared by the run's user; approved from the ledger's
        # approval records (blank lines to sign when there is none).
        "signoff.prepared_by": context.user,
        "signoff.prepared_on": run_time(context.started_at).date(),
        "signoff.approved_by": context.approved_by,
        "signoff.approved_on": (
            run_time(context.approved_at).date() if context.approved_at else None
        ),
    }


def _participant_rows(
    context: CloseContext, totals: Mapping[str, Mapping[Component, Decimal]]
) -> list[ParticipantRow]:
    """Each participant of the close (the host too): its net, lines and components."""
    names = {p.partner_id: p for p in context.program.partners}
    counts = Counter(line.partner_id for line in context.result.lines)
    participants = []
    for pid in context.result.participants:
        partner = names.get(pid)
        by_component = totals.get(pid, {})
        participants.append(
            ParticipantRow(
                id=pid,
                name="Host (the company)" if pid == HOST else (partner.name if partner else pid),
                plan=partner.plan if partner else "",
                net=sum(by_component.values(), ZERO),
                lines=counts[pid],
                **{c.value: by_component.get(c, ZERO) for c in Component},
            )
        )
    return participants


def _pool_check_rows(result: CloseResult) -> list[PoolCheckRow]:
    """Each pool's check: its amount less the draw against the sum of its lines."""
    pools = {pool.pool_id: pool for pool in result.costs.pools}
    return [
        PoolCheckRow(
            id=check.pool_id,
            name=pools[check.pool_id].name if check.pool_id in pools else check.pool_id,
            basis=pools[check.pool_id].basis.value if check.pool_id in pools else "",
            amount=check.amount,
            budget=pools[check.pool_id].budget if check.pool_id in pools else None,
            draw=check.draw,
            allocable=check.amount - check.draw,
            lines_total=check.lines_total,
            check=check.difference,
        )
        for check in result.pool_checks
    ]


def _account_rows(context: CloseContext) -> list[AccountRow]:
    """Each partner's reserve account this period."""
    names = {p.partner_id: p for p in context.program.partners}
    return [
        AccountRow(
            partner_id=a.partner_id,
            name=names[a.partner_id].name if a.partner_id in names else a.partner_id,
            asked=a.asked,
            contribution=a.contribution,
            refund=a.refund,
            contributions_to_date=a.contributions_to_date,
            equity=a.equity,
            exit="exit month" if a.exit_month else "",
        )
        for a in context.result.costs.accounts
    ]


def _problem_rows(context: CloseContext) -> list[ProblemRow]:
    """Each problem of the close's inputs, with its file, sheet and cell."""
    return [
        ProblemRow(
            severity=p.severity.value,
            location=p.location,
            file=p.file,
            sheet=p.sheet,
            cell=p.cell,
            column=p.column,
            message=p.message,
        )
        for p in context.problems
    ]


def _file_rows(context: CloseContext) -> list[FileRow]:
    """Each input file of the close, with its role and SHA-256."""
    return [
        FileRow(name=f.path.name, path=str(f.path), role=f.role, sha256=f.sha256)
        for f in context.inputs.files
    ]


def _component_total_rows(
    totals: Mapping[str, Mapping[Component, Decimal]],
) -> Iterable[ComponentTotalRow]:
    """Each component's total over every participant."""
    return (
        ComponentTotalRow(
            key=c.value,
            name=COMPONENT_LABELS[c],
            section=SECTION_LABELS[SECTION_OF[c]],
            total=sum((t.get(c, ZERO) for t in totals.values()), ZERO),
        )
        for c in Component
    )


def _key_figure_rows(result: CloseResult) -> Iterable[KeyFigureRow]:
    """Every K1 figure of every partner that has key figures, as on its statement."""
    for pid in result.participants:
        figures = result.key_figures.get(pid)
        if figures is None:
            continue
        for name in KEY_FIGURE_NAMES:
            yield KeyFigureRow(pid, name, key_figure_label(name), figures.get(name, MISSING))


def change_rows(context: CloseContext) -> list[ChangeRow]:
    """Each partner's net and sections this period and last, largest change first."""
    names = {p.partner_id: p.name for p in context.program.partners}
    totals = context.result.totals()
    rows = []
    for pid in context.result.participants:
        if pid == HOST:
            continue
        now = totals.get(pid, {})
        last = context.last_period.get(pid, {})

        def section(amounts: dict[Component, object], which: Section) -> object:
            """The sum of the Decimal amounts of one section."""
            return sum(
                (
                    a
                    for c, a in amounts.items()
                    if SECTION_OF[c] is which and isinstance(a, Decimal)
                ),
                ZERO,
            )

        net, net_last = sum(now.values(), ZERO), sum(last.values(), ZERO)
        change = net - net_last
        sections: dict[str, object] = {}
        for which in Section:
            if which is Section.OTHER:  # shown with milestones, as on the statement
                continue
            key = SECTION_KEYS[which]
            sections[key] = section(dict(now), which)
            sections[f"{key}_last"] = section(dict(last), which)
        key = SECTION_KEYS[Section.MILESTONES]
        for suffix, amounts in (("", now), ("_last", last)):
            other = section(dict(amounts), Section.OTHER)
            sections[key + suffix] = cast(Decimal, sections[key + suffix]) + cast(Decimal, other)
        rows.append(
            ChangeRow(
                id=pid,
                name=names.get(pid, pid),
                net=net,
                net_last=net_last,
                change=change,
                change_pct=round_money(change / abs(net_last), 4) if net_last else MISSING,
                **sections,  # type: ignore[arg-type]
            )
        )
    rows.sort(key=lambda r: (-abs(r.change) if isinstance(r.change, Decimal) else 0, r.id))
    return rows
