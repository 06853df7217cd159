"""The row-level revenue rules on Spark: local mode here, a cluster for real volumes.

The same SQL as DuckDB's (rules_sql), run by Spark SQL: each step a cached temporary
view. Decimal arithmetic is kept exact (ANSI mode: an overflow is an error, not NULL;
no precision loss: a result past 38 digits is an error, never rounded).
"""

from __future__ import annotations

import importlib.util
import os
import time
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from partnerclose.core.revenue_rows import EngineError, EngineRows, RowRequest
from partnerclose.engines.rules_sql import RESULTS, steps
from partnerclose.engines.tables import engine_rows, input_tables, scales_of, window_of

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

EXACT_CONF = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.session.timeZone": "UTC",
}


MASTER_VARIABLE = "PARTNERCLOSE_SPARK_MASTER"


def local_session(cores: int = 2) -> SparkSession:
    """The session the rules run on, set for exact decimals.

    The active one under spark-submit (a cluster's); else a Spark Connect server when
    SPARK_REMOTE names one (`sc://host:15002`); else the master PARTNERCLOSE_SPARK_MASTER
    names (`spark://host:7077`, `yarn`); else local mode with `cores` worker threads.
    """
    from pyspark.sql import SparkSession  # (Java starts only when a Spark close asks for it)

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder: Any = SparkSession.builder.appName("partnerclose")
    remote = os.environ.get("SPARK_REMOTE")
    if remote:  # Spark Connect: sc://host:15002
        builder = builder.remote(remote)
    else:
        builder = (
            builder.master(os.environ.get(MASTER_VARIABLE) or f"local[{cores}]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(cores))
        )
    builder = builder.config("spark.sql.execution.arrow.pyspark.enabled", "true")
    for key, value in EXACT_CONF.items():
        builder = builder.config(key, value)
    session: SparkSession = builder.getOrCreate()
    if not remote:
        session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine:
    """Runs rules_sql's steps on a Spark session (its own local one unless given one)."""

    name = "spark"

    def __init__(self, session: SparkSession | None = None) -> None:
        """`session`: an existing session (a cluster's, or Spark Connect's); None: local[2]."""
        self._session = session
        # seconds of the last run: building the tables, the SQL steps, the results back
        self.timings: dict[str, float] = {}

    @property
    def session(self) -> SparkSession:
        """The session the rules run on, started on first use."""
        if self._session is None:
            self._session = local_session()
        return self._session

    def run(self, request: RowRequest) -> EngineRows:
        """The rules' figures for `request` (rules_sql.steps), as the core's columns."""
        if importlib.util.find_spec("pyspark") is None:  # an optional dependency
            raise EngineError(
                "pyspark is not installed (pip install 'partnerclose[spark]'; it needs Java 17 "
                "or later)"
            )
        clock = time.perf_counter()
        scales = scales_of(request)
        tables = input_tables(request, scales)
        self.timings = {"tables": time.perf_counter() - clock}
        clock = time.perf_counter()
        cached: list[Any] = []
        try:
            spark = self.session
            for key, value in EXACT_CONF.items():
                spark.conf.set(key, value)
            for name, table in tables.items():
                spark.createDataFrame(table).createOrReplaceTempView(name)
            for name, sql in steps(scales, window_of(request)):
                frame = spark.sql(sql).cache()
                cached.append(frame)
                frame.createOrReplaceTempView(name)
            results: dict[str, pa.Table] = {
                name: spark.sql(sql).toArrow() for name, sql in RESULTS.items()
            }
        except Exception as exc:  # Spark's own errors (pyspark, py4j) become EngineError
            if not _is_spark_error(exc):
                raise
            raise EngineError(_first_line(exc)) from exc
        finally:
            for frame in cached:
                frame.unpersist()
        self.timings["sql"] = time.perf_counter() - clock
        clock = time.perf_counter()
        rows = engine_rows(results, request.terms.decimals)
        self.timings["back"] = time.perf_counter() - clock
        return rows


def _is_spark_error(exc: BaseException) -> bool:
    """Whether `exc` comes from Spark (or its Java side), not from this code."""
    module = type(exc).__module__
    return module.startswith(("pyspark", "py4j"))


def _first_line(exc: BaseException) -> str:
    """The first line of a Spark error, without its stack trace."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
