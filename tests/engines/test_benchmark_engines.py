"""benchmarks.engines at a tiny size: it runs, and the engine's lines equal the core's."""

from __future__ import annotations

import pytest

from benchmarks.engines import OCT, deals_of, main, program_of
from partnerclose.core.lines import Component
from partnerclose.core.records import DealStatus
from partnerclose.core.revenue import compute_revenue


def test_the_engine_benchmark_runs_and_finds_duckdb_identical(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--deals", "400", "--partners", "12"]) == 0
    out = capsys.readouterr().out
    assert "decimal core:" in out
    assert "lines identical to the core's: True" in out


def test_the_benchmark_program_pays_late_deals_and_claws_back_earlier_and_this_months() -> None:
    program = program_of(20)
    deals, state = deals_of(program, 2000)
    result = compute_revenue(program, OCT, deals, (), state)
    late = {d.deal_id for d in deals if d.status is DealStatus.WON and d.close_date < OCT.first_day}
    assert len(late) == 40
    assert late <= {detail.deal_id for detail in result.deals}  # paid now (P1)
    claws = [line for line in result.lines if line.component is Component.CLAWBACK]
    named = {line.status.split(";")[0].removeprefix("reverses ") for line in claws}
    assert {n[0] for n in named} == {"D", "E"}  # this month's deals and earlier paid ones
    assert any("late: dated" in line.status for line in claws)
