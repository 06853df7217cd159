"""`partnerclose demo --currencies`: a valid program in several currencies (rules.md X)
that closes month after month, each amount converted as X1 and X2 say."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from partnerclose.core.close import CloseState, compute_close
from partnerclose.core.currency import as_given, conversion_of
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.demo import read_spec, write_demo, write_partner_workbooks
from partnerclose.demo.currencies import settlement_currency
from partnerclose.pipeline import Status, run_close
from partnerclose.reading.inputs import load_inputs
from tests.test_demo import Demo, assert_valid, dec

PERIOD, NEXT = Period(2026, 10), Period(2026, 11)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("demo-fx")
    write_demo(folder, period=PERIOD, currencies=True)
    return assert_valid(folder, PERIOD)


def _lines(folder: Path) -> list[dict[str, str]]:
    with (folder / "lines.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def test_three_partners_in_ten_settle_in_four_other_currencies() -> None:
    assert [settlement_currency(i) for i in range(20)] == [
        *("", "EUR", "", "", "", "GBP", "", "", "JPY", ""),
        *("", "CHF", "", "", "", "EUR", "", "", "GBP", ""),
    ]


def test_the_program_names_each_partner_currency_and_the_rates(demo: Demo) -> None:
    currencies = {str(r["partner_id"]): r["currency"] for r in demo.program.rows("Partners")}
    assert {pid: c for pid, c in currencies.items() if c} == {
        "P002": "EUR",
        "P006": "GBP",
        "P009": "JPY",
        "P012": "CHF",
    }
    rates = {(r["period"], r["currency"]): r for r in demo.program.rows("FxRates")}
    # the demo period has Example X-a's rates; later months move by a few thousandths
    assert (dec(rates["2026-10", "EUR"]["average"]), dec(rates["2026-10", "EUR"]["closing"])) == (
        Decimal("1.08"),
        Decimal("1.1"),
    )
    assert dec(rates["2026-10", "JPY"]["closing"]) == Decimal("0.0065")
    assert dec(rates["2026-11", "EUR"]["average"]) == Decimal("1.0822")  # 1.08 x 1.002
    assert {c for _, c in rates} == {"EUR", "GBP", "JPY", "CHF", "CAD"}
    assert read_spec(demo.folder / "program.xlsx").currencies


def test_deals_are_booked_in_the_partner_currency_or_cad(demo: Demo) -> None:
    deals = [(pid, row) for pid, row in demo.all_rows("Deals")]
    cad = [row for _, row in deals if row["currency"] == "CAD"]
    assert 0.1 < len(cad) / len(deals) < 0.3  # one in five, by the deal id's checksum
    assert {row["currency"] for _, row in deals} == {None, "CAD"}
    # yen have no minor units: every JPY amount is whole
    assert all(
        dec(row["amount"]) % 1 == 0 for pid, row in deals if pid == "P009" and not row["currency"]
    )
    # a reversal is in its original deal's currency (rules.md X1)
    currency = {row["deal_id"]: row["currency"] for _, row in deals}
    reversals = [row for _, row in deals if row["original_deal_id"]]
    assert reversals
    assert all(row["currency"] == currency[row["original_deal_id"]] for row in reversals)


def test_a_currency_demo_closes_two_months_converted_as_x1_and_x2_say(demo: Demo) -> None:
    folder = demo.folder
    deals = {str(row["deal_id"]): (pid, row) for pid, row in demo.all_rows("Deals")}
    first = run_close(folder / "program.xlsx", PERIOD, final=True)
    assert first.status is Status.CLOSED, first.message
    assert not [p for p in first.problems if p.severity is Severity.ERROR]
    lines = _lines(first.output or folder)
    revenue = [line for line in lines if line["component"] == "revenue_share"]
    average = {"": None, "CAD": Decimal("0.73"), "EUR": Decimal("1.08"), "JPY": Decimal("0.0067")}
    checked = set()
    for line in revenue:
        pid, row = deals[line["item"]]
        code = row["currency"] or {"P002": "EUR", "P009": "JPY"}.get(pid, "")
        if code in average and average[code] is not None:
            # X1: the deal amount in USD, rounded once per row, is the line's quantity
            assert Decimal(line["quantity"]) == _round(dec(row["amount"]) * average[code], 2)
            checked.add(code)
    assert checked == {"CAD", "EUR", "JPY"}
    closing = {"EUR": Decimal("1.1"), "GBP": Decimal("1.26"), "JPY": Decimal("0.0065")}
    places = {"EUR": 2, "GBP": 2, "JPY": 0, "USD": 2}
    for line in lines:
        code = line["settlement_currency"]
        amount = Decimal(line["amount"])
        if code == "USD":
            assert (line["fx_rate"], Decimal(line["settlement_amount"])) == ("1", amount)
        else:  # X2: per line at the closing rate, to the currency's minor units
            assert Decimal(line["fx_rate"]) == closing[code]
            assert Decimal(line["settlement_amount"]) == _round(
                amount / closing[code], places[code]
            )
    write_partner_workbooks(folder, NEXT)
    second = run_close(folder / "program.xlsx", NEXT, final=True)
    assert second.status is Status.CLOSED, second.message
    rates = {
        line["settlement_currency"]: line["fx_rate"] for line in _lines(second.output or folder)
    }
    assert rates == {"USD": "1", "EUR": "1.1022", "GBP": "1.2625", "JPY": "0.006513"}


def test_deals_are_converted_once_as_they_are_read_and_the_close_agrees(demo: Demo) -> None:
    """X1 runs in the reader (validation.check_rows): the close on the deals as read gives
    the same lines as the close converting the deals as given itself."""
    inputs = load_inputs(demo.folder / "program.xlsx", PERIOD)
    assert inputs.program is not None
    terms = conversion_of(inputs.program, PERIOD)
    assert terms is not None
    assert inputs.data.converted == terms
    averages = dict(terms.averages)
    foreign = [d for d in inputs.data.deals if d.source_amount is not None]
    assert {d.currency for d in foreign} == {"EUR", "GBP", "JPY", "CAD"}  # no CHF deals
    for deal in foreign:
        expected = _round(deal.source_amount * averages[deal.currency], terms.decimals)
        assert deal.amount == expected, deal.deal_id
    read = compute_close(inputs.program, PERIOD, inputs.data, CloseState())
    given = compute_close(inputs.program, PERIOD, as_given(inputs.data), CloseState())
    assert read.lines == given.lines
    assert read.revenue.deals == given.revenue.deals
