"""Who takes part in a period, and how far into an exit (rules.md C1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from partnerclose.core.period import Period
from partnerclose.core.records import Partner


class MembershipStage(StrEnum):
    """Where a partner is in its membership of the program in a period (rules.md C1)."""

    NOT_STARTED = "not started"
    ACTIVE = "active"
    EXIT_MONTH = "exit month"
    WIND_DOWN = "wind-down"
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class Participation:
    """C1: how a participant takes part in a period, and its wind-down factor."""

    stage: MembershipStage
    wind_down_factor: Decimal  # 1 outside wind-down; 0 when not taking part
    months_after_exit: int | None = None  # k of rules.md C1, when an exit date is set

    @property
    def takes_part(self) -> bool:
        """C1: whether the participant takes part in the period at all."""
        return self.stage not in (MembershipStage.NOT_STARTED, MembershipStage.GONE)

    @property
    def exiting(self) -> bool:
        """In its exit month or wind-down: no guardrail, no reserve contribution."""
        return self.stage in (MembershipStage.EXIT_MONTH, MembershipStage.WIND_DOWN)


def participation(partner: Partner, period: Period) -> Participation:
    """C1: from the start_date month until the end of the wind-down."""
    if partner.start_date is not None and period < Period.of(partner.start_date):
        return Participation(MembershipStage.NOT_STARTED, Decimal(0))
    if partner.exit_date is None:
        return Participation(MembershipStage.ACTIVE, Decimal(1))
    k = period.months_since(Period.of(partner.exit_date))
    w = partner.wind_down_months
    if k < 0:
        return Participation(MembershipStage.ACTIVE, Decimal(1), k)
    if k == 0:
        return Participation(MembershipStage.EXIT_MONTH, Decimal(1), k)
    if k <= w:
        return Participation(MembershipStage.WIND_DOWN, Decimal(w - k + 1) / Decimal(w + 1), k)
    return Participation(MembershipStage.GONE, Decimal(0), k)
