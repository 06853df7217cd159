"""Final closes come in order against the ledger's state after reopens (outputs.md:
"a final close of 2026-11 needs 2026-10 final, unless 2026-11 is the program's first
period"). The program's first period is the earliest period ever closed final,
reopened or not; while none ever was, any period may be the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnerclose.cli import main
from partnerclose.ledger.store import Ledger
from tests.workbook_files import write_program


@pytest.fixture
def program(tmp_path: Path) -> Path:
    return write_program(tmp_path)


def close(program: Path, period: str, capsys, final: bool = True) -> tuple[int, str]:
    capsys.readouterr()
    code = main(
        [
            "close",
            str(program),
            "--period",
            period,
            *(["--final"] if final else []),
            "--allow-empty",
        ]
    )
    return code, capsys.readouterr().err


def reopen(program: Path, period: str, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["reopen", str(program), "--period", period, "--reason", "correction"])
    return code, capsys.readouterr().err


def test_the_first_final_close_may_be_any_period(program, capsys):
    assert close(program, "2026-07", capsys)[0] == 0
    assert close(program, "2026-08", capsys)[0] == 0


def test_after_reopening_november_then_october_november_waits_for_october(program, capsys):
    for period in ("2026-10", "2026-11"):
        assert close(program, period, capsys)[0] == 0
    assert reopen(program, "2026-11", capsys)[0] == 0
    assert reopen(program, "2026-10", capsys)[0] == 0
    code, err = close(program, "2026-11", capsys)
    assert code == 3
    assert (
        "period 2026-11 cannot be closed before 2026-10: final closes come in order, and "
        "2026-10, the program's first period, was reopened; close it finally first"
    ) in err
    # October first, then November: both can be final again.
    assert close(program, "2026-10", capsys)[0] == 0
    assert close(program, "2026-11", capsys)[0] == 0


def test_a_reopened_first_period_cannot_be_skipped(program, capsys):
    assert close(program, "2026-10", capsys)[0] == 0
    assert reopen(program, "2026-10", capsys)[0] == 0
    code, err = close(program, "2026-12", capsys)
    assert code == 3
    assert "period 2026-12 cannot be closed before 2026-10" in err
    code, err = close(program, "2026-11", capsys)
    assert code == 3


def test_a_period_before_the_first_cannot_be_closed_finally(program, capsys):
    assert close(program, "2026-10", capsys)[0] == 0
    assert reopen(program, "2026-10", capsys)[0] == 0
    code, err = close(program, "2026-09", capsys)
    assert code == 3
    assert ("period 2026-09 cannot be closed finally: the program's first period is 2026-10") in err
    assert close(program, "2026-09", capsys, final=False)[0] == 0  # a draft is fine


def test_a_reopen_in_the_middle_of_the_chain_is_refused(program, capsys):
    for period in ("2026-10", "2026-11", "2026-12"):
        assert close(program, period, capsys)[0] == 0
    code, err = reopen(program, "2026-11", capsys)
    assert code == 3
    assert "period 2026-11 cannot be reopened while 2026-12 is closed; reopen 2026-12 first" in err
    # Reopening from the last one back keeps the chain whole.
    assert reopen(program, "2026-12", capsys)[0] == 0
    assert reopen(program, "2026-11", capsys)[0] == 0
    code, err = close(program, "2026-12", capsys)
    assert code == 3
    assert "the last final close is 2026-10" in err
    with Ledger(program.parent / "program.xlsx.ledger.sqlite") as ledger:
        assert ledger.final_periods() == ["2026-10"]
        assert ledger.first_period() == "2026-10"


def test_a_draft_needs_no_order_but_never_touches_a_final_period(program, capsys):
    assert close(program, "2026-10", capsys)[0] == 0
    assert close(program, "2027-03", capsys, final=False)[0] == 0
    code, err = close(program, "2026-10", capsys, final=False)
    assert code == 3
    assert "period 2026-10 is closed; reopen it first" in err
