"""The row-level revenue rules (rules.md R1-R4, R8) as relational expressions, written once.

Each step is one SELECT in the SQL both DuckDB and Spark SQL read (standard window
functions, joins, CASE and CAST; nothing dialect-specific), materialised under its name
by the engine that runs it, so later steps read earlier ones as tables. The inputs are
the tables of `tables.py`: `deals`, `partners`, `tiers`, `products`, `earlier`.

Money is exact on both engines: every column is DECIMAL(p, s) with its scale chosen from
the data (`Scales`), each product or sum is CAST back to a declared type before it feeds
another (Spark would otherwise drop scale past 38 digits), and a share is ROUND(exact, d),
which both engines round half away from zero, as money.py's ROUND_HALF_UP does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Scales:
    """The decimal types of a run: `volume` digits after the point of amounts, `rate` of rates.

    `decimals` is the program currency's. 20 digits before the point hold any sum of
    amounts below 10^15 (the reader's bound) over 10^5 deals; products of an amount and a
    rate keep all `volume + rate` digits, and stay within DECIMAL(38) while that is ≤ 10.
    """

    decimals: int
    volume: int
    rate: int
    fx: int = 0  # X1: digits of the average rates

    @property
    def fx_type(self) -> str:
        """X1's average rates (below 10^10)."""
        return f"DECIMAL({10 + self.fx}, {self.fx})"

    @property
    def amount_type(self) -> str:
        """Amounts and YTD volumes."""
        return f"DECIMAL({20 + self.volume}, {self.volume})"

    @property
    def rate_type(self) -> str:
        """Rates, bonuses and margins (below 10^4)."""
        return f"DECIMAL({4 + self.rate}, {self.rate})"

    @property
    def exact_type(self) -> str:
        """An unrounded share: an amount times a rate, summed over a deal's parts."""
        return f"DECIMAL({27 + self.volume + self.rate}, {self.volume + self.rate})"

    @property
    def money_type(self) -> str:
        """A rounded amount in the program currency."""
        return f"DECIMAL({20 + self.volume}, {self.decimals})"


MAX_DIGITS = 10  # volume + rate digits the exact type holds within DECIMAL(38)


@dataclass(frozen=True, slots=True)
class Window:
    """The days R1 looks at: the period, and the fiscal year's start for late deals (P1)."""

    first_day: date
    last_day: date
    fiscal_start: date


def steps(scales: Scales, window: Window) -> list[tuple[str, str]]:
    """The rules as (name, SELECT) steps in order; the last four are the results."""
    amt, rate, exact, money = (
        scales.amount_type,
        scales.rate_type,
        scales.exact_type,
        scales.money_type,
    )
    d = scales.decimals
    first, last, fiscal = (f"DATE '{day.isoformat()}'" for day in window_days(window))
    big = "DECIMAL(38, 0)"
    return [
        # R3: each bracket runs from its start to the next one's (NULL: no end); the floor
        # row of each plan and type (lo NULL, rate 0) pays volume below the first bracket.
        (
            "br",
            """
SELECT plan, deal_type, lo, rate,
       LEAD(lo) OVER (PARTITION BY plan, deal_type ORDER BY lo NULLS FIRST, rate) AS hi
FROM tiers""",
        ),
        # R1: won deals of the period, and late ones of the fiscal year not paid yet (P1);
        # a repeated deal id counts once; an unregistered sourced or co-sell deal is paid
        # as influenced. X1: a deal in another currency (its `average` given) converted
        # at the period's average rate, rounded once.
        (
            "eligible",
            f"""
SELECT w.deal_id, w.partner_id, w.close_date, w.product,
       CASE WHEN w.average IS NULL THEN w.amount
            ELSE CAST(ROUND(CAST(w.amount * w.average AS DECIMAL(38, {scales.volume + scales.fx})),
                            {d}) AS {amt}) END AS amount,
       CASE WHEN w.deal_type IN ('sourced', 'co-sell') AND NOT w.registered
            THEN 'influenced' ELSE w.deal_type END AS paid_type
FROM (
  SELECT d.*, ROW_NUMBER() OVER (
           PARTITION BY d.deal_id
           ORDER BY d.close_date, d.partner_id, d.amount, d.product, d.deal_type,
                    d.registered, d.customer) AS copy
  FROM deals d
  WHERE d.status = 'won' AND d.close_date <= {last}
    AND (d.close_date >= {first} OR d.close_date >= {fiscal})
    AND NOT EXISTS (SELECT 1 FROM earlier e WHERE e.deal_id = d.deal_id)
) w
JOIN partners p ON p.partner_id = w.partner_id
WHERE w.copy = 1""",
        ),
        # R3: the fiscal YTD volume before the period: O1's opening plus earlier deals.
        (
            "start",
            f"""
SELECT p.partner_id, p.plan, p.mode, p.ord,
       CAST(p.opening + COALESCE(s.volume, CAST(0 AS {amt})) AS {amt}) AS ytd_before
FROM partners p
LEFT JOIN (SELECT partner_id, SUM(amount) AS volume FROM earlier GROUP BY partner_id) s
  ON s.partner_id = p.partner_id""",
        ),
        # R3: each deal's interval [ytd0, ytd0 + amount) of the running YTD, in R1 order.
        (
            "paid",
            f"""
SELECT w.deal_id, w.partner_id, w.close_date, w.amount, w.product, w.paid_type,
       s.plan, s.mode, s.ord,
       CAST(s.ytd_before + SUM(w.amount) OVER (
              PARTITION BY w.partner_id ORDER BY w.close_date, w.deal_id
              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - w.amount AS {amt}) AS ytd0,
       ROW_NUMBER() OVER (PARTITION BY w.partner_id ORDER BY w.close_date, w.deal_id) AS seq,
       COALESCE(pr.bonus, CAST(0 AS {rate})) AS bonus,
       pr.margin
FROM eligible w
JOIN start s ON s.partner_id = w.partner_id
LEFT JOIN products pr ON pr.product = w.product""",
        ),
        (
            "totals",
            f"""
SELECT s.partner_id, s.plan, s.mode, s.ord, s.ytd_before,
       CAST(s.ytd_before + COALESCE(v.volume, CAST(0 AS {amt})) AS {amt}) AS ytd_end
FROM start s
LEFT JOIN (SELECT partner_id, SUM(amount) AS volume FROM eligible GROUP BY partner_id) v
  ON v.partner_id = s.partner_id""",
        ),
        # R4: the bracket rate each deal type reaches at the period-end YTD.
        (
            "reached",
            """
SELECT t.partner_id, b.deal_type, b.rate
FROM totals t
JOIN br b ON b.plan = t.plan
WHERE (b.lo IS NULL OR b.lo <= t.ytd_end) AND (b.hi IS NULL OR t.ytd_end < b.hi)""",
        ),
        # R3: a deal's interval split at its own deal type's brackets; R4: one part at
        # the rate reached.
        (
            "parts",
            f"""
SELECT p.deal_id, p.ord, p.seq,
       CAST(CASE WHEN b.lo IS NULL OR b.lo < p.ytd0 THEN p.ytd0 ELSE b.lo END
            AS {amt}) AS part_start,
       CAST(CASE WHEN b.hi IS NULL OR b.hi > p.ytd0 + p.amount THEN p.ytd0 + p.amount
                 ELSE b.hi END AS {amt}) AS part_end,
       b.rate
FROM paid p
JOIN br b ON b.plan = p.plan AND b.deal_type = p.paid_type
WHERE p.mode = 'marginal' AND p.amount > 0
  AND (b.lo IS NULL OR b.lo < p.ytd0 + p.amount) AND (b.hi IS NULL OR b.hi > p.ytd0)
UNION ALL
SELECT p.deal_id, p.ord, p.seq, p.ytd0, CAST(p.ytd0 + p.amount AS {amt}), r.rate
FROM paid p
JOIN reached r ON r.partner_id = p.partner_id AND r.deal_type = p.paid_type
WHERE p.mode = 'retroactive' AND p.amount > 0""",
        ),
        # R2: the exact share, Σ part x bracket rate + amount x bonus, and the bracket
        # rate at ytd0 (for a deal without volume).
        (
            "figures",
            f"""
SELECT p.deal_id, p.partner_id, p.ord, p.seq, p.paid_type, p.ytd0, p.amount, p.bonus,
       p.margin,
       CAST(COALESCE(x.bracket_exact, CAST(0 AS {exact})) + p.amount * p.bonus
            AS {exact}) AS exact,
       CASE WHEN p.mode = 'marginal' THEN pm.rate ELSE r.rate END AS point_rate
FROM paid p
LEFT JOIN (
  SELECT deal_id, CAST(SUM((part_end - part_start) * rate) AS {exact}) AS bracket_exact
  FROM parts GROUP BY deal_id
) x ON x.deal_id = p.deal_id
LEFT JOIN br pm
  ON pm.plan = p.plan AND pm.deal_type = p.paid_type
 AND (pm.lo IS NULL OR pm.lo <= p.ytd0) AND (pm.hi IS NULL OR p.ytd0 < pm.hi)
LEFT JOIN reached r ON r.partner_id = p.partner_id AND r.deal_type = p.paid_type""",
        ),
        # R2: rounded once per deal.
        (
            "deal_rows",
            f"""
SELECT f.*, CAST(ROUND(f.exact, {d}) AS {money}) AS share FROM figures f""",
        ),
        # R4: each earlier deal of a retroactive plan's fiscal year at the rate reached.
        (
            "dues",
            f"""
SELECT e.deal_id, e.partner_id,
       CAST(r.rate + e.bonus AS {rate}) AS rate_now,
       CAST(ROUND(e.amount * CAST(r.rate + e.bonus AS {rate}), {d}) AS {money}) AS due
FROM earlier e
JOIN totals t ON t.partner_id = e.partner_id AND t.mode = 'retroactive'
JOIN reached r ON r.partner_id = e.partner_id AND r.deal_type = e.paid_type""",
        ),
        # Control totals per partner (and R8's gross profit), beside the rows.
        (
            "controls",
            f"""
SELECT t.partner_id, t.ytd_before,
       COUNT(f.deal_id) AS n,
       CAST(COALESCE(SUM(f.amount), 0) AS DECIMAL(38, {scales.volume})) AS volume,
       CAST(COALESCE(SUM(f.share), 0) AS DECIMAL(38, {d})) AS share_sum,
       CAST(COALESCE(SUM(f.share * CAST(f.seq AS DECIMAL(10, 0))), 0)
            AS DECIMAL(38, {d})) AS checksum,
       CAST(SUM(f.amount * f.margin) AS DECIMAL(38, {scales.volume + scales.rate})) AS gross,
       CAST(MAX(COALESCE(u.n, 0)) AS {big}) AS true_up_rows
FROM totals t
LEFT JOIN deal_rows f ON f.partner_id = t.partner_id
LEFT JOIN (SELECT partner_id, COUNT(*) AS n FROM dues GROUP BY partner_id) u
  ON u.partner_id = t.partner_id
GROUP BY t.partner_id, t.ytd_before""",
        ),
    ]


def window_days(window: Window) -> tuple[date, date, date]:
    """(first day, last day, fiscal year's first day)."""
    return window.first_day, window.last_day, window.fiscal_start


# What the engine hands back, each SELECT in a fixed order (the core's R1 order). Decimals
# come back as their plain text (both engines write every digit of the scale): Python
# reads text into Decimal twice as fast as Arrow's decimal128 into Decimal.
def _text(*columns: str) -> str:
    """Each column as text under its own name (order by a qualified name: the number)."""
    return ", ".join(f"CAST({c} AS STRING) AS {c}" for c in columns)


RESULTS = {
    "deal_rows": f"""
SELECT deal_id, partner_id, paid_type,
       {_text("ytd0", "exact", "share", "point_rate", "bonus")}
FROM deal_rows ORDER BY ord, seq""",
    "parts": f"""
SELECT deal_id, {_text("part_start", "part_end", "rate")}
FROM parts p ORDER BY p.ord, p.seq, p.part_start""",
    "dues": f"SELECT deal_id, {_text('rate_now', 'due')} FROM dues",
    "controls": f"""
SELECT partner_id, n, true_up_rows,
       {_text("ytd_before", "volume", "share_sum", "checksum", "gross")}
FROM controls""",
}
DECIMAL_RESULTS = frozenset(
    {"ytd0", "exact", "share", "point_rate", "bonus", "part_start", "part_end", "rate"}
    | {"rate_now", "due", "ytd_before", "volume", "share_sum", "checksum", "gross"}
)
