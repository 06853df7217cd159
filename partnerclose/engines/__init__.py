"""Engines for the row-level revenue rules: the same relational steps on DuckDB or Spark.

Between the core and the pipeline: an engine implements the core's `RowEngine`
(core/revenue_rows.py), the core checks its control totals and builds the lines. The
core imports nothing from here (pyproject's import-linter contracts).
"""

from __future__ import annotations

from partnerclose.core.records import Engine
from partnerclose.core.revenue_rows import EngineError, EngineRows, RowEngine, RowRequest


class Unavailable:
    """An engine whose libraries are not installed: running it is a plain error."""

    def __init__(self, name: str, missing: str) -> None:
        """`missing`: the module that could not be imported."""
        self.name = name
        self.missing = missing

    def run(self, request: RowRequest) -> EngineRows:
        """Never runs: raises EngineError naming what to install."""
        raise EngineError(
            f"{self.missing} is not installed here (pip install 'partnerclose[spark]' installs "
            "every engine's libraries); close with engine decimal"
        )


def engine_named(engine: Engine) -> RowEngine | None:
    """The row engine `engine` names; None for the Decimal core itself."""
    try:
        if engine is Engine.DUCKDB:
            from partnerclose.engines.duckdb_engine import DuckDBEngine

            return DuckDBEngine()
        if engine is Engine.SPARK:
            from partnerclose.engines.spark_engine import SparkEngine

            return SparkEngine()
    except ImportError as exc:  # the desktop bundle leaves the engines' libraries out
        return Unavailable(str(engine), exc.name or str(exc))
    return None
