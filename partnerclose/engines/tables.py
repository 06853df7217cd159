"""The core's records as Arrow tables for an engine, and the engine's results back.

One place converts both ways, so both engines read the same typed columns: every
amount and rate is a DECIMAL of the run's scales (rules_sql.Scales), never a float.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import pyarrow as pa

from partnerclose.core.records import DealType
from partnerclose.core.revenue_model import BracketPart
from partnerclose.core.revenue_rows import (
    EngineError,
    EngineRows,
    PartnerControl,
    RowRequest,
    minor_units,
)
from partnerclose.engines.rules_sql import DECIMAL_RESULTS, MAX_DIGITS, Scales, Window

new_part = tuple.__new__  # BracketPart from its fields, without NamedTuple's Python __new__


def scale_of(values: Iterable[Decimal | None]) -> int:
    """The most digits after the point among `values` (0 for whole numbers)."""
    exponents = {v.as_tuple().exponent for v in values if v is not None}
    return max((-e for e in exponents if isinstance(e, int) and e < 0), default=0)


def scales_of(request: RowRequest) -> Scales:
    """The decimal types that hold every amount and rate of `request` exactly."""
    terms = request.terms
    earlier = [p for rows in request.earlier.values() for p in rows]
    tiers = [b for brackets in terms.brackets.values() for b in brackets]
    volume = max(
        terms.decimals,
        scale_of(d.amount for d in request.deals),
        scale_of(d.source_amount for d in request.deals),
        scale_of(p.amount for p in earlier),
        scale_of(p.paid for p in earlier),
        scale_of(request.opening.values()),
        scale_of(b.start for b in tiers),
    )
    rate = max(
        scale_of(b.rate for b in tiers),
        scale_of(p.bonus_rate for p in terms.products.values()),
        scale_of(p.gross_margin for p in terms.products.values()),
        scale_of(p.bonus_rate for p in earlier),
    )
    fx = scale_of(request.averages.values())
    if max(rate, fx) + volume > MAX_DIGITS:
        raise EngineError(
            f"amounts with {volume} and rates with {rate} decimal places need more than the "
            f"{MAX_DIGITS} an engine keeps exactly within DECIMAL(38)"
        )
    return Scales(terms.decimals, volume, rate, fx)


def window_of(request: RowRequest) -> Window:
    """R1's days for the request's period."""
    period = request.terms.period
    fiscal = period.fiscal_year_start(request.terms.fiscal_start)
    return Window(period.first_day, period.last_day, fiscal.first_day)


def input_tables(request: RowRequest, scales: Scales) -> dict[str, pa.Table]:
    """The five input tables of rules_sql, typed."""
    terms = request.terms
    amt = pa.decimal128(20 + scales.volume, scales.volume)
    rate = pa.decimal128(4 + scales.rate, scales.rate)
    deals = request.deals
    fx = pa.decimal128(10 + scales.fx, scales.fx)
    averages = request.averages
    partners = list(terms.plan_of.items())
    earlier = [p for pid, _ in partners for p in request.earlier.get(pid, ())]
    tiers: list[tuple[str, str, Decimal | None, Decimal]] = []
    for plan in {p.plan for _, p in partners}:
        for deal_type in DealType:
            tiers.append((plan, str(deal_type), None, Decimal(0)))  # the floor row
            tiers += [
                (plan, str(deal_type), b.start, b.rate)
                for b in terms.brackets.get((plan, deal_type), ())
            ]
    products = list(terms.products.values())
    return {
        "deals": pa.table(
            {
                "deal_id": pa.array([d.deal_id for d in deals], pa.string()),
                "partner_id": pa.array([d.partner_id for d in deals], pa.string()),
                "close_date": pa.array([d.close_date for d in deals], pa.date32()),
                # X1: a deal in another currency as booked, with its average rate
                "amount": pa.array(
                    [d.amount if d.source_amount is None else d.source_amount for d in deals], amt
                ),
                "average": pa.array(
                    [None if d.source_amount is None else averages[d.currency] for d in deals], fx
                ),
                "deal_type": pa.array([str(d.deal_type) for d in deals], pa.string()),
                "registered": pa.array([d.registered for d in deals], pa.bool_()),
                "product": pa.array([d.product for d in deals], pa.string()),
                "customer": pa.array([d.customer for d in deals], pa.string()),
                "status": pa.array([str(d.status) for d in deals], pa.string()),
            }
        ),
        "partners": pa.table(
            {
                "partner_id": pa.array([pid for pid, _ in partners], pa.string()),
                "plan": pa.array([p.plan for _, p in partners], pa.string()),
                "mode": pa.array([str(p.mode) for _, p in partners], pa.string()),
                "ord": pa.array(range(len(partners)), pa.int64()),
                "opening": pa.array(
                    [request.opening.get(pid, Decimal(0)) for pid, _ in partners], amt
                ),
            }
        ),
        "tiers": pa.table(
            {
                "plan": pa.array([t[0] for t in tiers], pa.string()),
                "deal_type": pa.array([t[1] for t in tiers], pa.string()),
                "lo": pa.array([t[2] for t in tiers], amt),
                "rate": pa.array([t[3] for t in tiers], rate),
            }
        ),
        "products": pa.table(
            {
                "product": pa.array([p.product for p in products], pa.string()),
                "bonus": pa.array([p.bonus_rate for p in products], rate),
                "margin": pa.array([p.gross_margin for p in products], rate),
            }
        ),
        "earlier": pa.table(
            {
                "deal_id": pa.array([p.deal_id for p in earlier], pa.string()),
                "partner_id": pa.array([p.partner_id for p in earlier], pa.string()),
                "amount": pa.array([p.amount for p in earlier], amt),
                "paid_type": pa.array([str(p.deal_type) for p in earlier], pa.string()),
                "bonus": pa.array([p.bonus_rate for p in earlier], rate),
            }
        ),
    }


def columns_of(table: pa.Table) -> dict[str, list[Any]]:
    """A result table as Python lists, its decimal columns (text) read as Decimal."""
    out: dict[str, list[Any]] = {}
    for name in table.column_names:
        column = table.column(name)
        values = column.to_pylist()
        if name in DECIMAL_RESULTS:
            values = (
                list(map(Decimal, values))
                if column.null_count == 0
                else [None if v is None else Decimal(v) for v in values]
            )
        out[name] = values
    return out


def engine_rows(results: Mapping[str, pa.Table], decimals: int) -> EngineRows:
    """An engine's four result tables (rules_sql.RESULTS) as the core's columns."""
    deals = columns_of(results["deal_rows"])
    parts: dict[str, list[BracketPart]] = {}
    p = columns_of(results["parts"])
    for deal_id, start, end, rate in zip(
        p["deal_id"], p["part_start"], p["part_end"], p["rate"], strict=True
    ):
        found = parts.get(deal_id)
        if found is None:
            found = parts[deal_id] = []
        found.append(new_part(BracketPart, (start, end, rate)))
    u = columns_of(results["dues"])
    c = columns_of(results["controls"])
    for name, column in c.items():
        if any(v is None for v in column) and name != "gross":
            raise EngineError(f"its control totals came back empty (NULL) in {name}")
    controls = {
        pid: PartnerControl(
            rows=int(n),
            volume=volume,
            share_minor=minor_units(share_sum, decimals),
            checksum=minor_units(checksum, decimals),
            ytd_before=ytd_before,
            gross=gross,
            true_up_rows=int(true_ups),
        )
        for pid, ytd_before, n, volume, share_sum, checksum, gross, true_ups in zip(
            c["partner_id"],
            c["ytd_before"],
            c["n"],
            c["volume"],
            c["share_sum"],
            c["checksum"],
            c["gross"],
            c["true_up_rows"],
            strict=True,
        )
    }
    return EngineRows(
        deal_id=deals["deal_id"],
        partner_id=deals["partner_id"],
        paid_type=deals["paid_type"],
        ytd_start=deals["ytd0"],
        exact=deals["exact"],
        share=deals["share"],
        point_rate=deals["point_rate"],
        bonus=deals["bonus"],
        parts={k: tuple(v) for k, v in parts.items()},
        due={k: (r, v) for k, r, v in zip(u["deal_id"], u["rate_now"], u["due"], strict=True)},
        controls=controls,
    )
