"""The row engines against the Decimal core: time of the revenue-share rules (R1-R8).

    python -m benchmarks.engines --deals 1000000 --partners 1000
    python -m benchmarks.engines --deals 100000 --partners 1000 --spark

Builds the records directly (no workbooks: reading is not what is measured): a
marginal and a retroactive plan, bonus products, a tenth of the deals unregistered,
two earlier months of paid deals, late deals of those months not paid yet, and refunds
and churn of earlier paid deals and of this month's (`deals_of`). Prints the seconds of
`compute_revenue` on the Decimal core and with each engine, the engine's own share of
it (Arrow tables, the SQL steps, results back), and checks that every engine's result
equals the core's: lines, deal details, true-ups, partner figures, problems and the
paid deals left for the next close (`identical`).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from partnerclose.collector import collector_paused
from partnerclose.core.lines import Component
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
from partnerclose.core.revenue import PaidDeal, RevenueResult, RevenueState, compute_revenue
from partnerclose.core.revenue_rows import EngineRows, RowEngine, RowRequest

OCT = Period(2026, 10)
LATE = date(2026, 8, 1)  # late deals: August and September, the same fiscal year
D = Decimal
CENT = D("0.01")


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
    """`count` deal rows of October 2026 (90 % won) and a tenth as many paid in two earlier months.

    One row in 50 is a late deal (closed in August or September, in the fiscal year, not
    paid yet: P1); one in 100 is a reversal (R5), refunded (half) or churned (all),
    dated up to 60 days after its deal: half of them name an earlier paid deal, half
    the deal seven rows before them (this period's, won, or a lost one never paid: a
    warning); a reversal dated before October (of an August deal) is a late one.
    """
    rng = random.Random(seed)
    ids = [p.partner_id for p in program.partners]
    types = (DealType.SOURCED, DealType.SOURCED, DealType.CO_SELL, DealType.INFLUENCED)
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
    earlier = list(paid.values())
    rows: list[Deal] = []
    for i in range(count):
        if i % 100 == 7:
            named = earlier[(i // 200) % len(earlier)] if i % 200 == 7 and earlier else rows[i - 7]
            churned = rng.random() < 0.3
            rows.append(
                Deal(
                    named.partner_id,
                    f"R{i:08d}",
                    min(OCT.last_day, named.close_date + timedelta(days=rng.randint(0, 60))),
                    named.product,
                    named.deal_type,
                    named.amount if churned else (named.amount / 2).quantize(CENT, ROUND_DOWN),
                    DealStatus.CHURNED if churned else DealStatus.REFUNDED,
                    registered=True,
                    original_deal_id=named.deal_id,
                )
            )
            continue
        late = i % 50 == 1
        rows.append(
            Deal(
                rng.choice(ids),
                f"D{i:08d}",
                (LATE if late else OCT.first_day)
                + timedelta(days=rng.randint(0, 60 if late else 30)),
                "Analytics" if rng.random() < 0.3 else "Core",
                rng.choice(types),
                D(rng.randint(100, 2_000_000)).scaleb(-2),
                DealStatus.WON if late or rng.random() < 0.9 else DealStatus.LOST,
                registered=rng.random() < 0.9,
            )
        )
    return rows, RevenueState(paid_deals=paid)


def identical(core: RevenueResult, engine: RevenueResult) -> bool:
    """Every line, deal detail, true-up, partner figure, problem and paid deal alike."""
    return (
        engine.lines == core.lines
        and engine.deals == core.deals
        and engine.true_ups == core.true_ups
        and engine.partners == core.partners
        and engine.problems == core.problems
        and dict(engine.next_state.paid_deals) == dict(core.next_state.paid_deals)
    )


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
        f"({time.process_time() - cpu:.2f} s CPU), {len(core.lines):,} lines "
        f"({sum(d.close_date < OCT.first_day for d in deals if d.status is DealStatus.WON):,} "
        f"late deals, {sum(bool(d.original_deal_id) for d in deals):,} reversals, "
        f"{sum(line.component is Component.CLAWBACK for line in core.lines):,} clawbacks)"
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
        same = identical(core, result)
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
