from datetime import date
from decimal import Decimal as D

import pytest

from partnerclose.core.records import Deal, DealStatus, DealType, PeriodData, Usage
from partnerclose.core.scenario import scale_demand

DATA = PeriodData(
    usage=(Usage("P001", "CRM", D(300)),),
    deals=(
        Deal(
            "P001", "D1", date(2026, 10, 3), "Core", DealType.SOURCED, D("1234.55"), DealStatus.WON
        ),
    ),
)


def test_multipliers_scale_usage_exactly_and_deals_to_the_cent():
    scaled = scale_demand(DATA, D("1.5"), D("0.9"))
    assert scaled.usage[0].units == D("450.0")
    assert scaled.deals[0].amount == D("1111.10")  # 1,111.095 rounds half up
    assert DATA.usage[0].units == D(300)  # the actual data is untouched


def test_negative_multiplier_is_refused():
    with pytest.raises(ValueError, match="≥ 0"):
        scale_demand(DATA, D(-1), D(1))
