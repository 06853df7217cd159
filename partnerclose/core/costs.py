"""Cost sharing for one period (rules.md C1–C9), and the N1 pool reconciliation.

Order (rules.md section 0): C5 cushion draws -> C2–C4 splits -> C6 guardrails
-> C7 in-kind credits -> C8 reserve contributions -> C9 exit fee and refund.
The pieces live in `cost_split` (C1–C4), `cost_guardrail` (C6),
`cost_credits` (C7) and `cost_reserve` (C5, C8, C9); this module runs them in
order, writes the lines and the statement details, and hands on the state a
final close leaves for the next period.

Lines (sign seen from the participant; charges negative):

| component | item | rule | quantity / rate |
|---|---|---|---|
| cost_share | pool id; hybrid: `<pool>:base`, `<pool>:usage` | C4 | driver / share |
| guardrail | pool id | C6 | last allocation / max_change_pct |
| in_kind_credit | description (or `in-kind`), unique per partner | C7 | quantity / unit_value |
| reserve_contribution | "" | C8 | savings / reserve_savings_pct |
| reserve_refund | "" | C9 | contributions to date / equity share |
| wind_down_fee | "" | C9 | - |

N1 reconciliation is defined over `cost_share` and `guardrail` lines only: for
every pool, their sum over all participants (HOST included) is
−(amount − draw), exactly. In-kind credits are separate: a credit is a
positive line to the partner that the host bears as a cost of its own, with
no offsetting host line, so a pool's lines *including* credits sum to
−(amount − draw) + credits. Reserve contributions, refunds and wind-down fees
belong to no pool.

Choices where the rules are silent (see also the modules named above):

- A pool with no participant in the period (no `Commitments` row takes part)
  is carried whole by HOST (it is the company), with a warning, so that every
  pool still reconciles.
- HOST takes the guardrail offset of a pool even without a `Commitments` row
  of its own: a detail row with `committed` False. When any partner of a pool
  is held, HOST gets one guardrail line for the pool, even if the partners'
  lines cancel out to 0.00.
- The C2 fallback warning is given only when the split has a non-zero amount.
- Reserve contribution lines are written for partners asked for a non-zero
  contribution (even when the cap scales it to 0); the exit month always
  writes a `reserve_refund` and a `wind_down_fee` line, 0 or not.
- `savings` lists only participants with at least one `standalone_cost`
  (K1: a metric that cannot be computed is missing, not 0).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from partnerclose.core.cost_credits import Credit, in_kind_credits
from partnerclose.core.cost_guardrail import Guard, guard_pool, host_offset
from partnerclose.core.cost_model import (
    CostResult,
    CostState,
    PoolDetail,
    PoolParticipantDetail,
    PoolShareDetail,
    SplitDetail,
)
from partnerclose.core.cost_reserve import (
    ReserveAccount,
    asked_contribution,
    cushion_draws,
    savings,
    settle_reserve,
)
from partnerclose.core.cost_split import Driver, Split, pool_drivers, split_pool
from partnerclose.core.lines import Component, Line, sort_lines
from partnerclose.core.money import ONE, ZERO, fmt_money, round_money
from partnerclose.core.participation import MembershipStage, participation
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import (
    HOST,
    Basis,
    Commitment,
    CostTier,
    Pool,
    Program,
    Usage,
    participant_key,
)

# --- computing ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PoolWork:
    pool: Pool
    draw: Decimal
    drivers: tuple[Driver, ...]
    splits: tuple[Split, ...]
    guards: tuple[Guard, ...]  # every partner the guardrail looked at
    offset: Decimal  # HOST's guardrail line, when a partner was moved

    @property
    def moved(self) -> tuple[Guard, ...]:
        """The guards that hold a partner: each one is a guardrail line."""
        return tuple(g for g in self.guards if g.amount != 0)


def compute_costs(
    program: Program, period: Period, usage: Sequence[Usage], state: CostState
) -> CostResult:
    """C1–C9 for one period: lines, statement details and the next state."""
    settings = program.settings
    decimals = settings.decimals
    label = str(period)
    stages = {p.partner_id: participation(p, period) for p in program.partners}
    exiting = frozenset(p for p, s in stages.items() if s.exiting)
    opening = (
        settings.reserve_opening_balance if state.reserve_balance is None else state.reserve_balance
    )
    pools = sorted(program.pools, key=lambda p: p.pool_id)
    draws = cushion_draws(pools, opening)
    units = _units(usage)
    commitments = _by_pool(program.commitments)
    tiers = _tiers_by_pool(program.cost_tiers)
    problems: list[Problem] = []

    work: list[_PoolWork] = []
    for pool in pools:
        drivers = pool_drivers(
            pool,
            commitments.get(pool.pool_id, ()),
            units.get(pool.pool_id, {}),
            tiers.get(pool.pool_id, ()),
            stages,
        )
        shared, pool_problems = _share_pool(
            pool, draws.get(pool.pool_id, ZERO), drivers, state, exiting, decimals, label
        )
        work.append(shared)
        problems.extend(pool_problems)

    after = {(pid, w.pool.pool_id): a for w in work for pid, a in _after_guardrail(w).items()}
    taking_part = frozenset(p for p, s in stages.items() if s.takes_part)
    credits, credit_problems = in_kind_credits(
        program.contributions, after, taking_part, label, decimals
    )
    problems.extend(credit_problems)

    details = tuple(_pool_detail(w, credits) for w in work)
    saved = _savings(details)
    asked = {
        p: asked_contribution(saved.get(p), settings)
        for p in sorted(taking_part - exiting, key=participant_key)
    }
    exits = frozenset(p for p, s in stages.items() if s.stage is MembershipStage.EXIT_MONTH)
    movement, accounts = settle_reserve(
        opening,
        sum(draws.values(), ZERO),
        asked,
        exits,
        state.contributions_to_date,
        settings.reserve_cap,
        decimals,
    )

    lines = [
        *(line for w, d in zip(work, details, strict=True) for line in _pool_lines(w, d, label)),
        *(_credit_line(c, label, decimals) for c in credits),
        *_reserve_lines(accounts, saved, state, program, label),
    ]
    to_date = {a.partner_id: a.contributions_to_date for a in accounts}
    return CostResult(
        lines=tuple(sort_lines(lines)),
        problems=tuple(problems),
        pools=details,
        credits=credits,
        reserve=movement,
        accounts=accounts,
        savings=MappingProxyType(saved),
        equity=MappingProxyType({a.partner_id: a.equity for a in accounts}),
        contributions_to_date=MappingProxyType(to_date),
        next_state=CostState(
            reserve_balance=movement.closing,
            contributions_to_date=MappingProxyType(dict(to_date)),
            allocations=MappingProxyType(dict(sorted(after.items(), key=_pair_key))),
        ),
    )


def _share_pool(
    pool: Pool,
    draw: Decimal,
    drivers: tuple[Driver, ...],
    state: CostState,
    exiting: frozenset[str],
    decimals: int,
    period: str,
) -> tuple[_PoolWork, list[Problem]]:
    """C2–C4 then C6 for one pool whose C5 draw is known."""
    problems: list[Problem] = []
    if drivers:
        splits = split_pool(pool, pool.amount - draw, drivers, decimals)
        problems.extend(_fallback_warnings(pool, splits, period))
    else:
        drivers = (Driver(HOST, committed=False),)
        splits = split_pool(pool, pool.amount - draw, drivers, decimals)
        problems.append(
            pool.loc.warning(
                f"pool {pool.pool_id} has no participant in {period}; "
                "HOST carries its whole amount",
                column="pool_id",
            )
        )
    guards = guard_pool(
        pool.pool_id,
        pool.max_change_pct,
        _allocations(splits).items(),
        state.allocations,
        exiting,
        decimals,
    )
    return _PoolWork(pool, draw, drivers, splits, guards, host_offset(guards)), problems


def _pair_key(item: tuple[tuple[str, str], Decimal]) -> tuple[tuple[int, str], str]:
    (partner_id, pool_id), _ = item
    return participant_key(partner_id), pool_id


def _units(usage: Iterable[Usage]) -> dict[str, dict[str, Decimal]]:
    """Units per pool and participant in the period (Σ of its Usage rows)."""
    units: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in usage:
        mine = units[row.pool_id]
        mine[row.partner_id] = mine.get(row.partner_id, ZERO) + row.units
    return units


def _by_pool(rows: Iterable[Commitment]) -> dict[str, list[Commitment]]:
    grouped: dict[str, list[Commitment]] = defaultdict(list)
    for row in rows:
        grouped[row.pool_id].append(row)
    return grouped


def _tiers_by_pool(rows: Iterable[CostTier]) -> dict[str, tuple[CostTier, ...]]:
    grouped: dict[str, list[CostTier]] = defaultdict(list)
    for row in rows:
        grouped[row.pool_id].append(row)
    return {pool: tuple(tiers) for pool, tiers in grouped.items()}


def _allocations(splits: Iterable[Split]) -> dict[str, Decimal]:
    """Participant -> allocation before the guardrail (Σ of its parts), participant order."""
    total: dict[str, Decimal] = {}
    for s in splits:
        for share in s.shares:
            total[share.partner_id] = total.get(share.partner_id, ZERO) + share.amount
    return dict(sorted(total.items(), key=lambda kv: participant_key(kv[0])))


def _after_guardrail(work: _PoolWork) -> dict[str, Decimal]:
    """C6: participant -> allocation after the guardrail; HOST takes the offset."""
    after = _allocations(work.splits)
    for guard in work.guards:
        after[guard.partner_id] = guard.held
    if work.moved:
        after[HOST] = after.get(HOST, ZERO) - work.offset
    return dict(sorted(after.items(), key=lambda kv: participant_key(kv[0])))


def _fallback_warnings(pool: Pool, splits: Iterable[Split], period: str) -> list[Problem]:
    """C2: a warning naming the pool for every split that fell back (and has an amount)."""
    problems = []
    for s in splits:
        if not s.fell_back or s.amount == 0:
            continue
        what = f"the {s.part} part of pool {pool.pool_id}" if s.part else f"pool {pool.pool_id}"
        problems.append(
            pool.loc.warning(
                f"every {s.basis} weight of {what} is 0 in {period}; "
                f"split by {s.used_basis} instead",
                column="basis",
            )
        )
    return problems


def _pool_detail(work: _PoolWork, credits: Iterable[Credit]) -> PoolDetail:
    pool = work.pool
    pool_id = pool.pool_id
    before = _allocations(work.splits)
    after = _after_guardrail(work)
    guards = {g.partner_id: g for g in work.guards}
    credited: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for c in credits:
        if c.pool_id == pool_id:
            credited[c.partner_id] += c.credit
    drivers = {d.partner_id: d for d in work.drivers}
    if work.moved and HOST not in drivers:
        drivers[HOST] = Driver(HOST, committed=False)
    # Each participant's parts, split by split (grouped once, not per participant).
    parts_of: dict[str, list[PoolShareDetail]] = defaultdict(list)
    for s in work.splits:
        for sh in s.shares:
            parts_of[sh.partner_id].append(
                PoolShareDetail(
                    s.part, s.used_basis, sh.driver_quantity, sh.weight, sh.share, sh.amount
                )
            )
    participants = []
    for partner_id in sorted(drivers, key=participant_key):
        d = drivers[partner_id]
        guard = guards.get(partner_id)
        parts = tuple(parts_of.get(partner_id, ()))
        if guard is not None:
            guardrail = guard.amount
        elif partner_id == HOST and work.moved:
            guardrail = work.offset
        else:
            guardrail = ZERO
        participants.append(
            PoolParticipantDetail(
                partner_id=partner_id,
                committed=d.committed,
                usage_units=d.usage,
                committed_capacity=d.capacity,
                fixed_share=d.fixed_share,
                freed_share=d.freed_share,
                utilization=d.utilization,
                tier_factor=d.tier_factor,
                wind_down_factor=d.wind_down_factor,
                standalone_cost=d.standalone_cost,
                parts=parts,
                allocation=before.get(partner_id, ZERO),
                previous_allocation=None if guard is None else guard.previous,
                band=None if guard is None else (guard.low, guard.high),
                guardrail=guardrail,
                allocation_after_guardrail=after.get(partner_id, ZERO),
                in_kind_credit=credited[partner_id],
            )
        )
    return PoolDetail(
        pool_id=pool_id,
        name=pool.name,
        owner=pool.owner,
        unit=pool.unit,
        basis=pool.basis,
        amount=pool.amount,
        budget=pool.budget,
        draw=work.draw,
        allocable=pool.amount - work.draw,
        base_share=pool.base_share,
        max_change_pct=pool.max_change_pct,
        splits=tuple(
            SplitDetail(
                s.part, s.basis, s.used_basis, s.amount, sum((x.weight for x in s.shares), ZERO)
            )
            for s in work.splits
        ),
        participants=tuple(participants),
    )


def _savings(details: Iterable[PoolDetail]) -> dict[str, Decimal]:
    """C8 savings per participant with at least one standalone cost, participant order."""
    pairs: dict[str, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for pool in details:
        for p in pool.participants:
            if p.standalone_cost is not None:
                pairs[p.partner_id].append((p.standalone_cost, p.allocation_after_guardrail))
    result = {}
    for partner_id in sorted(pairs, key=participant_key):
        value = savings(pairs[partner_id])
        if value is not None:
            result[partner_id] = value
    return result


# --- lines --------------------------------------------------------------------


def _number(value: Decimal) -> str:
    """A factor or quantity as short text (descriptions only; never an amount)."""
    return format(round_money(value, 6).normalize(), "f")


def _percent(value: Decimal) -> str:
    return f"{_number(value * 100)} %"


def _basis_text(pool: Pool, s: Split, driver: Driver) -> str:
    text = f"hybrid basis, {s.part} part by {s.basis}" if s.part else f"{s.basis} basis"
    if s.fell_back:
        text += f", split by {s.used_basis} (every {s.basis} weight is 0)"
    if s.used_basis is Basis.USAGE and pool.unit:
        text += f", in {pool.unit}"
    if s.used_basis in (Basis.USAGE, Basis.CAPACITY) and driver.tier_factor != ONE:
        text += f", tier factor {_number(driver.tier_factor)}"
    if s.used_basis is not Basis.USAGE and driver.wind_down_factor != ONE:
        text += f", wind-down factor {_number(driver.wind_down_factor)}"
    if s.used_basis is Basis.FIXED and driver.freed_share > 0:
        text += f", with {_number(driver.freed_share)} freed by partners winding down or gone"
    return text


def _pool_lines(work: _PoolWork, detail: PoolDetail, period: str) -> list[Line]:
    pool = work.pool
    status = f"reserve cushion of {fmt_money(work.draw)} drawn" if work.draw > 0 else ""
    drivers = {d.partner_id: d for d in work.drivers}
    lines = [
        Line(
            period=period,
            partner_id=share.partner_id,
            component=Component.COST_SHARE,
            item=f"{pool.pool_id}:{s.part}" if s.part else pool.pool_id,
            amount=-share.amount,
            rule="C4",
            description=f"{pool.name} ({pool.pool_id}): "
            + _basis_text(pool, s, drivers[share.partner_id]),
            quantity=share.driver_quantity,
            rate=share.share,
            status=status,
        )
        for s in work.splits
        for share in s.shares
    ]
    g_pct = _percent(pool.max_change_pct or ZERO)
    for guard in work.moved:
        lines.append(
            Line(
                period=period,
                partner_id=guard.partner_id,
                component=Component.GUARDRAIL,
                item=pool.pool_id,
                amount=guard.amount,
                rule="C6",
                description=f"{pool.name} ({pool.pool_id}): allocation "
                f"{fmt_money(guard.allocation)} held within ±{g_pct} of last period's "
                f"{fmt_money(guard.previous)}"
                f" [{fmt_money(guard.low)}, {fmt_money(guard.high)}]",
                quantity=guard.previous,
                rate=guard.max_change_pct,
                status="held down" if guard.amount > 0 else "held up",
            )
        )
    if work.moved:
        host = next(p for p in detail.participants if p.partner_id == HOST)
        lines.append(
            Line(
                period=period,
                partner_id=HOST,
                component=Component.GUARDRAIL,
                item=pool.pool_id,
                amount=work.offset,
                rule="C6",
                description=f"{pool.name} ({pool.pool_id}): offsets the guardrail of "
                + ", ".join(g.partner_id for g in work.moved),
                status="" if host.parts else "host is not a participant of the pool",
            )
        )
    return lines


def _credit_line(credit: Credit, period: str, decimals: int) -> Line:
    against = f"the {credit.pool_id} allocation" if credit.pool_id else "the total allocation"
    status = ""
    if credit.credit < round_money(min(credit.value, credit.cap), decimals):
        status = "limited by earlier credits against the same allocation"
    elif credit.limited:
        status = f"capped at {_percent(credit.max_credit_pct)} of the allocation"
    return Line(
        period=period,
        partner_id=credit.partner_id,
        component=Component.IN_KIND_CREDIT,
        item=credit.item,
        amount=credit.credit,
        rule="C7",
        description=f"{credit.description or 'in-kind contribution'} worth "
        f"{fmt_money(credit.value)} against {against} of {fmt_money(credit.allocation)}",
        quantity=credit.quantity,
        rate=credit.unit_value,
        status=status,
    )


def _reserve_lines(
    accounts: Iterable[ReserveAccount],
    saved: Mapping[str, Decimal],
    state: CostState,
    program: Program,
    period: str,
) -> list[Line]:
    settings = program.settings
    fees = {p.partner_id: p.wind_down_fee for p in program.partners}
    lines = []
    for account in accounts:
        pid = account.partner_id
        if account.asked > 0:
            partner_savings = saved.get(pid)
            text = f"fixed {fmt_money(settings.reserve_fixed_contribution)}"
            if partner_savings is not None:
                text += (
                    f" + {_percent(settings.reserve_savings_pct)} of savings "
                    f"{fmt_money(max(ZERO, partner_savings))}"
                )
            scaled = (
                f"scaled down from {fmt_money(account.asked)} to fit the reserve cap"
                if account.scaled
                else ""
            )
            lines.append(
                Line(
                    period=period,
                    partner_id=pid,
                    component=Component.RESERVE_CONTRIBUTION,
                    item="",
                    amount=-account.contribution,
                    rule="C8",
                    description=f"reserve fund contribution: {text}",
                    quantity=None if partner_savings is None else max(ZERO, partner_savings),
                    rate=settings.reserve_savings_pct,
                    status=scaled,
                )
            )
        if account.exit_month:
            lines.append(
                Line(
                    period=period,
                    partner_id=pid,
                    component=Component.RESERVE_REFUND,
                    item="",
                    amount=account.refund,
                    rule="C9",
                    description="refund of the partner's equity in the reserve fund on exit",
                    quantity=state.contributions_to_date.get(pid, ZERO),
                    rate=account.refund_share,
                    status="exit month",
                )
            )
            lines.append(
                Line(
                    period=period,
                    partner_id=pid,
                    component=Component.WIND_DOWN_FEE,
                    item="",
                    amount=-round_money(fees.get(pid, ZERO), settings.decimals),
                    rule="C9",
                    description="wind-down fee, charged once in the exit month",
                    status="exit month",
                )
            )
    return lines
