"""The row engines against the Decimal core: time of the revenue-share rules (R1-R8).

    python -m benchmarks.engines --deals 1000000 --partners 1000
    python -m benchmarks.engines --deals 100000 --partners 1000 --spark

Builds the records directly (no workbooks: reading is not what is measured): a
marginal and a retroactive plan, bonus products, a tenth of the deals unregistered,
two earlier months of paid deals. Prints the seconds of `compute_revenue` on the
Decimal core and with each engine, the engine's own share of it (Arrow tables, the SQL
steps, results back), and checks that every engine's lines equal the core's.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from partnerclose.collector import collector_paused
from partnerclose.core.period import Period
from partnerclose.core.records import (
    Deal,
    DealStatus,
    DealType,
    Mode,
    Partner,
    PartnerStatus,
    Plan,
    Product,
    Program,
    RevenueTier,
    Settings,
)
from partnerclose.core.revenue import PaidDeal, RevenueState, compute_revenue
from partnerclose.core.revenue_rows import EngineRows, RowEngine, RowRequest

OCT = Period(2026, 10)
D = Decimal


def program_of(partners: int) -> Program:
    """Gold (marginal, three sourced brackets) and Silver (retroactive) for `partners`."""
    tiers = [
        RevenueTier("Gold", DealType.SOURCED, D(0), D("0.10")),
        RevenueTier("Gold", DealType.SOURCED, D(100000), D("0.15")),
        RevenueTier("Gold", DealType.SOURCED, D(250000), D("0.20")),
        RevenueTier("Gold", DealType.CO_SELL, D(0), D("0.06")),
        RevenueTier("Gold", DealType.INFLUENCED, D(0), D("0.03")),
        RevenueTier("Silver", DealType.SOURCED, D(0), D("0.08")),
        RevenueTier("Silver", DealType.SOURCED, D(100000), D("0.12")),
        RevenueTier("Silver", DealType.INFLUENCED, D(0), D("0.02")),
    ]
    members = tuple(
        Partner(f"P{i:05d}", f"Partner {i}", "Gold" if i % 3 else "Silver", PartnerStatus.ACTIVE)
        for i in range(1, partners + 1)
    )
    return Program(
        Settings("Benchmark", max_margin_share=D("0.5")),
        partners=members,
        plans=(Plan("Gold", Mode.MARGINAL), Plan("Silver", Mode.RETROACTIVE)),
        revenue_tiers=tuple(tiers),
        products=(
            Product("Core", gross_margin=D("0.40")),
            Product("Analytics", gross_margin=D("0.62"), bonus_rate=D("0.02")),
        ),
    )


def deals_of(program: Program, count: int, seed: int = 7) -> tuple[list[Deal], RevenueState]:
    """`count` deal rows of October 2026 (90 % won) and two earlier months paid."""
    rng = random.Random(seed)
    ids = [p.partner_id for p in program.partners]
    types = (DealType.SOURCED, DealType.SOURCED, DealType.CO_SELL, DealType.INFLUENCED)
    rows = [
        Deal(
            rng.choice(ids),
            f"D{i:08d}",
            OCT.first_day + timedelta(days=rng.randint(0, 30)),
            "Analytics" if rng.random() < 0.3 else "Core",
            rng.choice(types),
            D(rng.randint(100, 2_000_000)).scaleb(-2),
            DealStatus.WON if rng.random() < 0.9 else DealStatus.LOST,
            registered=rng.random() < 0.9,
        )
        for i in range(count)
    ]
    paid: dict[str, PaidDeal] = {}
    for n in range(count // 10):
        month = Period(2026, 8 + n % 2)
        amount = D(rng.randint(100, 2_000_000)).scaleb(-2)
        share = (amount * D("0.08")).quantize(D("0.01"))
        paid[f"E{n}"] = PaidDeal(
            f"E{n}",
            rng.choice(ids),
            month,
            date(month.year, month.month, 10),
            amount,
            DealType.SOURCED,
            "Core",
            D("0.08"),
            share,
            share,
        )
    return rows, RevenueState(paid_deals=paid)


class Timed:
    """An engine whose own time (tables, SQL, results back) is kept."""

    def __init__(self, engine: RowEngine) -> None:
        self.engine = engine
        self.seconds = 0.0

    @property
    def name(self) -> str:
        """The wrapped engine's name."""
        return self.engine.name

    def run(self, request: RowRequest) -> EngineRows:
        """The wrapped engine's run, timed."""
        start = time.perf_counter()
        try:
            return self.engine.run(request)
        finally:
            self.seconds = time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Time the core and the engines on one generated program."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--spark", action="store_true", help="also Spark local[2]")
    parser.add_argument("--no-duckdb", action="store_true")
    args = parser.parse_args(argv)
    program = program_of(args.partners)
    with collector_paused():  # as the pipeline runs them (partnerclose/collector.py)
        deals, state = deals_of(program, args.deals)
    start, cpu = time.perf_counter(), time.process_time()
    with collector_paused():
        core = compute_revenue(program, OCT, deals, (), state)
    print(
        f"decimal core: {time.perf_counter() - start:.2f} s "
        f"({time.process_time() - cpu:.2f} s CPU), {len(core.lines):,} lines"
    )
    engines: list[RowEngine] = []
    if not args.no_duckdb:
        from partnerclose.engines.duckdb_engine import DuckDBEngine

        engines.append(DuckDBEngine())
    if args.spark:
        from partnerclose.engines.spark_engine import SparkEngine, local_session

        session = local_session(2)
        warm = deals_of(program, 100)  # start-up and the first plans, not measured
        compute_revenue(program, OCT, warm[0], (), warm[1], SparkEngine(session))
        engines.append(SparkEngine(session))
    for engine in engines:
        timed = Timed(engine)
        start, cpu = time.perf_counter(), time.process_time()
        with collector_paused():
            result = compute_revenue(program, OCT, deals, (), state, timed)
        total = time.perf_counter() - start
        cpu = time.process_time() - cpu
        same = result.lines == core.lines and result.deals == core.deals
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in getattr(engine, "timings", {}).items())
        print(
            f"{engine.name}: {total:.2f} s in all ({cpu:.2f} s CPU of this process), "
            f"{timed.seconds:.2f} s in the engine "
            f"({parts}); lines identical to the core's: {same}"
        )
        if not same:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
