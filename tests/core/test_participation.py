"""C1: who takes part in a period, and the wind-down factor (rules.md C1's table)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from partnerclose.core.participation import MembershipStage, participation
from partnerclose.core.period import Period
from partnerclose.core.records import Partner, PartnerStatus

# exit 2026-06 with W = 2 months of wind-down; start 2026-02
_PARTNER = Partner(
    "P001",
    "Acme",
    "Gold",
    PartnerStatus.EXITING,
    start_date=date(2026, 2, 15),
    exit_date=date(2026, 6, 30),
    wind_down_months=2,
)


@pytest.mark.parametrize(
    ("period", "stage", "factor", "takes_part", "exiting"),
    [
        ("2026-01", MembershipStage.NOT_STARTED, Decimal(0), False, False),
        ("2026-02", MembershipStage.ACTIVE, Decimal(1), True, False),
        ("2026-05", MembershipStage.ACTIVE, Decimal(1), True, False),
        ("2026-06", MembershipStage.EXIT_MONTH, Decimal(1), True, True),
        ("2026-07", MembershipStage.WIND_DOWN, Decimal(2) / Decimal(3), True, True),
        ("2026-08", MembershipStage.WIND_DOWN, Decimal(1) / Decimal(3), True, True),
        ("2026-09", MembershipStage.GONE, Decimal(0), False, False),
    ],
)
def test_the_table_of_c1(
    period: str, stage: MembershipStage, factor: Decimal, takes_part: bool, exiting: bool
) -> None:
    taking_part = participation(_PARTNER, Period.parse(period))
    assert taking_part.stage is stage
    assert taking_part.wind_down_factor == factor
    assert taking_part.takes_part is takes_part
    assert taking_part.exiting is exiting


def test_months_after_exit_is_k() -> None:
    assert participation(_PARTNER, Period(2026, 4)).months_after_exit == -2
    assert participation(_PARTNER, Period(2026, 8)).months_after_exit == 2


def test_without_exit_date_a_partner_stays_active() -> None:
    partner = Partner("P002", "Bolt", "Silver", PartnerStatus.ACTIVE)
    taking_part = participation(partner, Period(2030, 1))
    assert taking_part.stage is MembershipStage.ACTIVE
    assert taking_part.months_after_exit is None


def test_no_wind_down_means_gone_the_month_after_exit() -> None:
    partner = Partner("P003", "Core", "Gold", PartnerStatus.EXITED, exit_date=date(2026, 3, 1))
    assert participation(partner, Period(2026, 3)).stage is MembershipStage.EXIT_MONTH
    assert participation(partner, Period(2026, 4)).stage is MembershipStage.GONE
