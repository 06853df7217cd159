"""Currencies (rules.md X) end to end: Example X-a through workbook files, to the cent and
the yen, and the X3 problems at their cells."""

from __future__ import annotations

import copy
import csv
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.pipeline import CloseOutcome, Status, run_close
from partnerclose.reading.inputs import load_inputs
from partnerclose.statements.currency import settlement_scalars
from tests.workbook_files import DEALS_HEADER as DEALS
from tests.workbook_files import Sheets, write_program

SEP, OCT = Period(2026, 9), Period(2026, 10)
DEALS_HEADER = [*DEALS, "currency"]

# Example X-a: program in USD; P001 settles in EUR on Gold (marginal, sourced 10 % from 0,
# 15 % from 100,000); P002 settles in JPY on a flat 10 %. P001 shares an equal pool of
# 2,200.00 with HOST: its cost share is -1,100.00 USD.
PROGRAM: Sheets = {
    "Program": [["key", "value"], ["program_name", "Example X-a"], ["currency", "USD"]],
    "Partners": [
        ["partner_id", "name", "plan", "status", "currency"],
        ["P001", "Berlin Partner GmbH", "Gold", "active", "EUR"],
        ["P002", "Tokyo Reseller KK", "Flat", "active", "JPY"],
    ],
    "CostPools": [["pool_id", "name", "amount", "basis"], ["OPS", "Operations", 2200, "equal"]],
    "Commitments": [["partner_id", "pool_id"], ["HOST", "OPS"], ["P001", "OPS"]],
    "Plans": [["plan", "mode"], ["Gold", "marginal"], ["Flat", "marginal"]],
    "RevenueTiers": [
        ["plan", "deal_type", "from_amount", "rate"],
        ["Gold", "sourced", 0, 0.10],
        ["Gold", "sourced", 100000, 0.15],
        ["Flat", "sourced", 0, 0.10],
    ],
    "Products": [["product", "bonus_rate"], ["Core", 0]],
    "FxRates": [
        ["period", "currency", "average", "closing", "source"],
        ["2026-09", "EUR", 1.07, 1.08, "ECB reference rates"],
        ["2026-09", "JPY", 0.0068, 0.0066, "ECB reference rates"],
        ["2026-10", "EUR", "1.0800", "1.1000", "ECB reference rates"],
        ["2026-10", "JPY", "0.006700", "0.006500", "ECB reference rates"],
    ],
}


def partner(pid: str, period: Period, *deals: list[object]) -> Sheets:
    return {
        "Partner": [["key", "value"], ["partner_id", pid], ["period", str(period)]],
        "Deals": [DEALS_HEADER, *deals],
    }


def lines_of(folder: Path) -> list[dict[str, str]]:
    with (folder / "lines.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Example:
    outcome: CloseOutcome
    folder: Path


@pytest.fixture
def example(tmp_path: Path) -> Example:
    """September (final) leaves P001 a year-to-date of 90,000.00 USD (a deal booked in USD);
    October holds D1 (EUR 20,000.00, P001's own currency by default) and D2 (JPY 1,500,000)."""
    d0 = ["D0", "2026-09-10", "Core", "sourced", "Y", 90000, "won", None, "USD"]
    path = write_program(tmp_path / "sep", PROGRAM, {"P001": partner("P001", SEP, d0)})
    ledger = tmp_path / "ledger.sqlite"
    outcome = run_close(path, SEP, final=True, ledger_path=ledger)
    assert outcome.status is Status.CLOSED, outcome.problems
    d1 = ["D1", "2026-10-03", "Core", "sourced", "Y", 20000, "won"]
    d2 = ["D2", "2026-10-05", "Core", "sourced", "Y", 1500000, "won", None, "JPY"]
    october = {"P001": partner("P001", OCT, d1), "P002": partner("P002", OCT, d2)}
    path = write_program(tmp_path / "oct", PROGRAM, october)
    outcome = run_close(path, OCT, ledger_path=ledger)
    assert outcome.status is Status.CLOSED, outcome.problems
    return Example(outcome, path.parent / "close-2026-10")


def test_example_x_a_to_the_cent_and_the_yen(example: Example) -> None:
    rows = {
        (row["partner_id"], row["component"], row["item"]): row for row in lines_of(example.folder)
    }
    # D1: EUR 20,000.00 x 1.08 = 21,600.00 USD, over [90,000, 111,600):
    # 10,000 x 10 % + 11,600 x 15 % = 2,740.00 USD; / 1.1 = 2,490.9090... -> EUR 2,490.91.
    d1 = rows[("P001", "revenue_share", "D1")]
    assert (d1["quantity"], d1["amount"]) == ("21600", "2740.00")
    assert (d1["settlement_currency"], d1["fx_rate"], d1["settlement_amount"]) == (
        "EUR",
        "1.1",
        "2490.91",
    )
    # P001's cost share -1,100.00 USD / 1.1 = EUR -1,000.00.
    ops = rows[("P001", "cost_share", "OPS")]
    assert (ops["amount"], ops["settlement_amount"]) == ("-1100.00", "-1000.00")
    # D2: JPY 1,500,000 x 0.0067 = 10,050.00 USD; 10 % = 1,005.00 USD;
    # / 0.0065 = 154,615.38... -> JPY 154,615 (no decimals).
    d2 = rows[("P002", "revenue_share", "D2")]
    assert (d2["quantity"], d2["amount"]) == ("10050", "1005.00")
    assert (d2["settlement_currency"], d2["fx_rate"], d2["settlement_amount"]) == (
        "JPY",
        "0.0065",
        "154615",
    )
    # HOST stays in the program currency at rate 1.
    host = rows[("HOST", "cost_share", "OPS")]
    assert (host["settlement_currency"], host["fx_rate"], host["settlement_amount"]) == (
        "USD",
        "1",
        "-1100.00",
    )
    result = example.outcome.result
    assert result is not None
    # Net EUR 2,490.91 - 1,000.00 = 1,490.91 (USD 1,640.00); rounding difference
    # 1,640.00 - round(1,490.91 x 1.1) = 1,640.00 - 1,640.00 = 0.00.
    assert result.net("P001") == D("1640.00")
    assert result.settlement_net("P001") == D("1490.91")
    assert result.settlement_net("P002") == D("154615")


def test_the_journal_stays_in_the_program_currency(example: Example) -> None:
    with (example.folder / "journal.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    amounts = {(r["partner_id"], r["component"]): r["debit"] for r in rows if r["debit"] != "0.00"}
    # the USD amounts of Example X-a, not the EUR or JPY ones
    assert amounts[("P001", "revenue_share")] == "2740.00"
    assert amounts[("P002", "revenue_share")] == "1005.00"
    memos = {(r["partner_id"], r["component"]): r["memo"] for r in rows}
    assert memos[("P001", "revenue_share")] == (
        "2026-10 revenue_share P001; settled EUR 2490.91 at 1.1"
    )
    assert memos[("P001", "cost_share")] == "2026-10 cost_share P001; settled EUR 1000.00 at 1.1"
    assert memos[("P002", "revenue_share")] == (
        "2026-10 revenue_share P002; settled JPY 154615 at 0.0065"
    )


# --- X3: every problem at its cell ----------------------------------------------------

OCT_DEALS = {
    "P001": partner("P001", OCT, ["D1", "2026-10-03", "Core", "sourced", "Y", 20000, "won"]),
    "P002": partner("P002", OCT, ["D2", "2026-10-05", "Core", "sourced", "Y", 100, "won"]),
}


def errors(tmp_path: Path, program: Sheets, partners: dict[str, Sheets] | None = None) -> list[str]:
    path = write_program(tmp_path, program, partners or OCT_DEALS)
    inputs = load_inputs(path, OCT)
    return [str(p) for p in inputs.problems if p.severity is Severity.ERROR]


def program_with(sheet: str, row: int, column: str, value: object) -> Sheets:
    program = copy.deepcopy(PROGRAM)
    header = program[sheet][0]
    program[sheet][row][header.index(column)] = value
    return program


def test_a_mistyped_settlement_currency_is_refused_with_a_suggestion(tmp_path):
    assert errors(tmp_path, program_with("Partners", 1, "currency", "EUT")) == [
        "program.xlsx:Partners!E2: currency must be an ISO 4217 code such as USD, EUR or JPY, "
        'got "EUT"; did you mean "EUR"?'
    ]


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("eur", '; did you mean "EUR"?'),
        ("€", '; did you mean "EUR"?'),
        ("EURO", '; did you mean "EUR"?'),
        ("QQQ", ""),
    ],
)
def test_codes_people_type_for_a_currency_get_the_code(tmp_path, typed, hint):
    assert errors(tmp_path, program_with("Partners", 1, "currency", typed)) == [
        "program.xlsx:Partners!E2: currency must be an ISO 4217 code such as USD, EUR or JPY, "
        f'got "{typed}"{hint}'
    ]


def test_a_rate_needed_and_missing_is_an_error_at_the_row_that_needs_it(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["FxRates"] = program["FxRates"][:3]  # September only
    gbp = partner(
        "P001", OCT, ["D1", "2026-10-03", "Core", "sourced", "Y", 20000, "won", None, "GBP"]
    )
    assert errors(tmp_path, program, {**OCT_DEALS, "P001": gbp}) == [
        "program.xlsx:Partners!E2: no FxRates row for EUR in 2026-10 (needed for partner P001, "
        "which settles in it); add a row with period 2026-10, currency EUR, average and closing",
        "program.xlsx:Partners!E3: no FxRates row for JPY in 2026-10 (needed for partner P002, "
        "which settles in it); add a row with period 2026-10, currency JPY, average and closing",
        "P001.xlsx:Deals!I2: no FxRates row for GBP in 2026-10 (needed for deal D1); add a row "
        "with period 2026-10, currency GBP, average and closing",
        # D2's currency cell is blank: it is in P002's currency, JPY
        "P002.xlsx:Deals!I2: no FxRates row for JPY in 2026-10 (needed for deal D2); add a row "
        "with period 2026-10, currency JPY, average and closing",
    ]


def test_a_rate_of_zero_is_an_error_at_its_cell(tmp_path):
    assert errors(tmp_path, program_with("FxRates", 3, "closing", 0)) == [
        "program.xlsx:FxRates!D4: closing must be a rate > 0, got 0"
    ]


def test_two_rows_for_one_currency_and_period_are_an_error_at_both(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["FxRates"].append(["2026-10", "EUR", 1.09, 1.11, "bank"])
    assert errors(tmp_path, program) == [
        "program.xlsx:FxRates!B4: FxRates has two rows for EUR in 2026-10 (rows 4 and 6); keep one",
        "program.xlsx:FxRates!B6: FxRates has two rows for EUR in 2026-10 (rows 4 and 6); keep one",
    ]


def test_a_rate_for_the_program_currency_is_refused(tmp_path):
    assert errors(tmp_path, program_with("FxRates", 1, "currency", "USD")) == [
        "program.xlsx:FxRates!B2: FxRates lists USD, the program currency, whose rate is 1 by "
        "definition; remove the row"
    ]


def test_decimals_must_agree_with_iso_4217(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Program"] += [["decimals", 3]]
    assert errors(tmp_path, program) == [
        "program.xlsx:Program!B4: decimals must be 2, the minor units of USD in ISO 4217, got 3; "
        "remove the key or set it to 2"
    ]


def test_a_reversal_in_another_currency_than_its_deal_is_refused_at_its_currency_cell(tmp_path):
    p001 = partner(
        "P001",
        OCT,
        ["D1", "2026-10-03", "Core", "sourced", "Y", 20000, "won"],  # EUR, P001's currency
        ["D3", "2026-10-20", "Core", "sourced", "Y", 500, "refunded", "D1", "USD"],
    )
    assert errors(tmp_path, PROGRAM, {**OCT_DEALS, "P001": p001}) == [
        "P001.xlsx:Deals!I3: D3 reverses deal D1, which is in EUR, but is in USD; a reversal "
        "must be in its deal's currency"
    ]


def test_a_reversal_in_its_deal_s_currency_claws_back_the_ratio_of_the_deal_amounts(tmp_path):
    # D1 EUR 20,000.00 -> 21,600.00 USD pays 10 % = 2,160.00 (no earlier year-to-date).
    # D3 refunds EUR 333.33 -> 359.9964 -> 360.00 USD; the ratio is taken in EUR:
    # 333.33 / 20,000 x 2,160.00 = 35.99964 -> -36.00 (on USD amounts: 360/21,600 x 2,160 = 36.00
    # as well; EUR 333.34 gives 36.00072 -> 36.00 too, so look at a case where they differ:
    # EUR 4.63 -> 5.0004 -> 5.00 USD; in EUR 4.63 / 20,000 x 2,160 = 0.50004 -> 0.50, in USD
    # 5.00 / 21,600 x 2,160 = 0.50. Both agree here; the rate column shows share / amount).
    p001 = partner(
        "P001",
        OCT,
        ["D1", "2026-10-03", "Core", "sourced", "Y", 20000, "won"],
        ["D3", "2026-10-20", "Core", "sourced", "Y", "333.33", "refunded", "D1"],
    )
    path = write_program(tmp_path, PROGRAM, {**OCT_DEALS, "P001": p001})
    outcome = run_close(path, OCT)
    assert outcome.status is Status.CLOSED, outcome.problems
    rows = {(r["component"], r["item"]): r for r in lines_of(path.parent / "close-2026-10")}
    assert rows[("revenue_share", "D1")]["amount"] == "2160.00"
    assert rows[("clawback", "D3")]["amount"] == "-36.00"
    assert rows[("clawback", "D3")]["settlement_amount"] == "-32.73"  # -36.00 / 1.1 = -32.7272...


@pytest.mark.parametrize(
    "value",
    ["", "eur", "€", 978, 1234, "EURX", "E", " ", "1e300", "=A1", "12.5"],
)
def test_fuzzed_currency_cells_give_located_errors_and_no_traceback(tmp_path, value):
    for sheet, column in (("Partners", "currency"), ("FxRates", "currency")):
        found = errors(tmp_path / sheet, program_with(sheet, 1, column, value))
        assert all("!" in message for message in found), found
        if value not in ("", " "):
            assert found, (sheet, value)


@pytest.mark.parametrize("value", [0, -1, "text", 1e300, "1e300", "", "1,08"])
def test_fuzzed_rate_cells_give_located_errors_and_no_traceback(tmp_path, value):
    found = errors(tmp_path, program_with("FxRates", 3, "average", value))
    assert found
    assert all(message.startswith("program.xlsx:FxRates!C4: ") for message in found), found


def test_a_partner_in_kwd_settles_to_the_fils_and_a_program_in_jpy_to_the_yen(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Partners"][2][4] = "KWD"  # P002 now settles in Kuwaiti dinar (3 decimals)
    program["FxRates"].append(["2026-10", "KWD", "3.2400", "3.2500", "CBK"])
    d2 = ["D2", "2026-10-05", "Core", "sourced", "Y", 1500000, "won", None, "JPY"]
    path = write_program(tmp_path / "kwd", program, {**OCT_DEALS, "P002": partner("P002", OCT, d2)})
    outcome = run_close(path, OCT)
    assert outcome.status is Status.CLOSED, outcome.problems
    rows = {(r["partner_id"], r["item"]): r for r in lines_of(path.parent / "close-2026-10")}
    # JPY 1,500,000 x 0.0067 = USD 10,050.00; 10 % = 1,005.00; / 3.25 = 309.2307... -> 309.231
    assert rows[("P002", "D2")]["amount"] == "1005.00"
    assert rows[("P002", "D2")]["settlement_amount"] == "309.231"

    # A program in JPY: decimals come from ISO 4217 (0). P001 settles in EUR at
    # 160.50 JPY (average) and 162.00 JPY (closing): D1 EUR 20,000.00 -> JPY 3,210,000;
    # Gold's brackets are now in yen: 100,000 x 10 % + 3,110,000 x 15 % = JPY 476,500
    # -> EUR 476,500 / 162 = 2,941.3580... -> 2,941.36.
    program = copy.deepcopy(PROGRAM)
    program["Program"][2][1] = "JPY"
    program["Partners"][2][4] = None  # P002 in the program currency
    program["FxRates"] = [
        ["period", "currency", "average", "closing"],
        ["2026-10", "EUR", "160.50", "162.00"],
    ]
    p002 = partner("P002", OCT, ["D2", "2026-10-05", "Core", "sourced", "Y", 5005, "won"])
    path = write_program(tmp_path / "jpy", program, {**OCT_DEALS, "P002": p002})
    outcome = run_close(path, OCT)
    assert outcome.status is Status.CLOSED, outcome.problems
    rows = {(r["partner_id"], r["item"]): r for r in lines_of(path.parent / "close-2026-10")}
    assert (rows[("P001", "D1")]["quantity"], rows[("P001", "D1")]["amount"]) == (
        "3210000",
        "476500",
    )
    assert rows[("P001", "D1")]["settlement_amount"] == "2941.36"
    # 5,005 x 10 % = 500.5 -> 501 (half up to the yen)
    assert rows[("P002", "D2")]["amount"] == rows[("P002", "D2")]["settlement_amount"] == "501"


def recorded_rates(ledger: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(ledger) as db:
        return db.execute(
            "SELECT run_id, key, value FROM state_values WHERE kind = 'fx_rates' "
            "ORDER BY run_id, key"
        ).fetchall()


def test_the_ledger_keeps_the_rates_of_each_run_so_a_rerun_shows_the_change(tmp_path):
    path = write_program(tmp_path, PROGRAM, OCT_DEALS)
    ledger = tmp_path / "ledger.sqlite"
    first = run_close(path, OCT, ledger_path=ledger)
    assert first.status is Status.CLOSED, first.problems
    changed = program_with("FxRates", 3, "closing", "1.1200")  # EUR closing 1.10 -> 1.12
    write_program(tmp_path, changed, OCT_DEALS)
    again = run_close(path, OCT, ledger_path=ledger)
    assert again.status is Status.CLOSED, again.problems
    assert recorded_rates(ledger) == [
        (first.run_id, "EUR", "average 1.0800 closing 1.1000 source ECB reference rates"),
        (first.run_id, "JPY", "average 0.006700 closing 0.006500 source ECB reference rates"),
        (again.run_id, "EUR", "average 1.0800 closing 1.1200 source ECB reference rates"),
        (again.run_id, "JPY", "average 0.006700 closing 0.006500 source ECB reference rates"),
    ]


def test_a_campaign_in_another_currency_is_reimbursed_on_its_converted_spend(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Plans"] = [["plan", "mode", "mdf_cofund_pct"], ["Gold", "marginal", 0.5]]
    program["Plans"].append(["Flat", "marginal", 0])
    p001 = copy.deepcopy(OCT_DEALS["P001"])
    p001["Campaigns"] = [
        ["campaign_id", "spend", "approved", "currency"],
        ["C1", "5000.00", "Y", None],  # P001's currency: EUR 5,000.00 x 1.08 = USD 5,400.00
        ["C2", "1000000", "Y", "JPY"],  # JPY 1,000,000 x 0.0067 = USD 6,700.00
    ]
    path = write_program(tmp_path, program, {**OCT_DEALS, "P001": p001})
    outcome = run_close(path, OCT)
    assert outcome.status is Status.CLOSED, outcome.problems
    rows = {(r["component"], r["item"]): r for r in lines_of(path.parent / "close-2026-10")}
    # 50 % co-funding: 2,700.00 and 3,350.00 USD; in EUR / 1.1: 2,454.5454... -> 2,454.55
    # and 3,045.4545... -> 3,045.45
    assert [rows[("mdf", c)]["amount"] for c in ("C1", "C2")] == ["2700.00", "3350.00"]
    assert [rows[("mdf", c)]["settlement_amount"] for c in ("C1", "C2")] == [
        "2454.55",
        "3045.45",
    ]


def test_a_statement_can_show_the_net_in_the_partner_s_currency(example: Example) -> None:
    result = example.outcome.result
    assert result is not None
    eur = settlement_scalars(result, "P001", "USD")
    assert eur["settlement.currency"] == "EUR"
    assert eur["settlement.net"] == D("1490.91")
    assert eur["settlement.note"] == (
        "You settle in EUR: EUR 1,490.91. Each line is converted from USD at the closing rate "
        "of 1.1 USD per EUR and rounded line by line; each section's total says its amount "
        "in USD."
    )
    assert settlement_scalars(result, "HOST", "USD")["settlement.note"] == ""


def test_the_close_pack_shows_each_partner_in_both_currencies_and_the_rates(example: Example):
    book = load_workbook(example.folder / "close_pack.xlsx", read_only=True)
    currencies = [
        [cell for cell in row if cell is not None]
        for row in book["Currencies"].iter_rows(min_row=6, values_only=True)
    ]
    # P001: USD 1,640.00 net, EUR 1,490.91, difference 1,640.00 - round(1,490.91 x 1.1) = 0;
    # P002: USD 1,005.00, JPY 154,615, difference 1,005.00 - round(154,615 x 0.0065, 2)
    # = 1,005.00 - 1,004.9975 -> 1,005.00 = 0.
    assert [row for row in currencies if row][:2] == [
        ["P001", "Berlin Partner GmbH", "EUR", 1.1, 1640, "EUR 1,490.91", 0],
        ["P002", "Tokyo Reseller KK", "JPY", 0.0065, 1005, "JPY 154,615", 0],
    ]
    audit = [
        [cell for cell in row if cell is not None]
        for row in book["Audit"].iter_rows(values_only=True)
    ]
    assert ["EUR", 1.08, 1.1, "ECB reference rates"] in audit
    assert ["JPY", 0.0067, 0.0065, "ECB reference rates"] in audit


def _texts(path: Path) -> list[str]:
    ws = load_workbook(path)["Statement"]
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout.replace("\n", " ")


def test_a_statement_in_another_currency_shows_every_amount_in_it(example: Example) -> None:
    """Example X-a's P001 settles in EUR: lines, totals, the net, last period and the year
    to date are in EUR, each section's total says its USD amount and the rate (X2)."""
    ws = load_workbook(example.folder / "statements" / "P001.xlsx")["Statement"]
    assert ws["J5"].value == "EUR"  # the header's currency
    assert ws["G10"].value == 1490.91  # the net, prominent
    assert '"EUR"' in ws["G10"].number_format
    # Summary rows: cost sharing (17) and revenue share (19), this period / last / YTD.
    # September: cost share -1,100.00 USD / 1.08 (its closing rate) = -1,018.518... ->
    # EUR -1,018.52; revenue share 90,000.00 x 10 % = 9,000.00 USD / 1.08 -> EUR 8,333.33.
    # October: -1,000.00 and 2,490.91 (Example X-a). YTD: -2,018.52 and 10,824.24.
    assert [ws[f"{c}17"].value for c in "CDEF"] == [-1000, -1018.52, 18.52, -2018.52]
    assert [ws[f"{c}19"].value for c in "CDEF"] == [2490.91, 8333.33, -5842.42, 10824.24]
    texts = _texts(example.folder / "statements" / "P001.xlsx")
    assert "We will pay EUR 1,490.91 to your account on file by 30 November 2026." in texts
    assert "Total revenue share  ·  USD 2,740.00 at 1.1 USD per EUR" in texts
    assert "Total cost sharing  ·  USD -1,100.00 at 1.1 USD per EUR" in texts
    # the deal table keeps the rules' figures in USD and says so
    assert "Deals (deal and bracket amounts in USD; revenue share in EUR)" in texts
    if shutil.which("pdftotext"):
        pdf = _pdf_text(example.folder / "statements" / "P001.pdf")
        assert "Amount payable to you EUR 1,490.91" in pdf
        assert "Total revenue share · USD 2,740.00 at 1.1 USD per EUR EUR 2,490.91" in pdf
        assert "Net settlement EUR 1,490.91" in pdf


def test_a_statement_in_yen_shows_whole_yen(example: Example) -> None:
    """P002 settles in JPY (0 decimals): its amounts are whole yen on the page."""
    ws = load_workbook(example.folder / "statements" / "P002.xlsx")["Statement"]
    assert ws["J5"].value == "JPY"
    assert ws["G10"].value == 154615
    assert ws["G10"].number_format.count("#,##0.00") == 0
    assert '"JPY"' in ws["G10"].number_format
    assert ws["C19"].number_format.count("#,##0.00") == 0  # the summary too
    texts = _texts(example.folder / "statements" / "P002.xlsx")
    assert "We will pay JPY 154,615 to your account on file by 30 November 2026." in texts
    if shutil.which("pdftotext"):
        pdf = _pdf_text(example.folder / "statements" / "P002.pdf")
        assert "Amount payable to you JPY 154,615" in pdf
        assert "154,615.00" not in pdf


def test_a_year_to_date_whose_rate_is_gone_uses_this_period_s_rate_and_says_so(tmp_path):
    """September's FxRates rows deleted before October's close: P001's year to date in EUR
    converts September's lines at October's closing rate, and the close warns."""
    d0 = ["D0", "2026-09-10", "Core", "sourced", "Y", 90000, "won", None, "USD"]
    path = write_program(tmp_path / "sep", PROGRAM, {"P001": partner("P001", SEP, d0)})
    ledger = tmp_path / "ledger.sqlite"
    assert run_close(path, SEP, final=True, ledger_path=ledger).status is Status.CLOSED
    program = copy.deepcopy(PROGRAM)
    program["FxRates"] = [row for row in program["FxRates"] if row[0] != "2026-09"]
    d1 = ["D1", "2026-10-03", "Core", "sourced", "Y", 20000, "won"]
    path = write_program(tmp_path / "oct", program, {"P001": partner("P001", OCT, d1)})
    outcome = run_close(path, OCT, ledger_path=ledger)
    assert outcome.status is Status.CLOSED, outcome.problems
    assert [str(p) for p in outcome.problems if "2026-09" in p.message] == [
        "program.xlsx:FxRates!A1: warning: no FxRates row for EUR in 2026-09: the year to "
        "date and last period of partners settling in EUR use the closing rate of 2026-10 "
        "for 2026-09; add the row of 2026-09 to show them as they were sent"
    ]
    ws = load_workbook(path.parent / "close-2026-10" / "statements" / "P001.xlsx")["Statement"]
    # September's 9,000.00 USD revenue share / 1.1 = 8,181.8181... -> EUR 8,181.82
    assert ws["D19"].value == 8181.82


def close_september_then(tmp_path: Path, *october: list[object]) -> CloseOutcome:
    """September final pays P001's D1 (EUR 20,000.00 at 1.07 = USD 21,400.00; Gold 10 % =
    2,140.00); October closes `october`'s rows of P001 on the same ledger (EUR at 1.08)."""
    d1 = ["D1", "2026-09-10", "Core", "sourced", "Y", 20000, "won"]
    ledger = tmp_path / "ledger.sqlite"
    path = write_program(tmp_path / "sep", PROGRAM, {"P001": partner("P001", SEP, d1)})
    outcome = run_close(path, SEP, final=True, ledger_path=ledger)
    assert outcome.status is Status.CLOSED, outcome.problems
    assert {(line.item, line.amount) for line in outcome.result.lines if line.item == "D1"} == {
        ("D1", D("2140.00"))
    }
    path = write_program(tmp_path / "oct", PROGRAM, {"P001": partner("P001", OCT, *october)})
    return run_close(path, OCT, ledger_path=ledger)


def test_a_full_refund_of_an_earlier_month_s_deal_is_bounded_and_taken_in_its_currency(tmp_path):
    # EUR 20,000.00 refunded in October converts to USD 21,600.00, more than the 21,400.00
    # D1 converted to in September; in EUR it is the whole deal: -2,140.00, all of its share.
    outcome = close_september_then(
        tmp_path, ["D4", "2026-10-05", "Core", "sourced", "Y", 20000, "refunded", "D1"]
    )
    assert outcome.status is Status.CLOSED, outcome.problems
    [claw] = [line for line in outcome.result.lines if line.item == "D4"]
    assert (claw.component, claw.amount) == ("clawback", D("-2140.00"))
    assert not [p for p in outcome.problems if p.severity is Severity.ERROR]


def test_a_refund_of_an_earlier_month_s_deal_beyond_its_amount_is_an_error_in_its_currency(
    tmp_path,
):
    outcome = close_september_then(
        tmp_path,
        ["D4", "2026-10-05", "Core", "sourced", "Y", 15000, "refunded", "D1"],
        ["D5", "2026-10-06", "Core", "sourced", "Y", "5000.01", "refunded", "D1"],
    )
    assert outcome.status is Status.INVALID
    assert [str(p) for p in outcome.problems if p.severity is Severity.ERROR] == [
        "P001.xlsx:Deals!F3: reversals of deal D1 add up to 20000.01 EUR, more than its amount "
        "20000.00 EUR"
    ]


def test_a_reversal_of_an_earlier_month_s_deal_in_another_currency_is_refused(tmp_path):
    outcome = close_september_then(
        tmp_path, ["D4", "2026-10-05", "Core", "sourced", "Y", 500, "refunded", "D1", "USD"]
    )
    assert outcome.status is Status.INVALID
    assert [str(p) for p in outcome.problems if p.severity is Severity.ERROR] == [
        "P001.xlsx:Deals!I2: D4 reverses deal D1, which is in EUR, but is in the program "
        "currency; a reversal must be in its deal's currency"
    ]
