"""The DuckDB row engine against the Decimal core: identical lines, details and state.

A differential property test on generated programs (tests/engines/programs.py), the
spec's Examples R-a and R-b through workbook files and `close --engine duckdb`, the
Program key `engine`, and control totals that catch a tampered engine result.
"""

from __future__ import annotations

import copy
import csv
import random
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerclose.cli import main
from partnerclose.core.lines import Component
from partnerclose.core.problems import Severity
from partnerclose.core.records import Loc
from partnerclose.core.revenue import RevenueResult, compute_revenue
from partnerclose.core.revenue_rows import EngineRows, RowRequest
from partnerclose.engines import Unavailable
from partnerclose.engines.duckdb_engine import DuckDBEngine
from tests.core.factories_revenue import R_A_DEALS, YTD_90K, make_program, paid, state_of, won
from tests.core.factories_revenue import partner as plan_partner
from tests.engines.programs import OCT, Generated, generate
from tests.workbook_files import DEALS_HEADER, PROGRAM, Sheets, write_workbook

ENGINE = DuckDBEngine(threads=1)


def both(generated: Generated, engine: object = ENGINE) -> tuple[RevenueResult, RevenueResult]:
    """The Decimal core's result and the engine's, for one generated program."""
    args = (generated.program, OCT, generated.deals, (), generated.state)
    return compute_revenue(*args), compute_revenue(*args, engine)  # type: ignore[arg-type]


def assert_identical(core: RevenueResult, engine: RevenueResult) -> None:
    """Every line, deal detail, true-up, partner figure, problem and paid deal alike."""
    assert engine.problems == core.problems
    assert engine.lines == core.lines
    assert engine.deals == core.deals
    assert engine.true_ups == core.true_ups
    assert engine.partners == core.partners
    assert dict(engine.next_state.paid_deals) == dict(core.next_state.paid_deals)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), partners=st.integers(1, 6), deals=st.integers(0, 60))
def test_duckdb_pays_every_generated_program_as_the_decimal_core(
    seed: int, partners: int, deals: int
) -> None:
    generated = generate(random.Random(seed), partners, deals)
    core, engine = both(generated)
    assert_identical(core, engine)


def test_a_generated_program_pays_real_lines() -> None:
    """The generator makes programs the test can fail on: paid deals, true-ups, caps."""
    found = dict.fromkeys((Component.REVENUE_SHARE, Component.TRUE_UP), 0)
    for seed in range(12):
        core, engine = both(generate(random.Random(seed), 5, 60))
        assert_identical(core, engine)
        for line in core.lines:
            if line.component in found:
                found[line.component] += 1
    assert found[Component.REVENUE_SHARE] > 200
    assert found[Component.TRUE_UP] > 3


def test_example_r_a_on_duckdb() -> None:
    """rules.md Example R-a: 4,000.00, 26,500.00 and 300.00; YTD after 280,000.00."""
    result = compute_revenue(make_program(), OCT, R_A_DEALS, (), YTD_90K, ENGINE)
    paid = {x.item: x.amount for x in result.lines if x.component is Component.REVENUE_SHARE}
    assert paid == {"D1": D("4000.00"), "D2": D("26500.00"), "D3": D("300.00")}
    assert result.partners["P001"].ytd_after == D("280000.00")
    (d2,) = [d for d in result.deals if d.deal_id == "D2"]
    assert [(p.start, p.end, p.rate) for p in d2.parts] == [
        (D("120000.00"), D("250000.00"), D("0.15")),
        (D("250000.00"), D("270000.00"), D("0.20")),
    ]


def test_half_a_cent_rounds_up_on_duckdb() -> None:
    """rules.md section 0: 1,234.50 x 3 % = 37.035 -> 37.04 (a float gives 37.03)."""
    deals = (replace(R_A_DEALS[2], amount=D("1234.50")),)  # unregistered: influenced 3 %
    result = compute_revenue(make_program(), OCT, deals, (), YTD_90K, ENGINE)
    assert [x.amount for x in result.lines if x.component is Component.REVENUE_SHARE] == [
        D("37.04")
    ]


# --- control totals --------------------------------------------------------------------


class Tampered:
    """DuckDB's results with one thing changed, as a faulty engine might return them."""

    name = "duckdb"

    def __init__(self, change: str) -> None:
        self.change = change

    def run(self, request: RowRequest) -> EngineRows:
        rows = ENGINE.run(request)
        share = list(rows.share)
        if self.change == "null":
            share[1] = None
        elif self.change == "cent":
            share[1] = share[1] + D("0.01")  # type: ignore[operator]
        elif self.change == "swap":
            share[0], share[1] = share[1], share[0]
        elif self.change == "lost":
            return replace(
                rows,
                **{
                    f: getattr(rows, f)[1:]
                    for f in ("deal_id", "partner_id", "paid_type", "ytd_start", "exact")
                },
                share=share[1:],
                point_rate=rows.point_rate[1:],
                bonus=rows.bonus[1:],
            )
        return replace(rows, share=share)


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ("null", "a deal's share came back empty (NULL)"),
        ("cent", "sum of shares in minor units 3080001 received, 3080000 reported"),
        ("swap", "checksum"),
        ("lost", "rows 2 received, 3 reported"),
    ],
)
def test_a_tampered_engine_result_is_a_located_error(change: str, what: str) -> None:
    where = Loc("program.xlsx", "Partners", 2, {"partner_id": "A"})
    program = make_program(
        partners=(replace(plan_partner("P001"), loc=where), plan_partner("P002", "Silver"))
    )
    result = compute_revenue(program, OCT, R_A_DEALS, (), YTD_90K, Tampered(change))
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    assert len(errors) == 1
    (error,) = errors
    assert what in error.message
    assert error.message.startswith(
        "the duckdb engine's revenue-share results for P001 fail their control totals ("
    )
    assert error.location == "program.xlsx:Partners!A2"
    # the close stops on the error; the lines it would have had are the core's own
    core = compute_revenue(program, OCT, R_A_DEALS, (), YTD_90K)
    assert result.lines == core.lines


# --- end to end from workbook files ----------------------------------------------------

R_A_ROWS = [
    ["D1", date(2026, 10, 3), "Core", "sourced", "Y", 30000, "won", None],
    ["D2", date(2026, 10, 12), "Analytics", "sourced", "Y", 150000, "won", None],
    ["D3", date(2026, 10, 20), "Core", "sourced", "N", 10000, "won", None],
]


def example_program(**keys: object) -> Sheets:
    """Example R-a's Gold for P001 and Example R-b's Silver for P002 on the test program."""
    program = copy.deepcopy(PROGRAM)
    program["Program"] += [[k, v] for k, v in keys.items()]
    program["Partners"][2][2] = "Silver"
    program["Plans"].append(["Silver", "retroactive"])
    program["RevenueTiers"] += [
        ["Gold", "sourced", 250000, 0.20],
        ["Silver", "sourced", 0, 0.08],
        ["Silver", "sourced", 100000, 0.12],
    ]
    return program


def partner(pid: str, period: str, deals: list[list[object]]) -> Sheets:
    return {
        "Partner": [["key", "value"], ["partner_id", pid], ["period", period]],
        "Usage": [["pool_id", "units"], ["CRM", 100]],
        "Deals": [DEALS_HEADER, *deals],
    }


def close(folder: Path, program: Sheets, period: str, p001, p002, *extra: str) -> int:
    path = write_workbook(folder / "program.xlsx", program)
    write_workbook(folder / "partners" / f"P001_{period}.xlsx", partner("P001", period, p001))
    write_workbook(folder / "partners" / f"P002_{period}.xlsx", partner("P002", period, p002))
    return main(["close", str(path), "--period", period, "--no-pdf", *extra])


def revenue_lines(folder: Path, period: str) -> dict[tuple[str, str, str], str]:
    with (folder / f"close-{period}" / "lines.csv").open(newline="") as handle:
        return {
            (row["partner_id"], row["component"], row["item"]): row["amount"]
            for row in csv.DictReader(handle)
            if row["component"] in ("revenue_share", "true_up")
        }


def test_examples_r_a_and_r_b_close_on_duckdb_from_workbooks(tmp_path: Path) -> None:
    """R-a: YTD 90,000.00 before October; R-b: P002's 80,000.00 paid 6,400.00 at 8 %,
    then D4 40,000.00 -> 12 %: 4,800.00 and a true-up of 3,200.00."""
    september_p001 = [["D0", date(2026, 9, 8), "Core", "sourced", "Y", 90000, "won", None]]
    september_p002 = [["D9", date(2026, 9, 9), "Core", "sourced", "Y", 80000, "won", None]]
    program = example_program()
    assert close(tmp_path, program, "2026-09", september_p001, september_p002, "--final") == 0
    d4 = [["D4", date(2026, 10, 14), "Core", "sourced", "Y", 40000, "won", None]]
    assert close(tmp_path, program, "2026-10", R_A_ROWS, d4, "--engine", "duckdb") == 0
    lines = revenue_lines(tmp_path, "2026-10")
    assert lines == {
        ("P001", "revenue_share", "D1"): "4000.00",
        ("P001", "revenue_share", "D2"): "26500.00",
        ("P001", "revenue_share", "D3"): "300.00",
        ("P002", "revenue_share", "D4"): "4800.00",
        ("P002", "true_up", "Silver"): "3200.00",
    }
    # the Program key does the same as the option, and the Decimal core agrees to the byte
    decimal = tmp_path / "decimal"
    keyed = tmp_path / "keyed"
    for folder, keys in ((decimal, {}), (keyed, {"engine": "duckdb"})):
        folder.mkdir()
        with_keys = example_program(**keys)
        assert close(folder, with_keys, "2026-09", september_p001, september_p002, "--final") == 0
        assert close(folder, with_keys, "2026-10", R_A_ROWS, d4) == 0
    for name in ("lines.csv", "journal.csv"):
        expected = (decimal / "close-2026-10" / name).read_bytes()
        assert (tmp_path / "close-2026-10" / name).read_bytes() == expected
        assert (keyed / "close-2026-10" / name).read_bytes() == expected


def test_an_unknown_engine_key_is_a_located_error_with_a_guess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = example_program(engine="duckbd")
    assert close(tmp_path, program, "2026-10", R_A_ROWS, []) != 0
    err = capsys.readouterr().err
    assert (
        "program.xlsx:Program!B5: engine must be one of decimal, duckdb, spark, got "
        '"duckbd"; did you mean "duckdb"?'
    ) in err


def test_a_threshold_met_exactly_is_reached_on_duckdb() -> None:
    """R4 (rules.md: "a threshold itself counts as reached"): Silver's P002 paid 80,000.00
    at 8 % earlier, D4 20,000.00 brings YTD to 100,000.00 exactly -> 12 %: 2,400.00 and a
    true-up of 80,000 x 12 % - 6,400.00 = 3,200.00."""
    earlier = paid("D9", date(2026, 9, 9), "80000.00", "6400.00", partner_id="P002")
    d4 = won("D4", date(2026, 10, 14), "20000.00", partner_id="P002")
    args = (make_program(), OCT, (d4,), (), state_of(earlier))
    core, engine = compute_revenue(*args), compute_revenue(*args, ENGINE)
    assert_identical(core, engine)
    assert {x.component: x.amount for x in engine.lines} == {
        Component.REVENUE_SHARE: D("2400.00"),
        Component.TRUE_UP: D("3200.00"),
    }


def test_rates_beyond_what_decimal_38_keeps_are_refused_at_the_engine_cell() -> None:
    """Amounts with 2 and a rate with 9 decimal places need 11 digits: the engine refuses
    (a located error, so the close stops) rather than round."""
    program = make_program()
    settings = replace(program.settings, loc=Loc("program.xlsx", "Program", 0, {"engine": "B9"}))
    tiers = (replace(program.revenue_tiers[0], rate=D("0.100000001")), *program.revenue_tiers[1:])
    program = replace(program, settings=settings, revenue_tiers=tiers)
    result = compute_revenue(program, OCT, R_A_DEALS, (), YTD_90K, ENGINE)
    (error,) = [p for p in result.problems if p.severity is Severity.ERROR]
    assert str(error) == (
        "program.xlsx:Program!B9: the duckdb engine could not compute the revenue share: "
        "amounts with 2 and rates with 9 decimal places need more than the 10 an engine "
        "keeps exactly within DECIMAL(38); nothing was computed"
    )


def test_an_engine_whose_libraries_are_missing_is_an_error_at_the_engine_cell() -> None:
    """The desktop bundle leaves pyarrow and pyspark out: asking it for an engine says so."""
    program = make_program()
    settings = replace(program.settings, loc=Loc("program.xlsx", "Program", 0, {"engine": "B9"}))
    program = replace(program, settings=settings)
    missing = Unavailable("duckdb", "pyarrow")
    result = compute_revenue(program, OCT, R_A_DEALS, (), YTD_90K, missing)
    (error,) = [p for p in result.problems if p.severity is Severity.ERROR]
    assert str(error) == (
        "program.xlsx:Program!B9: the duckdb engine could not compute the revenue share: "
        "pyarrow is not installed here (pip install 'partnerclose[spark]' installs every "
        "engine's libraries); close with engine decimal; nothing was computed"
    )
