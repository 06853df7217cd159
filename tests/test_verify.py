"""`partnerclose verify PROGRAM --period Q` (rules.md P3): a final close recomputed from
its kept inputs and the ledger's state before it, compared line by line."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from openpyxl import load_workbook

from partnerclose.cli import main
from partnerclose.core.period import Period
from partnerclose.demo import write_demo, write_partner_workbooks
from partnerclose.ledger.chain import seal_all
from partnerclose.ledger.location import open_ledger
from partnerclose.pipeline import Status, run_close
from partnerclose.reading.inputs import load_inputs
from tests.ledger.raw import rows
from tests.workbook_files import write_program

OCT, NOV, DEC = Period(2026, 10), Period(2026, 11), Period(2026, 12)


def test_three_final_closes_of_the_demo_verify_after_the_program_is_edited(tmp_path, capsys):
    program = write_demo(tmp_path, partners=12, period=OCT, seed=7)
    for period in (OCT, NOV, DEC):
        if period != OCT:
            write_partner_workbooks(tmp_path, period)
        outcome = run_close(program, period, final=True)
        assert outcome.status is Status.CLOSED, (outcome.message, outcome.problems)
    ledger_file = program.with_name("program.xlsx.ledger.sqlite")
    with open_ledger(ledger_file, program) as ledger:
        runs = [r for r in ledger.history() if r.kind == "final"]
        recorded = {r.run_id: ledger.lines(r.run_id) for r in runs}
    assert [r.period for r in runs] == ["2026-10", "2026-11", "2026-12"]

    # The program is edited afterwards, as finance does every month: CRM costs more.
    book = load_workbook(program)
    pools = book["CostPools"]
    assert (pools["A2"].value, pools["D2"].value) == ("CRM", 12000)
    pools["D2"].value = 99000
    book.save(program)
    edited = load_inputs(program, OCT)
    assert edited.program is not None
    assert {p.pool_id: p.amount for p in edited.program.pools}["CRM"] == D(99000)

    for period in (OCT, NOV, DEC):
        assert main(["verify", str(program), "--period", str(period)]) == 0
        out = capsys.readouterr().out
        assert f"Recomputed the final close of {period}" in out
        assert "lines are identical" in out
    with open_ledger(ledger_file, program) as ledger:
        assert {r: ledger.lines(r) for r in recorded} == recorded  # nothing was rewritten


def _tamper_and_reseal(where: Path | str, program: Path, query: str) -> None:
    """Change a recorded value and seal the chain again over it, as someone able to
    rewrite the hashes would: the chain holds, only the recomputation shows it."""
    rows(where, query)
    with open_ledger(where, program) as ledger, ledger.transaction() as db:
        seal_all(db)


def test_a_line_changed_and_resealed_is_found_by_recomputing(ledger_at, tmp_path, capsys):
    program = write_program(tmp_path)
    outcome = run_close(program, OCT, final=True, ledger_path=ledger_at)
    assert outcome.status is Status.CLOSED, outcome.message
    ledger = ["--ledger", str(ledger_at)]
    assert main(["verify", str(program), "--period", "2026-10", *ledger]) == 0
    capsys.readouterr()

    crm = [
        line
        for line in outcome.result.lines  # type: ignore[union-attr]
        if line.partner_id == "P001" and line.item == "CRM" and line.component == "cost_share"
    ]
    (line,) = crm
    _tamper_and_reseal(
        ledger_at,
        program,
        "UPDATE lines SET amount = '-1.00' WHERE partner_id = 'P001' AND item = 'CRM' "
        "AND component = 'cost_share'",
    )
    assert main(["verify", str(program), *ledger]) == 0  # the chain was resealed
    capsys.readouterr()
    assert main(["verify", str(program), "--period", "2026-10", *ledger]) == 4
    err = capsys.readouterr().err
    assert "1 differing line:" in err
    assert f"P001\tcost_share\tCRM\t-1.00\t{line.amount}" in err


def test_a_kept_input_changed_gives_exit_4(ledger_at, tmp_path, capsys):
    program = write_program(tmp_path)
    outcome = run_close(program, OCT, final=True, ledger_path=ledger_at)
    assert outcome.status is Status.CLOSED, outcome.message
    ledger = ["--ledger", str(ledger_at)]
    with open_ledger(ledger_at, program) as opened:
        (run,) = opened.history()
        (p001,) = [k for k in opened.run_inputs(run.run_id) if k.path.endswith("P001.xlsx")]
    # P001's kept workbook replaced by P002's bytes (a valid workbook, another partner).
    rows(
        ledger_at,
        "UPDATE input_blobs SET content = (SELECT content FROM input_blobs b JOIN run_inputs i "
        "ON i.sha256 = b.sha256 WHERE i.path = ?) WHERE sha256 = ?",
        (p001.path.replace("P001.xlsx", "P002.xlsx"), p001.sha256),
    )
    assert main(["verify", str(program), *ledger]) == 4
    err = capsys.readouterr().err
    assert "the kept input P001.xlsx does not fit" in err
    assert main(["verify", str(program), "--period", "2026-10", *ledger]) == 4


def test_verify_of_a_period_without_a_final_close_is_refused(tmp_path, capsys):
    program = write_program(tmp_path)
    assert run_close(program, OCT).status is Status.CLOSED  # a draft only
    assert main(["verify", str(program), "--period", "2026-10"]) == 3
    assert "2026-10 has no final close to verify" in capsys.readouterr().err


def test_compare_lines_names_missing_and_extra_lines():
    from partnerclose.core.lines import Component, Line
    from partnerclose.evidence import LineDifference, compare_lines

    a = Line("2026-10", "P001", Component.COST_SHARE, "CRM", D("-3000.00"), "C4")
    b = Line("2026-10", "P002", Component.COST_SHARE, "CRM", D("-9000.00"), "C4")
    c = b._replace(description="other")
    assert compare_lines([a, b], [b]) == (
        LineDifference("P001", "cost_share", "CRM", D("-3000.00"), None),
    )
    assert compare_lines([b], [a, b]) == (
        LineDifference("P001", "cost_share", "CRM", None, D("-3000.00")),
    )
    assert compare_lines([b], [c]) == (
        LineDifference(
            "P002", "cost_share", "CRM", D("-9000.00"), D("-9000.00"), "description differ"
        ),
    )
