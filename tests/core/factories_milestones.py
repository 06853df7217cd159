"""Small record builders for the milestone, key-figure and scorecard tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from partnerclose.core.milestones import MilestoneResult, MilestoneState, compute_milestones
from partnerclose.core.period import Period
from partnerclose.core.records import (
    Curve,
    Gate,
    MetricValue,
    Milestone,
    Partner,
    PartnerStatus,
    Phase,
    Program,
    Recurrence,
    Settings,
)

D = Decimal  # short for literals

JAN, FEB, MAR = Period(2026, 1), Period(2026, 2), Period(2026, 3)


def partner(partner_id: str = "P001", **changes: Any) -> Partner:
    base = Partner(partner_id, f"Partner {partner_id}", "Gold", PartnerStatus.ACTIVE)
    return replace(base, **changes)


def milestone(
    milestone_id: str = "MS1",
    *,
    partner_id: str = "P001",
    metric: str = "activation_rate",
    levels: tuple[str, str, str] = ("0.40", "0.60", "0.80"),
    payouts: tuple[str, str, str] = ("2000.00", "10000.00", "15000.00"),
    curve: Curve = Curve.LINEAR,
    recurrence: Recurrence = Recurrence.ONCE,
    phase_id: str = "",
    verification_required: bool = False,
    retention_metric: str = "",
    retention_target: str | None = None,
) -> Milestone:
    """Defaults are Example M-a (activation_rate 0.40 / 0.60 / 0.80)."""
    return Milestone(
        milestone_id=milestone_id,
        partner_id=partner_id,
        metric=metric,
        floor=D(levels[0]),
        target=D(levels[1]),
        cap=D(levels[2]),
        floor_payout=D(payouts[0]),
        target_payout=D(payouts[1]),
        max_payout=D(payouts[2]),
        phase_id=phase_id,
        curve=curve,
        recurrence=recurrence,
        retention_metric=retention_metric,
        retention_target=None if retention_target is None else D(retention_target),
        verification_required=verification_required,
    )


def phase(phase_id: str = "PH1", gate: Gate = Gate.PROCEED, budget: str | None = None) -> Phase:
    return Phase(phase_id, "P001", gate, budget=None if budget is None else D(budget))


def program(
    milestones: tuple[Milestone, ...] = (),
    *,
    phases: tuple[Phase, ...] = (),
    partners: tuple[Partner, ...] | None = None,
    **settings: Any,
) -> Program:
    return Program(
        settings=replace(Settings("Test program"), **settings),
        partners=(partner(),) if partners is None else partners,
        milestones=milestones,
        phases=phases,
    )


def metric(
    name: str,
    value: str,
    *,
    partner_id: str = "P001",
    verified: bool = True,
    disputed: bool = False,
) -> MetricValue:
    return MetricValue(partner_id, name, D(value), verified=verified, disputed=disputed)


def close(
    prog: Program,
    period: Period,
    reported: tuple[MetricValue, ...] = (),
    computed: dict[str, dict[str, D]] | None = None,
    state: MilestoneState | None = None,
) -> MilestoneResult:
    return compute_milestones(
        prog, period, reported, computed or {}, MilestoneState() if state is None else state
    )


def day(text: str) -> date:
    return date.fromisoformat(text)
