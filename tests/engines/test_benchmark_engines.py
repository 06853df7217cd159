"""benchmarks.engines at a tiny size: it runs, and the engine's lines equal the core's."""

from __future__ import annotations

import pytest

from benchmarks.engines import main


def test_the_engine_benchmark_runs_and_finds_duckdb_identical(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--deals", "400", "--partners", "12"]) == 0
    out = capsys.readouterr().out
    assert "decimal core:" in out
    assert "lines identical to the core's: True" in out
