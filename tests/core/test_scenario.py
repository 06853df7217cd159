from datetime import date
from decimal import Decimal as D

import pytest

from partnerclose.core.currency import conversion_of, convert_inputs, converted_data
from partnerclose.core.records import Deal, DealStatus, DealType, PeriodData, Usage
from partnerclose.core.scenario import Scenario, ScenarioChange, apply_scenario, scale_demand
from partnerclose.core.schema import ChangeKind
from tests.core.factories_revenue import OCT
from tests.core.test_currency import program as fx_program

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


# --- scenarios on deals X1 converted as they were read ---------------------------------

EUR_DEAL = Deal(
    "P001", "D1", date(2026, 10, 3), "Core", DealType.SOURCED, D("20000.00"), DealStatus.WON
)


def _read() -> PeriodData:
    """The deal as the reader gives it: converted on the period's terms (EUR at 1.08)."""
    return converted_data(conversion_of(fx_program(), OCT), PeriodData(deals=(EUR_DEAL,)))


def _change(sheet: str, key: tuple[str, ...], column: str, value: object) -> Scenario:
    return Scenario(
        "what if", (ScenarioChange("what if", ChangeKind.SET, sheet, key, column, value),)
    )


def _deal_after(scenario: Scenario) -> Deal:
    program, data = apply_scenario(fx_program(), _read(), scenario)
    (deal,) = convert_inputs(program, OCT, data).deals
    return deal


def test_a_deal_changed_by_a_scenario_is_changed_in_its_own_currency():
    # EUR 25,000.00 (not USD 25,000.00) × 1.08 = USD 27,000.00
    deal = _deal_after(_change("Deals", ("P001", "D1"), "amount", D("25000.00")))
    assert (deal.amount, deal.currency, deal.source_amount) == (
        D("27000.00"),
        "EUR",
        D("25000.00"),
    )


def test_a_scenarios_rate_converts_the_deals_again():
    # EUR 20,000.00 × 1.20 = USD 24,000.00
    deal = _deal_after(_change("FxRates", ("EUR", "2026-10"), "average", D("1.20")))
    assert deal.amount == D("24000.00")


def test_a_scenarios_settlement_currency_moves_a_deal_booked_blank():
    # P001 settles in JPY: its blank-currency deal is JPY 20,000 × 0.0067 = USD 134.00
    deal = _deal_after(_change("Partners", ("P001",), "currency", "JPY"))
    assert (deal.amount, deal.currency) == (D("134.00"), "JPY")


def test_scaled_demand_scales_a_converted_deal_in_its_own_currency():
    (deal,) = convert_inputs(fx_program(), OCT, scale_demand(_read(), D(1), D("0.5"))).deals
    # EUR 10,000.00 × 1.08 = USD 10,800.00
    assert (deal.amount, deal.source_amount) == (D("10800.00"), D("10000.00"))
