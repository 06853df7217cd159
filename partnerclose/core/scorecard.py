"""The partner scorecard (rules.md S1).

Each `Scorecard` metric scores clamp((v − worst) ÷ (best − worst), 0, 1) × 100;
the same formula serves lower-is-better metrics (worst > best). A partner's
score is the weighted mean over the metrics that have a value; metrics with
no value are listed as missing (warning) and left out. A partner with no
value for any metric has no score and no flags.

Scores are exact Decimals (statements round them for display), and the flags
compare the exact score: "renegotiation window" when score <
`renegotiation_below`, "upgrade candidate" when score ≥ `upgrade_at`.

A metric whose worst equals its best (a degenerate row that validation should
stop) scores 100 when the value reaches it (v ≥ best) and 0 otherwise, instead
of dividing by zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from partnerclose.core.money import ONE, ZERO
from partnerclose.core.problems import Problem
from partnerclose.core.records import Program, ScorecardMetric

HUNDRED = Decimal(100)
RENEGOTIATION_WINDOW = "renegotiation window"
UPGRADE_CANDIDATE = "upgrade candidate"


@dataclass(frozen=True, slots=True)
class MetricScore:
    """One scorecard row for one partner; value and score are None when missing."""

    metric: str
    weight: Decimal
    worst: Decimal
    best: Decimal
    value: Decimal | None
    score: Decimal | None  # 0-100, exact


@dataclass(frozen=True, slots=True)
class PartnerScorecard:
    """S1: one partner's scorecard: score, metric scores, missing metrics and flags."""

    partner_id: str
    score: Decimal | None  # weighted mean, exact; None when no metric has a value
    metrics: tuple[MetricScore, ...]  # in the order of the Scorecard sheet
    missing: tuple[str, ...]  # metrics with no value, left out of the score
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScorecardResult:
    """S1: every partner's scorecard for the period, and its problems."""

    scorecards: Mapping[str, PartnerScorecard]  # partner_id -> scorecard, sorted by id
    problems: tuple[Problem, ...]


def compute_scorecards(
    program: Program, values: Mapping[str, Mapping[str, Decimal]]
) -> ScorecardResult:
    """S1 for every partner in `values` (partner -> metric -> value).

    The caller passes the partners taking part in the period, each with its
    reported-over-computed metric values (`key_figures.merge_metric_values`).
    Without `Scorecard` rows there is nothing to score: the result is empty.
    """
    if not program.scorecard:
        return ScorecardResult(MappingProxyType({}), ())
    cards: dict[str, PartnerScorecard] = {}
    problems: list[Problem] = []
    for partner_id in sorted(values):
        card = _scorecard(program, partner_id, values[partner_id])
        cards[partner_id] = card
        problems.extend(
            row.loc.warning(
                f'{partner_id} has no value for scorecard metric "{row.metric}"; '
                "it is left out of the score",
                column="metric",
            )
            for row in program.scorecard
            if row.metric in card.missing
        )
    return ScorecardResult(MappingProxyType(cards), tuple(problems))


def metric_score(row: ScorecardMetric, value: Decimal) -> Decimal:
    """clamp((v − worst) ÷ (best − worst), 0, 1) × 100, exact."""
    span = row.best - row.worst
    if span == 0:
        return HUNDRED if value >= row.best else ZERO
    return max(ZERO, min(ONE, (value - row.worst) / span)) * HUNDRED


def _scorecard(
    program: Program, partner_id: str, values: Mapping[str, Decimal]
) -> PartnerScorecard:
    rows: list[MetricScore] = []
    for row in program.scorecard:
        value = values.get(row.metric)
        row_score = None if value is None else metric_score(row, value)
        rows.append(MetricScore(row.metric, row.weight, row.worst, row.best, value, row_score))
    scored = [r for r in rows if r.score is not None]
    total_weight = sum((r.weight for r in scored), ZERO)
    score: Decimal | None = None
    if scored and total_weight > 0:
        score = sum((r.weight * (r.score or ZERO) for r in scored), ZERO) / total_weight
    missing = tuple(dict.fromkeys(r.metric for r in rows if r.score is None))
    return PartnerScorecard(partner_id, score, tuple(rows), missing, _flags(program, score))


def _flags(program: Program, score: Decimal | None) -> tuple[str, ...]:
    if score is None:
        return ()
    settings = program.settings
    flags: list[str] = []
    if settings.renegotiation_below is not None and score < settings.renegotiation_below:
        flags.append(RENEGOTIATION_WINDOW)
    if settings.upgrade_at is not None and score >= settings.upgrade_at:
        flags.append(UPGRADE_CANDIDATE)
    return tuple(flags)
