"""The Spark row engine in local[2] against the Decimal core and DuckDB.

Spark starts slowly (a JVM): one session for the module, a modest fixed generated
program. Without Java the module is skipped, unless the environment asks for Spark
(PARTNERCLOSE_REQUIRE_SPARK, which .ci/run sets): then it fails, as it does without
pyspark (scripts/setup.sh installs it, the `spark` extra).
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.engines import deals_of, program_of
from partnerclose.core.lines import Component
from partnerclose.core.revenue import compute_revenue
from partnerclose.engines.duckdb_engine import DuckDBEngine
from tests.engines.programs import OCT, generate
from tests.engines.test_duckdb_engine import assert_identical

MISSING = [
    what
    for what, there in (
        ("java", shutil.which("java") is not None),
        ("pyspark", importlib.util.find_spec("pyspark") is not None),
    )
    if not there
]
if "java" in MISSING and not os.environ.get("PARTNERCLOSE_REQUIRE_SPARK"):
    pytest.skip("no Java runtime for the Spark engine", allow_module_level=True)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One SparkEngine (local[2]) for the module."""
    assert not MISSING, f"the Spark engine's test needs {' and '.join(MISSING)}"
    from partnerclose.engines.spark_engine import SparkEngine, local_session

    session = local_session(2)
    yield SparkEngine(session)
    session.stop()


def test_spark_local_pays_a_generated_program_as_duckdb_and_the_decimal_core(
    spark: Any,
) -> None:
    generated = generate(random.Random(2026), partners=6, deals=400)
    args = (generated.program, OCT, generated.deals, (), generated.state)
    core = compute_revenue(*args)
    assert len(core.lines) > 250
    assert_identical(core, compute_revenue(*args, DuckDBEngine(threads=1)))
    assert_identical(core, compute_revenue(*args, spark))


def test_spark_local_pays_the_engine_benchmark_program_as_duckdb_and_the_decimal_core(
    spark: Any,
) -> None:
    """Issue 25's differential test at a small size: late deals and reversals included."""
    program = program_of(40)
    deals, state = deals_of(program, 3000)
    args = (program, OCT, deals, (), state)
    core = compute_revenue(*args)
    assert sum(line.component is Component.CLAWBACK for line in core.lines) > 20
    assert_identical(core, compute_revenue(*args, DuckDBEngine(threads=1)))
    assert_identical(core, compute_revenue(*args, spark))
