"""The row-level revenue rules on DuckDB, embedded in the process (the default engine)."""

from __future__ import annotations

import time

import duckdb
import pyarrow as pa

from partnerclose.core.revenue_rows import EngineError, EngineRows, RowRequest
from partnerclose.engines.rules_sql import RESULTS, steps
from partnerclose.engines.tables import engine_rows, input_tables, scales_of, window_of


class DuckDBEngine:
    """Runs rules_sql's steps in an in-memory DuckDB database, each step a temporary table."""

    name = "duckdb"

    def __init__(self, threads: int | None = None) -> None:
        """`threads`: DuckDB's worker threads (None: one per core)."""
        self.threads = threads
        # seconds of the last run: building the tables, the SQL steps, the results back
        self.timings: dict[str, float] = {}

    def run(self, request: RowRequest) -> EngineRows:
        """The rules' figures for `request` (rules_sql.steps), as the core's columns."""
        clock = time.perf_counter()
        scales = scales_of(request)
        tables = input_tables(request, scales)
        self.timings = {"tables": time.perf_counter() - clock}
        clock = time.perf_counter()
        config: dict[str, str | bool | int | float | list[str]] = (
            {} if self.threads is None else {"threads": self.threads}
        )
        try:
            with duckdb.connect(":memory:", config=config) as con:
                for name, table in tables.items():
                    con.register(f"{name}_in", table)
                    con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_in")
                for name, sql in steps(scales, window_of(request)):
                    con.execute(f"CREATE TEMP TABLE {name} AS {sql}")
                results: dict[str, pa.Table] = {
                    name: con.sql(sql).to_arrow_table() for name, sql in RESULTS.items()
                }
        except duckdb.Error as exc:
            raise EngineError(str(exc).splitlines()[0]) from exc
        self.timings["sql"] = time.perf_counter() - clock
        clock = time.perf_counter()
        rows = engine_rows(results, request.terms.decimals)
        self.timings["back"] = time.perf_counter() - clock
        return rows
