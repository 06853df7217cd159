"""Engines for the row-level revenue rules: the same relational steps on DuckDB or Spark.

Between the core and the pipeline: an engine implements the core's `RowEngine`
(core/revenue_rows.py), the core checks its control totals and builds the lines. The
core imports nothing from here (pyproject's import-linter contracts).
"""

from __future__ import annotations

from partnerclose.core.records import Engine
from partnerclose.core.revenue_rows import RowEngine


def engine_named(engine: Engine) -> RowEngine | None:
    """The row engine `engine` names; None for the Decimal core itself."""
    if engine is Engine.DUCKDB:
        from partnerclose.engines.duckdb_engine import DuckDBEngine

        return DuckDBEngine()
    if engine is Engine.SPARK:
        from partnerclose.engines.spark_engine import SparkEngine

        return SparkEngine()
    return None
