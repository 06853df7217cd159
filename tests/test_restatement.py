"""Restatement of a final period (rules.md P3), through workbook files.

Example P-c: pool CRM, 12,000.00, basis usage, participants P001 and P002 only.
September (final): P001 100 seats, P002 300 seats -> -3,000.00 and -9,000.00. In
October, P001's corrected September workbook says 200 seats: restated September
P001 200 / 500 -> -4,800.00, P002 -7,200.00. The October close carries
`prior_period_adjustment` -1,800.00 for P001 and +1,800.00 for P002 (item
`2026-09 cost_share`).
"""

from __future__ import annotations

import copy
import csv
import shutil
import subprocess
import tempfile
from decimal import Decimal as D
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from partnerclose.cli import main
from partnerclose.core.lines import Component, Line
from partnerclose.core.period import Period
from partnerclose.ledger.location import open_ledger
from partnerclose.pipeline import CloseOutcome, Status, run_close
from tests.workbook_files import MILESTONE_HEADER, PROGRAM, Sheets, write_workbook

SEP, OCT, NOV = Period(2026, 9), Period(2026, 10), Period(2026, 11)
PPA = Component.PRIOR_PERIOD_ADJUSTMENT


def pc_program() -> Sheets:
    """Example P-c's program: CRM shared by P001 and P002 by usage, no host share."""
    program = copy.deepcopy(PROGRAM)
    program["Commitments"] = [
        ["partner_id", "pool_id", "committed_capacity"],
        ["P001", "CRM", 350],
        ["P002", "CRM", 400],
    ]
    del program["Usage"]
    program["Accounts"] = [
        ["component", "debit_account", "credit_account"],
        ["cost_share", "1250", "6150"],
        ["revenue_share", "5200", "2150"],
    ]
    return program


def partner_book(pid: str, period: Period, seats: int) -> Sheets:
    return {
        "Partner": [["key", "value"], ["partner_id", pid], ["period", str(period)]],
        "Usage": [["pool_id", "units"], ["CRM", seats]],
    }


def write_month(folder: Path, period: Period, seats: dict[str, int]) -> None:
    for pid, units in seats.items():
        write_workbook(
            folder / "partners" / f"{pid}_{period}.xlsx", partner_book(pid, period, units)
        )


def amounts(outcome: CloseOutcome, component: Component) -> dict[tuple[str, str], D]:
    assert outcome.result is not None, (outcome.message, outcome.problems)
    return {
        (line.partner_id, line.item): line.amount
        for line in outcome.result.lines
        if line.component is component
    }


def closed(outcome: CloseOutcome) -> CloseOutcome:
    assert outcome.status is Status.CLOSED, (outcome.message, outcome.problems)
    return outcome


def pc_september(folder: Path, ledger: Path | str) -> tuple[Path, Path]:
    """September closed final; October's workbooks; the corrected September P001 file."""
    program = write_workbook(folder / "program.xlsx", pc_program())
    write_month(folder, SEP, {"P001": 100, "P002": 300})
    sep = closed(run_close(program, SEP, final=True, ledger_path=ledger))
    assert amounts(sep, Component.COST_SHARE) == {
        ("P001", "CRM"): D("-3000.00"),
        ("P002", "CRM"): D("-9000.00"),
    }
    write_month(folder, OCT, {"P001": 100, "P002": 300})
    corrections = folder / "corrections"
    write_workbook(corrections / f"P001_{SEP}.xlsx", partner_book("P001", SEP, 200))
    return program, corrections


def final_lines(ledger: Path | str, program: Path, period: Period) -> list[Line]:
    with open_ledger(ledger, program) as opened:
        (run,) = [r for r in opened.final_runs(period) if r.status == "current"]
        return opened.lines(run.run_id)


def test_example_p_c(ledger_at, tmp_path, capsys):
    program, corrections = pc_september(tmp_path, ledger_at)
    ledger = ["--ledger", str(ledger_at)]
    recorded_sep = final_lines(ledger_at, program, SEP)

    # A draft shows the effect and records no restated version.
    draft = closed(
        run_close(program, OCT, ledger_path=ledger_at, restate=[SEP], corrections=corrections)
    )
    expected = {
        ("P001", "2026-09 cost_share"): D("-1800.00"),
        ("P002", "2026-09 cost_share"): D("1800.00"),
    }
    assert amounts(draft, PPA) == expected
    assert final_lines(ledger_at, program, SEP) == recorded_sep
    with open_ledger(ledger_at, program) as opened:
        assert len(opened.final_runs(SEP)) == 1

    code = main(
        ["close", str(program), "--period", "2026-10", "--restate", "2026-09",
         "--corrections", str(corrections), "--final", *ledger]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "Restated 2026-09 (restated versions recorded): 2 prior-period adjustments" in out
    assert "P001  2026-09 cost_share  -1,800.00" in out

    rows = list(csv.DictReader((tmp_path / "close-2026-10" / "lines.csv").open()))
    ppa = [r for r in rows if r["component"] == "prior_period_adjustment"]
    assert [(r["partner_id"], r["item"], r["amount"]) for r in ppa] == [
        ("P001", "2026-09 cost_share", "-1800.00"),
        ("P002", "2026-09 cost_share", "1800.00"),
    ]
    assert ppa[0]["description"] == (
        "2026-09 cost share restated: Usage corrected in P001_2026-09.xlsx "
        "(recorded -3,000.00, restated -4,800.00)"
    )
    assert ppa[0]["rule"] == "P3"
    # October's own cost shares are unchanged by the restatement; the net carries it.
    cost = {
        (r["partner_id"], r["item"]): r["amount"] for r in rows if r["component"] == "cost_share"
    }
    assert cost == {("P001", "CRM"): "-3000.00", ("P002", "CRM"): "-9000.00"}
    # Journalled through the accounts of the corrected component (cost_share, debit 1250,
    # credit 6150 for a charge): P001's extra charge as a cost share, P002's refund reversed.
    journal = list(csv.DictReader((tmp_path / "close-2026-10" / "journal.csv").open()))
    ppa_rows = [r for r in journal if r["component"] == "prior_period_adjustment"]
    assert {(r["partner_id"], r["account"], r["debit"], r["credit"]) for r in ppa_rows} == {
        ("P001", "1250", "1800.00", "0.00"),
        ("P001", "6150", "0.00", "1800.00"),
        ("P002", "6150", "1800.00", "0.00"),
        ("P002", "1250", "0.00", "1800.00"),
    }

    # The original September close stays as recorded; the restated one is version 2.
    with open_ledger(ledger_at, program) as opened:
        sep_runs = opened.final_runs(SEP)
        assert [r.status for r in sep_runs] == ["replaced", "current"]
        assert opened.lines(sep_runs[0].run_id) == recorded_sep
    restated = {(x.partner_id, x.item): x.amount for x in final_lines(ledger_at, program, SEP)}
    assert restated[("P001", "CRM")] == D("-4800.00")
    assert restated[("P002", "CRM")] == D("-7200.00")
    assert main(["history", str(program), *ledger]) == 0
    history = capsys.readouterr().out
    assert "2026-09 version 2 (restated)" in history
    assert "2026-09 version 1 (run" in history
    # Both the restated September and October verify from their kept inputs.
    for period in ("2026-09", "2026-10"):
        assert main(["verify", str(program), "--period", period, *ledger]) == 0, capsys.readouterr()
    capsys.readouterr()


def test_two_periods_restated_in_one_close_and_the_next_close_starts_from_them(tmp_path, capsys):
    program, _ = pc_september(tmp_path, tmp_path / "program.xlsx.ledger.sqlite")
    closed(run_close(program, OCT, final=True))
    write_month(tmp_path, NOV, {"P001": 100, "P002": 300})
    corrections = tmp_path / "both"
    write_workbook(corrections / f"P001_{SEP}.xlsx", partner_book("P001", SEP, 200))
    write_workbook(corrections / f"P001_{OCT}.xlsx", partner_book("P001", OCT, 200))
    nov = closed(run_close(program, NOV, final=True, restate=[OCT, SEP], corrections=corrections))
    # Each month: P001 200 / 500 of 12,000.00 = -4,800.00 against -3,000.00 recorded.
    assert amounts(nov, PPA) == {
        ("P001", "2026-09 cost_share"): D("-1800.00"),
        ("P001", "2026-10 cost_share"): D("-1800.00"),
        ("P002", "2026-09 cost_share"): D("1800.00"),
        ("P002", "2026-10 cost_share"): D("1800.00"),
    }
    ledger = tmp_path / "program.xlsx.ledger.sqlite"
    for period in (SEP, OCT):
        restated = {(x.partner_id, x.item): x.amount for x in final_lines(ledger, program, period)}
        assert restated[("P001", "CRM")] == D("-4800.00")
    assert main(["verify", str(program), "--period", "2026-11"]) == 0
    capsys.readouterr()


def test_unchanged_files_give_no_adjustment_and_a_foreign_file_is_refused(tmp_path, capsys):
    program, _ = pc_september(tmp_path, tmp_path / "program.xlsx.ledger.sqlite")
    same = tmp_path / "same"
    same.mkdir()
    for name in ("P001", "P002"):
        source = tmp_path / "partners" / f"{name}_{SEP}.xlsx"
        (same / source.name).write_bytes(source.read_bytes())
    draft = closed(run_close(program, OCT, restate=[SEP], corrections=same))
    assert amounts(draft, PPA) == {}

    foreign = tmp_path / "foreign"
    write_workbook(foreign / "P009_2026-09.xlsx", partner_book("P009", SEP, 1))
    code = main(
        ["close", str(program), "--period", "2026-10", "--restate", "2026-09",
         "--corrections", str(foreign)]
    )  # fmt: skip
    assert code == 3
    err = capsys.readouterr().err
    assert "the corrected file P009_2026-09.xlsx" in err
    assert "is not an input of the final close of 2026-09" in err
    assert main(["close", str(program), "--period", "2026-10", "--restate", "2026-10",
                 "--corrections", str(same)]) == 3  # fmt: skip
    assert "only a period before 2026-10" in capsys.readouterr().err


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sep=st.tuples(st.integers(1, 400), st.integers(1, 400)),
    oct_=st.tuples(st.integers(1, 400), st.integers(1, 400)),
    corrected=st.integers(1, 400),
)
def test_restating_equals_a_fresh_chain_closed_with_the_corrected_files(sep, oct_, corrected):
    """Per partner: Σ prior-period adjustments of November = (lines of a chain closed with
    the corrected September from the start) − (recorded lines), over September and October;
    with unchanged files none, and the restated months verify."""
    with tempfile.TemporaryDirectory() as scratch:
        recorded, fresh = Path(scratch) / "recorded", Path(scratch) / "fresh"
        nets: dict[Path, dict[str, D]] = {}
        for folder, p001_sep in ((recorded, sep[0]), (fresh, corrected)):
            program = write_workbook(folder / "program.xlsx", pc_program())
            nets[folder] = {}
            for period, seats in ((SEP, (p001_sep, sep[1])), (OCT, oct_)):
                write_month(folder, period, {"P001": seats[0], "P002": seats[1]})
                outcome = closed(run_close(program, period, final=True))
                for line in outcome.result.lines:  # type: ignore[union-attr]
                    nets[folder][line.partner_id] = (
                        nets[folder].get(line.partner_id, D(0)) + line.amount
                    )
        program = recorded / "program.xlsx"
        write_month(recorded, NOV, {"P001": 10, "P002": 10})
        same = Path(scratch) / "same"
        write_workbook(same / f"P001_{SEP}.xlsx", partner_book("P001", SEP, sep[0]))
        unchanged = closed(run_close(program, NOV, restate=[SEP], corrections=same))
        assert amounts(unchanged, PPA) == {}
        corrections = Path(scratch) / "corrections"
        write_workbook(corrections / f"P001_{SEP}.xlsx", partner_book("P001", SEP, corrected))
        nov = closed(run_close(program, NOV, final=True, restate=[SEP], corrections=corrections))
        got: dict[str, D] = {}
        for line in nov.result.lines:  # type: ignore[union-attr]
            if line.component is PPA:
                got[line.partner_id] = got.get(line.partner_id, D(0)) + line.amount
        for pid in ("P001", "P002"):
            want = nets[fresh].get(pid, D(0)) - nets[recorded].get(pid, D(0))
            assert got.get(pid, D(0)) == want
        for period in ("2026-09", "2026-10"):
            assert main(["verify", str(program), "--period", period]) == 0


def test_a_restated_allocation_is_the_guardrail_s_last_period(tmp_path):
    """C6 after P3, worked by hand. CRM with max_change_pct 0.25. September as recorded:
    P001 -3,000.00, P002 -9,000.00; restated (P001 200 seats): -4,800.00 and -7,200.00.
    October, 100 and 300 seats again, computes -3,000.00 and -9,000.00. Against the
    restated September P001's band is [3,600.00, 6,000.00]: held at 3,600.00, a
    `guardrail` line of -600.00 on P001 and +600.00 on HOST; P002's band [5,400.00,
    9,000.00] holds 9,000.00. Against the recorded September both would be in band."""
    sheets = pc_program()
    sheets["CostPools"] = [
        ["pool_id", "name", "amount", "basis", "max_change_pct"],
        ["CRM", "CRM licences", 12000, "usage", 0.25],
    ]
    program = write_workbook(tmp_path / "program.xlsx", sheets)
    write_month(tmp_path, SEP, {"P001": 100, "P002": 300})
    closed(run_close(program, SEP, final=True))
    write_month(tmp_path, OCT, {"P001": 100, "P002": 300})
    corrections = tmp_path / "corrections"
    write_workbook(corrections / f"P001_{SEP}.xlsx", partner_book("P001", SEP, 200))

    plain = closed(run_close(program, OCT))
    assert amounts(plain, Component.GUARDRAIL) == {}

    restated = closed(run_close(program, OCT, restate=[SEP], corrections=corrections))
    assert amounts(restated, Component.GUARDRAIL) == {
        ("P001", "CRM"): D("-600.00"),
        ("HOST", "CRM"): D("600.00"),
    }
    assert amounts(restated, PPA) == {
        ("P001", "2026-09 cost_share"): D("-1800.00"),
        ("P002", "2026-09 cost_share"): D("1800.00"),
    }


def test_a_restatement_that_changes_the_reserve_fund(tmp_path):
    """C8 after P3, worked by hand. Reserve opening 10,000.00, savings share 0.10;
    standalone costs P001 6,000.00, P002 8,000.00. September as recorded: P001 saves
    6,000 - 3,000 = 3,000 -> 300.00; P002 8,000 - 9,000 < 0 -> 0; balance 10,300.00.
    Restated (P001 200 seats): P001 6,000 - 4,800 -> 120.00; P002 8,000 - 7,200 -> 80.00;
    balance 10,200.00. October carries the differences (+180.00 and -80.00 of reserve
    contribution beside the cost shares' -1,800.00 and +1,800.00), and its own
    contributions (300.00 and 0) start from the restated balance: 10,500.00."""
    sheets = pc_program()
    sheets["Program"] = [*sheets["Program"], ["reserve_savings_pct", 0.1]]
    sheets["Commitments"] = [
        ["partner_id", "pool_id", "committed_capacity", "standalone_cost"],
        ["P001", "CRM", 350, 6000],
        ["P002", "CRM", 400, 8000],
    ]
    program = write_workbook(tmp_path / "program.xlsx", sheets)
    write_month(tmp_path, SEP, {"P001": 100, "P002": 300})
    sep = closed(run_close(program, SEP, final=True))
    assert amounts(sep, Component.RESERVE_CONTRIBUTION) == {("P001", ""): D("-300.00")}
    write_month(tmp_path, OCT, {"P001": 100, "P002": 300})
    corrections = tmp_path / "corrections"
    write_workbook(corrections / f"P001_{SEP}.xlsx", partner_book("P001", SEP, 200))

    oct_ = closed(run_close(program, OCT, final=True, restate=[SEP], corrections=corrections))
    assert amounts(oct_, PPA) == {
        ("P001", "2026-09 cost_share"): D("-1800.00"),
        ("P002", "2026-09 cost_share"): D("1800.00"),
        ("P001", "2026-09 reserve_contribution"): D("180.00"),
        ("P002", "2026-09 reserve_contribution"): D("-80.00"),
    }
    assert amounts(oct_, Component.RESERVE_CONTRIBUTION) == {("P001", ""): D("-300.00")}
    assert oct_.result is not None
    assert oct_.result.next_state.cost.reserve_balance == D("10500.00")
    with open_ledger(tmp_path / "program.xlsx.ledger.sqlite", program) as opened:
        (run,) = [r for r in opened.final_runs(SEP) if r.status == "current"]
        restated_sep = {(x.partner_id, x.item): x.amount for x in opened.lines(run.run_id)
                        if x.component is Component.RESERVE_CONTRIBUTION}  # fmt: skip
    assert restated_sep == {("P001", ""): D("-120.00"), ("P002", ""): D("-80.00")}


def _metric_book(pid: str, period: Period, seats: int, rate: float) -> Sheets:
    book = partner_book(pid, period, seats)
    book["Metrics"] = [["metric", "value"], ["activation_rate", rate]]
    return book


def test_a_restated_milestone_metric(tmp_path):
    """M1/M2 after P3, worked by hand (Example M-a's curve: F 0.40, T 0.60, C 0.80;
    payouts 2,000.00 / 10,000.00 / 15,000.00; linear, once). September as recorded:
    activation 0.50 -> 6,000.00. The corrected September says 0.70 -> 12,500.00: October
    carries +6,500.00 for it. October reports 0.70 again: paying the increase over what
    the milestone accrued, it pays 0 from the restated September (6,500.00 from the
    recorded one): the partner gets 12,500.00 in all either way."""
    sheets = pc_program()
    sheets["Milestones"] = [
        MILESTONE_HEADER,
        ["M1", "P001", None, "activation_rate", 0.4, 0.6, 0.8, 2000, 10000, 15000,
         "linear", "once", None, None, "N", None, None],
    ]  # fmt: skip
    program = write_workbook(tmp_path / "program.xlsx", sheets)
    books = tmp_path / "partners"
    write_workbook(books / f"P001_{SEP}.xlsx", _metric_book("P001", SEP, 100, 0.5))
    write_month(tmp_path, SEP, {"P002": 300})
    sep = closed(run_close(program, SEP, final=True))
    assert amounts(sep, Component.MILESTONE) == {("P001", "M1"): D("6000.00")}
    write_workbook(books / f"P001_{OCT}.xlsx", _metric_book("P001", OCT, 100, 0.7))
    write_month(tmp_path, OCT, {"P002": 300})
    corrections = tmp_path / "corrections"
    write_workbook(corrections / f"P001_{SEP}.xlsx", _metric_book("P001", SEP, 100, 0.7))

    plain = closed(run_close(program, OCT))
    assert amounts(plain, Component.MILESTONE).get(("P001", "M1")) == D("6500.00")

    oct_ = closed(run_close(program, OCT, final=True, restate=[SEP], corrections=corrections))
    assert amounts(oct_, PPA) == {("P001", "2026-09 milestone"): D("6500.00")}
    assert amounts(oct_, Component.MILESTONE).get(("P001", "M1"), D(0)) == D(0)


def test_a_partner_gone_since_still_gets_its_restatement_and_a_statement(tmp_path):
    """P002 exits in September (no wind-down): it takes no part in October. Restating
    September (P001's seats 100 -> 200) gives it back 1,800.00 in October, and it gets
    a statement for it, with the adjustment in its Corrections."""
    program = pc_program()
    program["Partners"] = [
        ["partner_id", "name", "plan", "status", "exit_date", "wind_down_months"],
        ["P001", "Acme Analytics", "Gold", "active", None, None],
        ["P002", "Beta Systems", "Gold", "exiting", "2026-09-15", 0],
    ]
    path = write_workbook(tmp_path / "program.xlsx", program)
    write_month(tmp_path, SEP, {"P001": 100, "P002": 300})
    ledger = tmp_path / "ledger.sqlite"
    sep = closed(run_close(path, SEP, final=True, ledger_path=ledger))
    assert amounts(sep, Component.COST_SHARE)[("P002", "CRM")] == D("-9000.00")
    write_month(tmp_path, OCT, {"P001": 100})
    corrections = tmp_path / "corrections"
    write_workbook(corrections / f"P001_{SEP}.xlsx", partner_book("P001", SEP, 200))
    october = closed(
        run_close(path, OCT, ledger_path=ledger, restate=[SEP], corrections=corrections)
    )
    # September restated: P001 200 and P002 300 seats of 12,000.00: -4,800.00 and
    # -7,200.00, so P001 owes 1,800.00 more and P002 is owed 1,800.00.
    assert amounts(october, PPA) == {
        ("P001", "2026-09 cost_share"): D("-1800.00"),
        ("P002", "2026-09 cost_share"): D("1800.00"),
    }
    assert october.result is not None
    assert "P002" in october.result.participants
    statement = tmp_path / "close-2026-10" / "statements" / "P002.xlsx"
    ws = load_workbook(statement)["Statement"]
    assert ws["G10"].value == 1800  # the net, payable to P002
    assert ws["B10"].value == "Amount payable to you"
    [row] = [c.row for c in ws["B"] if c.value == "2026-09 cost share restated"]
    # Corrections: recorded -9,000.00, restated -7,200.00, difference 1,800.00
    assert [ws.cell(row, column).value for column in (7, 8, 11)] == [-9000, -7200, 1800]
    if shutil.which("pdftotext"):
        pdf = subprocess.run(
            ["pdftotext", "-raw", str(statement.with_suffix(".pdf")), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "2026-09 cost share restated" in pdf
        assert "(9,000.00) (7,200.00)" in pdf


def test_an_approved_draft_covers_its_restatement_and_only_it(tmp_path, monkeypatch, capsys):
    """With approval_required, the corrected files are inputs of the close of October: a
    draft approved without the restatement does not let a final close restate September,
    and the corrections end up among the close's kept inputs (inputs, verify)."""
    program = pc_program()
    program["Program"].append(["approval_required", "Y"])
    path = write_workbook(tmp_path / "program.xlsx", program)
    write_month(tmp_path, SEP, {"P001": 100, "P002": 300})
    ledger = ["--ledger", str(tmp_path / "ledger.sqlite")]
    restate = ["--restate", "2026-09", "--corrections", str(tmp_path / "corrections")]

    def as_user(name: str) -> None:
        monkeypatch.setenv("LOGNAME", name)

    def run(*args: str) -> int:
        return main([args[0], str(path), *args[1:], *ledger])

    for period in ("2026-09",):  # September: drafted, approved, closed final
        as_user("alice")
        assert run("close", "--period", period) == 0
        as_user("bob")
        assert run("approve", "--period", period) == 0
        as_user("alice")
        assert run("close", "--period", period, "--final") == 0
    write_month(tmp_path, OCT, {"P001": 100, "P002": 300})
    write_workbook(tmp_path / "corrections" / f"P001_{SEP}.xlsx", partner_book("P001", SEP, 200))
    assert run("close", "--period", "2026-10") == 0  # a draft without the restatement
    as_user("bob")
    assert run("approve", "--period", "2026-10") == 0
    as_user("alice")
    capsys.readouterr()
    assert run("close", "--period", "2026-10", "--final", *restate) == 3
    err = capsys.readouterr().err
    assert "the inputs changed since the draft (run 3) was approved: P001_2026-09.xlsx" in err
    # A draft with the restatement, approved, closes final with it.
    assert run("close", "--period", "2026-10", *restate) == 0
    as_user("bob")
    assert run("approve", "--period", "2026-10") == 0
    as_user("alice")
    assert run("close", "--period", "2026-10", "--final", *restate) == 0, capsys.readouterr()
    out_dir = tmp_path / "october-inputs"
    assert run("inputs", "--period", "2026-10", "--out", str(out_dir)) == 0
    assert (out_dir / "corrections" / f"P001_{SEP}.xlsx").is_file()
    assert run("verify", "--period", "2026-10") == 0, capsys.readouterr()
