"""Currencies (rules.md X): X1 per row at the average rate, X2 per line at the closing
rate, and the checks of X3 at their cells. Numbers from Example X-a or worked by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from partnerclose.core.currency import (
    CurrencyCodes,
    SettlementRate,
    as_given,
    check_currencies,
    conversion_of,
    convert_deals,
    convert_inputs,
    converted_data,
    period_rates,
    rates_used,
    settlement_currency,
    settlement_rates,
)
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.core.records import (
    HOST,
    Conversion,
    Deal,
    DealStatus,
    FxRate,
    Loc,
    PeriodData,
    Program,
)
from tests.core.factories_revenue import (
    OCT,
    D,
    campaign,
    make_program,
    partner,
    reversal,
    won,
)

SEP = Period(2026, 9)
CODES = CurrencyCodes(
    {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3, "GBP": 2, "CHF": 2, "CAD": 2},
    symbols={"€": "EUR", "£": "GBP", "¥": "JPY"},
)
FX_COLUMNS = {"period": "A", "currency": "B", "average": "C", "closing": "D"}
DEAL_COLUMNS = {"deal_id": "A", "amount": "H", "currency": "K"}


def in_currency(row: Deal, currency: str, sheet_row: int) -> Deal:
    """The deal with a currency of its own, read from row `sheet_row` of a Deals sheet."""
    return replace(row, currency=currency, loc=Loc("P003.xlsx", "Deals", sheet_row, DEAL_COLUMNS))


def rate(
    currency: str,
    average: str,
    closing: str,
    *,
    period: Period = OCT,
    decimals: int = 2,
    row: int = 2,
    source: str = "",
) -> FxRate:
    loc = Loc("program.xlsx", "FxRates", row, FX_COLUMNS)
    return FxRate(period, currency, D(average), D(closing), source, decimals, loc)


# Example X-a: EUR average 1.0800, closing 1.1000; JPY average 0.006700, closing 0.006500.
EUR = rate("EUR", "1.0800", "1.1000", row=2)
JPY = rate("JPY", "0.006700", "0.006500", decimals=0, row=3)
KWD = rate("KWD", "3.2600", "3.2500", decimals=3, row=4)


def program(
    *, eur: str = "EUR", jpy: str = "JPY", rates: tuple[FxRate, ...] = (EUR, JPY)
) -> Program:
    """P001 settles in EUR, P002 in JPY (Example X-a), P003 in the program currency."""
    base = make_program(
        partners=(
            replace(
                partner("P001"),
                currency=eur,
                loc=Loc("program.xlsx", "Partners", 2, {"currency": "J"}),
            ),
            replace(
                partner("P002"),
                currency=jpy,
                loc=Loc("program.xlsx", "Partners", 3, {"currency": "J"}),
            ),
            partner("P003"),
        )
    )
    return replace(base, fx_rates=rates)


# --- X1: deals and campaigns into the program currency ---------------------------------


def test_x_a_deal_in_the_partners_currency_at_the_average_rate() -> None:
    data = PeriodData(deals=(won("D1", date(2026, 10, 3), "20000.00"),))
    (deal,) = convert_inputs(program(), OCT, data).deals
    # EUR 20,000.00 × 1.08 = USD 21,600.00; the deal keeps its currency and EUR amount
    assert (deal.amount, deal.currency, deal.source_amount) == (D("21600.00"), "EUR", D("20000.00"))


def test_a_converted_deal_keeps_every_other_field() -> None:
    row = replace(
        won("D1", date(2026, 10, 3), "20000.00"),
        registered=True,
        created_date=date(2026, 9, 1),
        customer="Acme",
        original_deal_id="D0",
        loc=Loc("P001.xlsx", "Deals", 7),
    )
    (deal,) = convert_inputs(program(), OCT, PeriodData(deals=(row,))).deals
    assert deal == replace(row, amount=D("21600.00"), currency="EUR", source_amount=D("20000.00"))
    assert deal.loc == row.loc  # not compared by ==


def test_x_a_deal_in_yen() -> None:
    data = PeriodData(deals=(won("D2", date(2026, 10, 9), "1500000", partner_id="P002"),))
    (deal,) = convert_inputs(program(), OCT, data).deals
    # JPY 1,500,000 × 0.0067 = USD 10,050.00
    assert deal.amount == D("10050.00")


def test_a_deals_own_currency_wins_over_its_partners() -> None:
    row = replace(won("D3", date(2026, 10, 5), "1000.00", partner_id="P003"), currency="JPY")
    (deal,) = convert_inputs(program(), OCT, PeriodData(deals=(row,))).deals
    # P003 settles in USD, but the deal says JPY: 1,000 × 0.0067 = 6.70
    assert (deal.amount, deal.currency) == (D("6.70"), "JPY")


def test_a_deal_in_the_program_currency_is_left_as_it_is() -> None:
    row = won("D4", date(2026, 10, 5), "1234.56", partner_id="P003")
    (deal,) = convert_inputs(program(), OCT, PeriodData(deals=(row,))).deals
    assert deal is row


def test_rounded_once_per_row_half_up() -> None:
    rows = tuple(won(f"D{i}", date(2026, 10, 5), "10.50") for i in range(1, 4))
    odd = program(rates=(rate("EUR", "1.09", "1.10"),))
    deals = convert_inputs(odd, OCT, PeriodData(deals=rows)).deals
    # 10.50 × 1.09 = 11.445 → 11.45 per row (half up; half even would give 11.44),
    # so the three sum to 34.35, not round(31.50 × 1.09) = 34.34
    assert [d.amount for d in deals] == [D("11.45")] * 3


def test_a_zero_amount_converts_to_zero() -> None:
    data = PeriodData(deals=(won("D5", date(2026, 10, 5), "0.00"),))
    (deal,) = convert_inputs(program(), OCT, data).deals
    assert (deal.amount, deal.source_amount) == (D("0.00"), D("0.00"))


def test_kwd_deal_three_decimals_into_usd() -> None:
    prog = program(eur="KWD", rates=(KWD,))
    data = PeriodData(deals=(won("D6", date(2026, 10, 5), "1000.125"),))
    (deal,) = convert_inputs(prog, OCT, data).deals
    # KWD 1,000.125 × 3.26 = 3,260.4075 → USD 3,260.41 (the program's 2 decimals)
    assert deal.amount == D("3260.41")


def test_a_campaigns_three_amounts_convert_and_a_blank_stays_blank() -> None:
    row = replace(campaign("C1", "5000.00"), pipeline=D("12345.67"), attributed_revenue=None)
    (converted,) = convert_inputs(program(), OCT, PeriodData(campaigns=(row,))).campaigns
    # 5,000.00 × 1.08 = 5,400.00; 12,345.67 × 1.08 = 13,333.3236 → 13,333.32
    assert (converted.spend, converted.pipeline, converted.attributed_revenue) == (
        D("5400.00"),
        D("13333.32"),
        None,
    )
    assert converted.currency == "EUR"


def test_one_currency_program_returns_its_data_untouched() -> None:
    data = PeriodData(deals=(won("D1", date(2026, 10, 3), "20000.00"),))
    assert convert_inputs(program(rates=()), OCT, data) is data


def test_only_the_periods_rates_are_used() -> None:
    prog = program(rates=(rate("EUR", "2.00", "2.00", period=SEP), EUR))
    (deal,) = convert_inputs(
        prog, OCT, PeriodData(deals=(won("D1", date(2026, 10, 3), "100.00"),))
    ).deals
    # October's 1.08, not September's 2.00
    assert deal.amount == D("108.00")


# --- X1 once, as the rows are read: terms, reconversion, the deals as given --------------


def test_the_terms_of_x1_are_the_periods_average_rates_and_settlement_currencies() -> None:
    terms = conversion_of(program(), OCT)
    assert terms == Conversion(
        "USD",
        2,
        (("EUR", D("1.0800")), ("JPY", D("0.006700"))),
        (("P001", "EUR"), ("P002", "JPY"), ("P003", "USD")),
    )
    assert conversion_of(program(rates=()), OCT) is None


def test_converted_data_carries_its_terms_and_is_not_converted_twice() -> None:
    data = PeriodData(deals=(won("D1", date(2026, 10, 3), "20000.00"),))
    terms = conversion_of(program(), OCT)
    once = converted_data(terms, data)
    assert once.converted == terms
    assert converted_data(terms, once) is once
    # the close finds the deals converted on its own terms: 21,600.00, not 23,328.00
    (deal,) = convert_inputs(program(), OCT, once).deals
    assert deal.amount == D("21600.00")


def test_deals_converted_on_other_terms_are_converted_again_from_what_was_given() -> None:
    rows = (
        won("D1", date(2026, 10, 3), "20000.00"),  # blank: P001's EUR
        in_currency(won("D2", date(2026, 10, 4), "1000.00", partner_id="P003"), "JPY", 3),
    )
    read = converted_data(conversion_of(program(), OCT), PeriodData(deals=rows))
    other = program(rates=(rate("EUR", "1.2000", "1.1000"), rate("JPY", "0.0070", "0.0065")))
    again = convert_inputs(other, OCT, read).deals
    # EUR 20,000.00 × 1.20 = 24,000.00; JPY 1,000 × 0.0070 = 7.00
    assert [(d.amount, d.currency, d.source_amount) for d in again] == [
        (D("24000.00"), "EUR", D("20000.00")),
        (D("7.00"), "JPY", D("1000.00")),
    ]
    assert again == convert_inputs(other, OCT, PeriodData(deals=rows)).deals


def test_the_deals_as_given_are_the_rows_read() -> None:
    rows = (
        won("D1", date(2026, 10, 3), "20000.00"),  # blank currency
        in_currency(won("D2", date(2026, 10, 4), "500.00"), "EUR", 3),  # P001's own, explicit
        won("D3", date(2026, 10, 5), "1234.56", partner_id="P003"),  # the program currency
    )
    read = converted_data(conversion_of(program(), OCT), PeriodData(deals=rows))
    assert [d.currency for d in read.deals] == ["EUR", "EUR", ""]
    given = as_given(read)
    assert given.deals == rows
    assert given.converted is None
    assert [d.currency for d in given.deals] == ["", "EUR", ""]
    assert [d.loc for d in given.deals] == [d.loc for d in rows]


def test_a_new_settlement_currency_moves_only_the_deals_that_left_theirs_blank() -> None:
    rows = (
        won("D1", date(2026, 10, 3), "20000.00"),  # blank: follows P001's currency
        in_currency(won("D2", date(2026, 10, 4), "500.00"), "EUR", 3),  # stays in EUR
    )
    read = converted_data(conversion_of(program(), OCT), PeriodData(deals=rows))
    in_yen = program(eur="JPY")  # P001 now settles in JPY
    (d1, d2) = convert_inputs(in_yen, OCT, as_given(read)).deals
    # JPY 20,000 × 0.0067 = 134.00; EUR 500.00 × 1.08 = 540.00
    assert (d1.currency, d1.amount) == ("JPY", D("134.00"))
    assert (d2.currency, d2.amount) == ("EUR", D("540.00"))
    assert (d1, d2) == convert_inputs(in_yen, OCT, read).deals


def test_a_currency_without_a_rate_is_left_for_validation_to_report() -> None:
    row = in_currency(won("D1", date(2026, 10, 3), "100.00", partner_id="P003"), "CHF", 2)
    (deal,) = convert_deals(conversion_of(program(), OCT), (row,))
    assert deal is row


# --- X2: lines into the settlement currency --------------------------------------------


def test_x_a_settlement_in_euro() -> None:
    eur = SettlementRate("EUR", D("1.1000"), 2)
    # 2,740.00 ÷ 1.1 = 2,490.9090… → 2,490.91; −1,100.00 ÷ 1.1 = −1,000.00
    assert (eur.settle(D("2740.00")), eur.settle(D("-1100.00"))) == (D("2490.91"), D("-1000.00"))


def test_x_a_settlement_in_yen_has_no_decimals() -> None:
    # 1,005.00 ÷ 0.0065 = 154,615.38… → JPY 154,615
    assert SettlementRate("JPY", D("0.006500"), 0).settle(D("1005.00")) == D("154615")


def test_settlement_in_kwd_has_three_decimals() -> None:
    # 100.00 ÷ 3.25 = 30.7692307… → KWD 30.769
    assert SettlementRate("KWD", D("3.25"), 3).settle(D("100.00")) == D("30.769")


def test_settlement_rounds_half_up_away_from_zero() -> None:
    eur = SettlementRate("EUR", D("2"), 2)
    # ±0.05 ÷ 2 = ±0.025 → ±0.03
    assert (eur.settle(D("0.05")), eur.settle(D("-0.05"))) == (D("0.03"), D("-0.03"))


def test_settlement_at_rate_one_keeps_the_amount() -> None:
    assert SettlementRate("USD", D(1), 2).settle(D("12.345")) == D("12.345")


def test_settlement_rates_per_partner() -> None:
    rates = settlement_rates(program(), OCT)
    usd = SettlementRate("USD", D(1), 2)
    assert rates == {
        HOST: usd,
        "P001": SettlementRate("EUR", D("1.1000"), 2),
        "P002": SettlementRate("JPY", D("0.006500"), 0),
        "P003": usd,
    }


def test_a_partner_whose_rate_is_missing_settles_in_the_program_currency() -> None:
    # validation reports the missing GBP rate; the close does not invent one
    rates = settlement_rates(program(eur="GBP", rates=(JPY,)), OCT)
    assert rates["P001"] == SettlementRate("USD", D(1), 2)


def test_settlement_currency_of_a_partner() -> None:
    prog = program()
    assert [settlement_currency(prog, pid) for pid in ("P001", "P002", "P003", "P999")] == [
        "EUR",
        "JPY",
        "USD",
        "USD",
    ]


def test_period_rates_takes_the_first_of_two_rows() -> None:
    second = rate("EUR", "9.99", "9.99", row=9)
    assert period_rates(program(rates=(EUR, second, JPY)), OCT) == {"EUR": EUR, "JPY": JPY}


def test_period_rates_of_a_period_without_rows_is_empty() -> None:
    assert period_rates(program(), SEP) == {}


# --- X3: the checks --------------------------------------------------------------------


def test_a_missing_rate_is_an_error_at_the_deal_that_needs_it() -> None:
    row = in_currency(won("D7", date(2026, 10, 5), "500.00", partner_id="P003"), "GBP", 7)
    problems = check_currencies(program(), OCT, PeriodData(deals=(row,)), CODES)
    (problem,) = problems
    assert (problem.severity, problem.sheet, problem.cell) == (Severity.ERROR, "Deals", "K7")
    assert problem.message.startswith(
        "no FxRates row for GBP in 2026-10 (needed for deal D7); add a row"
    )


def test_a_partner_settling_in_a_currency_without_a_rate_is_an_error_at_its_row() -> None:
    (problem,) = check_currencies(program(rates=(EUR,)), OCT, PeriodData(), CODES)
    assert (problem.sheet, problem.cell) == ("Partners", "J3")
    assert "no FxRates row for JPY in 2026-10 (needed for partner P002" in problem.message


def test_a_partner_not_taking_part_needs_no_rate() -> None:
    prog = program(rates=(EUR,))
    later = replace(prog.partners[1], start_date=date(2026, 11, 1))  # P002 starts in November
    prog = replace(prog, partners=(prog.partners[0], later, prog.partners[2]))
    assert check_currencies(prog, OCT, PeriodData(), CODES) == []


def test_a_rate_the_reader_refused_is_not_reported_again_as_missing() -> None:
    problems = check_currencies(program(rates=(EUR,)), OCT, PeriodData(), CODES, {"JPY"})
    assert problems == []


def test_all_rates_present_no_problem() -> None:
    data = PeriodData(
        deals=(won("D1", date(2026, 10, 3), "20000.00"),),
        campaigns=(campaign("C1", "100.00", partner_id="P002"),),
    )
    assert check_currencies(program(), OCT, data, CODES) == []


@pytest.mark.parametrize(
    ("found", "hint"),
    [
        ("EUT", '; did you mean "EUR"?'),
        ("eur", '; did you mean "EUR"?'),
        ("CHD", '; did you mean "CHF"?'),  # CAD is one letter off too; CHF keeps "CH"
        ("€", '; did you mean "EUR"?'),
        ("EURO", '; did you mean "EUR"?'),
        ("ABC", ""),
    ],
)
def test_suggestion_for_an_unknown_code(found: str, hint: str) -> None:
    assert CODES.suggestion(found) == hint


def test_an_unknown_code_on_a_campaign_is_an_error_with_a_hint() -> None:
    row = replace(campaign("C1", "100.00", partner_id="P003"), currency="€")
    (problem,) = check_currencies(program(), OCT, PeriodData(campaigns=(row,)), CODES)
    assert problem.message == (
        'currency must be an ISO 4217 code such as USD, EUR or JPY, got "€"; did you mean "EUR"?'
    )


def test_an_unknown_program_currency_is_an_error_at_its_setting() -> None:
    prog = program(eur="", jpy="", rates=())  # everyone in the program currency
    where = Loc("program.xlsx", "Program", 0, {"currency": "B3"})
    prog = replace(prog, settings=replace(prog.settings, currency="USDD", loc=where))
    (problem,) = check_currencies(prog, OCT, PeriodData(), CODES)
    assert (problem.cell, problem.message) == (
        "B3",
        'currency must be an ISO 4217 code such as USD, EUR or JPY, got "USDD"; '
        'did you mean "USD"?',
    )


@pytest.mark.parametrize(("average", "closing"), [("0", "1.1"), ("1.08", "-1.1")])
def test_a_rate_of_zero_or_less_is_an_error_at_its_cell(average: str, closing: str) -> None:
    bad = rate("EUR", average, closing, row=5)
    problems = check_currencies(program(rates=(bad, JPY)), OCT, PeriodData(), CODES)
    column = "average" if average == "0" else "closing"
    value = average if average == "0" else closing
    (problem,) = problems
    assert (problem.cell, problem.message) == (
        f"{FX_COLUMNS[column]}5",
        f"{column} must be a rate > 0, got {value}",
    )


def test_two_rows_for_one_currency_and_period_are_an_error_at_both() -> None:
    twin = rate("EUR", "1.09", "1.11", row=6)
    problems = check_currencies(program(rates=(EUR, JPY, twin)), OCT, PeriodData(), CODES)
    assert [(p.cell, p.message) for p in problems] == [
        ("B2", "FxRates has two rows for EUR in 2026-10 (rows 2 and 6); keep one"),
        ("B6", "FxRates has two rows for EUR in 2026-10 (rows 2 and 6); keep one"),
    ]


def test_a_rate_for_the_program_currency_is_an_error() -> None:
    usd = rate("USD", "1", "1", row=7)
    (problem,) = check_currencies(program(rates=(EUR, JPY, usd)), OCT, PeriodData(), CODES)
    assert problem.cell == "B7"
    assert problem.message.startswith("FxRates lists USD, the program currency")


def test_a_reversal_in_another_currency_than_its_deal_is_an_error() -> None:
    original = won("D1", date(2026, 10, 3), "1000.00")  # EUR, P001's currency
    refund = in_currency(reversal("R1", date(2026, 10, 9), "200.00", "D1"), "JPY", 8)
    (problem,) = check_currencies(program(), OCT, PeriodData(deals=(original, refund)), CODES)
    assert (problem.cell, problem.message) == (
        "K8",
        "R1 reverses deal D1, which is in EUR, but is in JPY; a reversal must be in its "
        "deal's currency",
    )


def test_a_reversal_in_its_deals_currency_is_fine() -> None:
    original = won("D1", date(2026, 10, 3), "1000.00")
    refund = reversal("R1", date(2026, 10, 9), "200.00", "D1", status=DealStatus.CHURNED)
    assert check_currencies(program(), OCT, PeriodData(deals=(original, refund)), CODES) == []


# --- what the ledger keeps ---------------------------------------------------------------


def test_rates_used_as_the_ledger_keeps_them() -> None:
    ecb = replace(EUR, source="ECB")
    assert rates_used(program(rates=(ecb, JPY)), OCT) == {
        "fx_rates": {
            "EUR": "average 1.0800 closing 1.1000 source ECB",
            "JPY": "average 0.006700 closing 0.006500",
        }
    }


def test_rates_used_of_a_one_currency_close_is_empty() -> None:
    assert rates_used(program(rates=()), OCT) == {}


def test_a_campaign_of_a_partner_whose_rate_is_missing_names_the_campaign() -> None:
    row = campaign("C9", "100.00", partner_id="P002", row=4)
    problems = check_currencies(program(rates=(EUR,)), OCT, PeriodData(campaigns=(row,)), CODES)
    # the partner's own row, then the campaign's (P002 settles in JPY: no JPY rate)
    assert [(p.sheet, p.message.split(";")[0]) for p in problems] == [
        (
            "Partners",
            "no FxRates row for JPY in 2026-10 (needed for partner P002, which settles in it)",
        ),
        ("Campaigns", "no FxRates row for JPY in 2026-10 (needed for campaign C9)"),
    ]


def test_a_deal_converted_as_read_is_checked_on_the_currency_it_was_given() -> None:
    """A partner in a mistyped currency that has a rate row: its blank-currency deals are
    converted, yet the error stays at the partner's and the rate's cells, not each deal's."""
    prog = program(eur="EUT", rates=(rate("EUT", "1.0800", "1.1000"), JPY))
    read = converted_data(
        conversion_of(prog, OCT), PeriodData(deals=(won("D1", date(2026, 10, 3), "100.00"),))
    )
    assert read.deals[0].currency == "EUT"
    problems = check_currencies(prog, OCT, read, CODES)
    assert problems == check_currencies(prog, OCT, as_given(read), CODES)
    assert sorted((p.sheet, p.cell) for p in problems) == [("FxRates", "B2"), ("Partners", "J2")]
