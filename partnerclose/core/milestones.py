"""Milestone payouts (rules.md M1-M7), with holds, deferrals and phase budgets.

Per milestone, in `milestone_id` order (M7): M1 curve -> M3 retention guard
-> M2 recurrence -> M6 gate -> M4 verification and disputes -> M6 budget ->
M5 shock. The curves themselves live in `milestone_curves`.

Choices where the spec leaves room (documented for users in the statement
notes and tested):

- *Metric lookup*: the partner's reported `Metrics` row wins over a computed
  (K1) metric of the same name (info); computed metrics are verified and
  undisputed. No value: nothing is paid or accrued, status "not reported",
  warning.
- *Accrued* (state) = paid + held + deferred, over all earlier final closes,
  for every milestone; only `once` milestones use it (due = max(0, payout -
  accrued)). `monthly` milestones pay the curve each period. What a phase
  budget cuts is neither paid nor accrued, so it stays due.
- *Phase spent* (state) = paid + deferred, the M6 budget's measure. Held
  amounts do not count while held (Example M-d checks the budget against the
  payable after the hold); they count when released, and a release is itself
  limited by what is left of the budget. The part of a release that does not
  fit is dropped from the hold and from accrued (it stays due, like any
  budget cut).
- *Releases* come before this close's new payouts, so that amounts earned
  earlier use the budget first. A hold is released in full in the first later
  close where the metric has a value that is not disputed and is verified
  (or the milestone does not require verification: a disputed-only hold then
  waits for the dispute alone). A deferral is released in full in the first
  later close with `shock_factor` 1; releases are not scaled by a shock. A
  phase with gate `pause` pays nothing, releases included; they wait.
- *Exit*: new payouts are computed only while the partner is active or in its
  exit month (C1 stages); before its start or after its exit month nothing
  new is computed, but releases still happen.
- *Lines*: one `milestone` line per milestone computed this close, also when
  it pays 0, so that the statement shows its status; the line's rule is the
  last rule that changed the amount. `milestone_release` (M4) and
  `deferred_release` (M5) lines carry released amounts. Held, deferred and
  budget-cut amounts are not lines; they are in `details`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType

from partnerclose.core.key_figures import MetricBook, MetricReading
from partnerclose.core.lines import Component, Line, sort_lines
from partnerclose.core.milestone_curves import curve_payout, guard_retention, retention_multiplier
from partnerclose.core.money import ONE, ZERO, round_money
from partnerclose.core.participation import MembershipStage, participation
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import (
    Curve,
    Gate,
    MetricValue,
    Milestone,
    Partner,
    Phase,
    Program,
    Recurrence,
    Settings,
)

# Status texts (statements and lines.csv show them).
PAID = "paid"
NOTHING_DUE = "nothing due"
NOT_REPORTED = "not reported"
PHASE_PAUSED = "phase paused"
PENDING_VERIFICATION = "pending verification"
DISPUTED_INTERIM = "disputed: interim paid"
BUDGET_REACHED = "phase budget reached"
DEFERRED_SHOCK = "deferred (shock)"
TERMS_UNDER_REVIEW = "terms under review"
NOT_STARTED = "not started"
AFTER_EXIT = "after exit"
UNKNOWN_PARTNER = "partner not in program"
HELD_RELEASED = "held amount released"
DEFERRED_RELEASED = "deferred amount released"
RELEASED = "released"

_COMPUTED_STAGES = (MembershipStage.ACTIVE, MembershipStage.EXIT_MONTH)


def _empty() -> Mapping[str, Decimal]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class MilestoneState:
    """What the previous final closes leave (all amounts already rounded)."""

    accrued: Mapping[str, Decimal] = field(default_factory=_empty)  # paid + held + deferred
    held: Mapping[str, Decimal] = field(default_factory=_empty)  # awaiting verification
    deferred: Mapping[str, Decimal] = field(default_factory=_empty)  # awaiting shock factor 1
    phase_spent: Mapping[str, Decimal] = field(default_factory=_empty)  # paid + deferred


@dataclass(frozen=True, slots=True)
class MilestoneDetail:
    """One milestone in one close, everything a statement shows about it."""

    milestone_id: str
    partner_id: str
    metric: str
    phase_id: str
    curve: Curve
    recurrence: Recurrence
    floor: Decimal
    target: Decimal
    cap: Decimal
    floor_payout: Decimal
    target_payout: Decimal
    max_payout: Decimal
    lower_is_better: bool
    computed: bool  # False: not started, after exit; only releases apply
    actual: Decimal | None = None
    verified: bool = False
    disputed: bool = False
    computed_metric: bool = False  # the value came from K1
    curve_payout: Decimal = ZERO  # M1, rounded
    retention_value: Decimal | None = None
    retention_multiplier: Decimal | None = None  # None: no retention guard
    payout: Decimal = ZERO  # after M3
    accrued_before: Decimal = ZERO
    due: Decimal = ZERO  # after M2
    paid: Decimal = ZERO  # the `milestone` line
    held: Decimal = ZERO  # newly held in this close
    deferred: Decimal = ZERO  # newly deferred in this close
    not_paid: Decimal = ZERO  # cut by the phase budget (stays due)
    released_held: Decimal = ZERO  # the `milestone_release` line
    released_deferred: Decimal = ZERO  # the `deferred_release` line
    held_after: Decimal = ZERO  # still held after this close
    deferred_after: Decimal = ZERO  # still deferred after this close
    accrued_after: Decimal = ZERO
    status: str = ""


@dataclass(frozen=True, slots=True)
class MilestoneResult:
    """The milestones of one period (M1–M7): lines, problems, details and next state."""

    lines: tuple[Line, ...]
    problems: tuple[Problem, ...]
    details: tuple[MilestoneDetail, ...]
    next_state: MilestoneState


@dataclass(frozen=True, slots=True)
class _Release:
    held: Decimal = ZERO
    deferred: Decimal = ZERO
    cut: Decimal = ZERO  # part of the hold dropped by the phase budget
    paused: bool = False


@dataclass(frozen=True, slots=True)
class _Settlement:
    """M4 -> M6 budget -> M5 applied to an amount due."""

    paid: Decimal
    held: Decimal
    deferred: Decimal
    not_paid: Decimal
    rule: str
    status: tuple[str, ...]


@dataclass(slots=True)
class _Books:
    """The running state of one close (mutated in milestone_id order only)."""

    accrued: dict[str, Decimal]
    held: dict[str, Decimal]
    deferred: dict[str, Decimal]
    spent: dict[str, Decimal]
    lines: list[Line] = field(default_factory=list)
    problems: dict[Problem, None] = field(default_factory=dict)  # ordered, no repeats

    def room(self, phase: Phase | None) -> Decimal | None:
        """What is left of the phase budget; None when there is no budget."""
        if phase is None or phase.budget is None:
            return None
        return max(ZERO, phase.budget - self.spent.get(phase.phase_id, ZERO))

    def spend(self, phase: Phase | None, amount: Decimal) -> None:
        if phase is not None and amount:
            self.spent[phase.phase_id] = self.spent.get(phase.phase_id, ZERO) + amount

    def add(self, book: dict[str, Decimal], key: str, amount: Decimal) -> None:
        book[key] = book.get(key, ZERO) + amount

    def warn(self, problem: Problem | None) -> None:
        if problem is not None:
            self.problems[problem] = None


def compute_milestones(
    program: Program,
    period: Period,
    reported: Sequence[MetricValue],
    computed: Mapping[str, Mapping[str, Decimal]],
    state: MilestoneState,
) -> MilestoneResult:
    """M1-M7 for every milestone of the program, releases first."""
    settings = program.settings
    book = MetricBook.of(reported, computed)
    phases = {p.phase_id: p for p in program.phases}
    partners = {p.partner_id: p for p in program.partners}
    milestones = sorted(program.milestones, key=lambda m: m.milestone_id)
    books = _Books(
        dict(state.accrued), dict(state.held), dict(state.deferred), dict(state.phase_spent)
    )
    for problem in book.problems:
        books.warn(problem)

    releases = {
        m.milestone_id: _release(m, phases.get(m.phase_id), book, settings, period, books)
        for m in milestones
    }
    known = {m.milestone_id for m in milestones}
    for mid in sorted((set(state.held) | set(state.deferred)) - known):
        if state.held.get(mid, ZERO) or state.deferred.get(mid, ZERO):
            books.warn(
                program.settings.loc.warning(
                    f"milestone {mid} has held or deferred amounts but is no longer in the "
                    "Milestones sheet; they are kept, not released"
                )
            )

    details = [
        _compute_one(
            m,
            partners.get(m.partner_id),
            phases.get(m.phase_id),
            book,
            settings,
            period,
            releases[m.milestone_id],
            books,
        )
        for m in milestones
    ]
    next_state = MilestoneState(
        accrued=_frozen(books.accrued),
        held=_frozen(books.held),
        deferred=_frozen(books.deferred),
        phase_spent=_frozen(books.spent),
    )
    lines = tuple(sort_lines(books.lines))
    return MilestoneResult(lines, tuple(books.problems), tuple(details), next_state)


def _release(
    m: Milestone,
    phase: Phase | None,
    book: MetricBook,
    settings: Settings,
    period: Period,
    books: _Books,
) -> _Release:
    """Release earlier holds (M4) and deferrals (M5) that are now due."""
    mid = m.milestone_id
    held = books.held.get(mid, ZERO)
    deferred = books.deferred.get(mid, ZERO)
    if not held and not deferred:
        return _Release()
    if phase is not None and phase.gate is Gate.PAUSE:
        return _Release(paused=True)
    released_held = cut = ZERO
    if held and _hold_cleared(m, book, books):
        room = books.room(phase)
        released_held = held if room is None else min(held, room)
        cut = held - released_held
        books.held[mid] = ZERO
        books.add(books.accrued, mid, -cut)
        books.spend(phase, released_held)
        if cut:
            books.warn(
                m.loc.info(
                    f"milestone {mid}: {cut} of the released hold exceeds the budget of "
                    f"phase {m.phase_id} and is not paid"
                )
            )
        _emit(
            books,
            settings,
            period,
            m,
            Component.MILESTONE_RELEASE,
            released_held,
            "M4",
            f"held amount released: {m.metric} verified",
        )
    released_deferred = ZERO
    if deferred and settings.shock_factor == ONE:
        released_deferred = deferred
        books.deferred[mid] = ZERO
        _emit(
            books,
            settings,
            period,
            m,
            Component.DEFERRED_RELEASE,
            deferred,
            "M5",
            "deferred amount released: shock factor back at 1",
        )
    return _Release(released_held, released_deferred, cut)


def _hold_cleared(m: Milestone, book: MetricBook, books: _Books) -> bool:
    reading = book.reading(m.partner_id, m.metric)
    books.warn(book.precedence_info(m.partner_id, m.metric))
    if reading is None or reading.disputed:
        return False
    return reading.verified or not m.verification_required


def _emit(
    books: _Books,
    settings: Settings,
    period: Period,
    m: Milestone,
    component: Component,
    amount: Decimal,
    rule: str,
    description: str,
) -> None:
    if amount:
        books.lines.append(
            Line(
                period=str(period),
                partner_id=m.partner_id,
                component=component,
                item=m.milestone_id,
                amount=round_money(amount, settings.decimals),
                rule=rule,
                description=description,
                status=RELEASED,
            )
        )


def _compute_one(
    m: Milestone,
    partner: Partner | None,
    phase: Phase | None,
    book: MetricBook,
    settings: Settings,
    period: Period,
    release: _Release,
    books: _Books,
) -> MilestoneDetail:
    """M1–M5 for one milestone, in the spec's order, against the close's running books.

    Long on purpose: the rules apply in sequence to one milestone's amounts (payout,
    accrual, budget, hold, deferral, release), each step reading the last; split, the
    pieces would pass all of them back and forth.
    """
    mid = m.milestone_id
    accrued_before = books.accrued.get(mid, ZERO)
    base = MilestoneDetail(
        milestone_id=mid,
        partner_id=m.partner_id,
        metric=m.metric,
        phase_id=m.phase_id,
        curve=m.curve,
        recurrence=m.recurrence,
        floor=m.floor,
        target=m.target,
        cap=m.cap,
        floor_payout=m.floor_payout,
        target_payout=m.target_payout,
        max_payout=m.max_payout,
        lower_is_better=m.lower_is_better,
        computed=False,
        accrued_before=accrued_before,
        released_held=release.held,
        released_deferred=release.deferred,
    )
    skip = _not_computed_status(partner, period)
    if skip is not None:
        return _finish(base, books, release, (skip,))

    reading = book.reading(m.partner_id, m.metric)
    books.warn(book.precedence_info(m.partner_id, m.metric))
    line_status: tuple[str, ...]
    if reading is None:
        books.warn(
            m.loc.warning(
                f'milestone {mid}: {m.partner_id} has no value for metric "{m.metric}" '
                f"in {period}; nothing is paid or accrued",
                column="metric",
            )
        )
        line_status = (NOT_REPORTED,)
        _milestone_line(books, settings, period, m, None, ZERO, "M1", line_status)
        return _finish(replace(base, computed=True), books, release, line_status)

    # M1 curve, M3 retention guard, M2 recurrence
    decimals = settings.decimals
    from_curve = curve_payout(m, reading.value, decimals)
    multiplier, retention_value = _retention(m, book, books, period)
    payout = from_curve
    if multiplier is not None:
        payout = guard_retention(from_curve, m.target_payout, multiplier, decimals)
    rule = "M1" if payout == from_curve else "M3"
    due = payout
    if m.recurrence is Recurrence.ONCE:
        due = max(ZERO, payout - accrued_before)
        rule = rule if due == payout else "M2"
    detail = replace(
        base,
        computed=True,
        actual=reading.value,
        verified=reading.verified,
        disputed=reading.disputed,
        computed_metric=reading.computed,
        curve_payout=from_curve,
        retention_value=retention_value,
        retention_multiplier=multiplier,
        payout=payout,
        due=due,
    )

    # M6 gate
    if phase is not None and phase.gate is Gate.PAUSE:
        line_status = (PHASE_PAUSED,)
        _milestone_line(books, settings, period, m, reading, ZERO, "M6", line_status)
        return _finish(detail, books, release, line_status)

    settlement = _settle(m, reading, due, books.room(phase), settings, rule)
    books.spend(phase, settlement.paid + settlement.deferred)
    books.add(books.held, mid, settlement.held)
    books.add(books.deferred, mid, settlement.deferred)
    books.add(books.accrued, mid, settlement.paid + settlement.held + settlement.deferred)
    line_status = settlement.status
    if phase is not None and phase.gate is Gate.ADJUST:
        line_status = (*line_status, TERMS_UNDER_REVIEW)
    if settlement.not_paid:
        books.warn(
            m.loc.info(
                f"milestone {mid}: {settlement.not_paid} exceeds the budget of phase "
                f"{m.phase_id} and is not paid",
                column="phase_id",
            )
        )
    _milestone_line(
        books, settings, period, m, reading, settlement.paid, settlement.rule, line_status
    )
    detail = replace(
        detail,
        paid=settlement.paid,
        held=settlement.held,
        deferred=settlement.deferred,
        not_paid=settlement.not_paid,
    )
    return _finish(detail, books, release, line_status)


def _not_computed_status(partner: Partner | None, period: Period) -> str | None:
    if partner is None:
        return UNKNOWN_PARTNER
    stage = participation(partner, period).stage
    if stage in _COMPUTED_STAGES:
        return None
    return NOT_STARTED if stage is MembershipStage.NOT_STARTED else AFTER_EXIT


def _retention(
    m: Milestone, book: MetricBook, books: _Books, period: Period
) -> tuple[Decimal | None, Decimal | None]:
    """M3: (multiplier, retention value); (None, None) when the milestone has no guard."""
    if not m.retention_metric:
        return None, None
    reading = book.reading(m.partner_id, m.retention_metric)
    books.warn(book.precedence_info(m.partner_id, m.retention_metric))
    if reading is None:
        books.warn(
            m.loc.warning(
                f"milestone {m.milestone_id}: {m.partner_id} has no value for retention metric "
                f'"{m.retention_metric}" in {period}; the upside above the target payout '
                "is not paid",
                column="retention_metric",
            )
        )
        return ZERO, None
    return retention_multiplier(reading.value, m.retention_target), reading.value


def _settle(
    m: Milestone,
    reading: MetricReading,
    due: Decimal,
    room: Decimal | None,
    settings: Settings,
    rule: str,
) -> _Settlement:
    """M4 verification and disputes, M6 budget, M5 shock, on what is due."""
    decimals = settings.decimals
    if due <= 0:
        return _Settlement(ZERO, ZERO, ZERO, ZERO, rule, (NOTHING_DUE,))
    if m.verification_required and not reading.verified:
        return _Settlement(ZERO, due, ZERO, ZERO, "M4", (PENDING_VERIFICATION,))
    status: list[str]
    if reading.disputed:
        payable = round_money(settings.interim_payment_pct * due, decimals)
        held = due - payable
        status, rule = [DISPUTED_INTERIM], "M4"
    else:
        payable, held = due, ZERO
        status = [PAID]
    not_paid = ZERO
    if room is not None and payable > room:
        not_paid = payable - room
        payable = room
        # "paid" would mislead when the budget leaves nothing
        status = [BUDGET_REACHED] if status == [PAID] and not payable else [*status, BUDGET_REACHED]
        rule = "M6"
    paid = payable
    if settings.shock_factor != ONE:
        paid = round_money(payable * settings.shock_factor, decimals)
        if paid != payable:
            status.append(DEFERRED_SHOCK)
            rule = "M5"
    return _Settlement(paid, held, payable - paid, not_paid, rule, tuple(status))


def _milestone_line(
    books: _Books,
    settings: Settings,
    period: Period,
    m: Milestone,
    reading: MetricReading | None,
    amount: Decimal,
    rule: str,
    status: tuple[str, ...],
) -> None:
    books.lines.append(
        Line(
            period=str(period),
            partner_id=m.partner_id,
            component=Component.MILESTONE,
            item=m.milestone_id,
            amount=round_money(amount, settings.decimals),
            rule=rule,
            description=m.metric,
            quantity=None if reading is None else reading.value,
            status="; ".join(status),
        )
    )


def _finish(
    detail: MilestoneDetail, books: _Books, release: _Release, status: tuple[str, ...]
) -> MilestoneDetail:
    """Add the release notes and the amounts outstanding after this close."""
    notes = list(status)
    if release.paused and PHASE_PAUSED not in notes:
        notes.append(PHASE_PAUSED)
    if release.held:
        notes.append(HELD_RELEASED)
    if release.cut and BUDGET_REACHED not in notes:
        notes.append(BUDGET_REACHED)
    if release.deferred:
        notes.append(DEFERRED_RELEASED)
    mid = detail.milestone_id
    return replace(
        detail,
        held_after=books.held.get(mid, ZERO),
        deferred_after=books.deferred.get(mid, ZERO),
        accrued_after=books.accrued.get(mid, ZERO),
        status="; ".join(notes),
    )


def _frozen(book: dict[str, Decimal]) -> Mapping[str, Decimal]:
    """Sorted, without zero entries, read-only."""
    return MappingProxyType({k: v for k, v in sorted(book.items()) if v})
