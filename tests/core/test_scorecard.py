"""S1 scorecard (scorecard.py)."""

from dataclasses import replace
from decimal import Decimal

from partnerclose.core.problems import Severity
from partnerclose.core.records import Loc, Program, ScorecardMetric, Settings
from partnerclose.core.scorecard import compute_scorecards, metric_score

D = Decimal  # short for literals

ROWS = (
    ScorecardMetric("win_rate", D("2"), worst=D("0.2"), best=D("0.6")),
    ScorecardMetric("days_to_close", D("1"), worst=D("60"), best=D("20")),  # lower is better
    ScorecardMetric(
        "nps", D("1"), worst=D("0"), best=D("50"), loc=Loc("prog.xlsx", "Scorecard", 4)
    ),
)
PROGRAM = Program(
    settings=Settings("Test", renegotiation_below=D("40"), upgrade_at=D("75")),
    scorecard=ROWS,
)


def test_hand_worked_scorecards() -> None:
    values = {
        # win_rate (0.5 − 0.2) ÷ 0.4 = 0.75 → 75; days (30 − 60) ÷ (20 − 60) = 0.75 → 75;
        # nps missing. Score (2 × 75 + 1 × 75) ÷ 3 = 75 → at upgrade_at: upgrade candidate
        "P001": {"win_rate": D("0.5"), "days_to_close": D("30"), "revenue": D("1")},
        # win_rate 0.1 → clamp 0; days 70 → (70 − 60) ÷ (−40) < 0 → 0; nps 60 → 1.2 → 100.
        # Score (2 × 0 + 0 + 100) ÷ 4 = 25 → renegotiation window
        "P002": {"win_rate": D("0.1"), "days_to_close": D("70"), "nps": D("60")},
        "P003": {},  # nothing at all: no score, no flags
        # nps 20 → 40 exactly: not below renegotiation_below, no flag
        "P004": {"nps": D("20")},
    }
    result = compute_scorecards(PROGRAM, values)
    cards = result.scorecards
    assert list(cards) == ["P001", "P002", "P003", "P004"]

    p1 = cards["P001"]
    assert p1.score == D("75")
    assert [(m.metric, m.value, m.score) for m in p1.metrics] == [
        ("win_rate", D("0.5"), D("75")),
        ("days_to_close", D("30"), D("75")),
        ("nps", None, None),
    ]
    assert p1.missing == ("nps",)
    assert p1.flags == ("upgrade candidate",)

    p2 = cards["P002"]
    assert [m.score for m in p2.metrics] == [D(0), D(0), D(100)]
    assert p2.score == D("25")
    assert p2.flags == ("renegotiation window",)

    assert cards["P003"].score is None
    assert cards["P003"].flags == ()
    assert cards["P003"].missing == ("win_rate", "days_to_close", "nps")

    assert cards["P004"].score == D("40")
    assert cards["P004"].flags == ()

    # one warning per missing metric and partner, at the Scorecard row
    assert [(p.severity, p.message.split()[0]) for p in result.problems] == [
        (Severity.WARNING, "P001"),
        (Severity.WARNING, "P003"),
        (Severity.WARNING, "P003"),
        (Severity.WARNING, "P003"),
        (Severity.WARNING, "P004"),  # win_rate and days_to_close
        (Severity.WARNING, "P004"),
    ]
    assert result.problems[0].location == "prog.xlsx:Scorecard!A4"
    assert '"nps"' in result.problems[0].message


def test_score_stays_exact() -> None:
    # win_rate 0.6 → 100 (weight 2), nps 0 → 0 (weight 1): 200 ÷ 3 = 66.666…
    result = compute_scorecards(PROGRAM, {"P001": {"win_rate": D("0.6"), "nps": D("0")}})
    assert result.scorecards["P001"].score == D(200) / D(3)
    assert result.scorecards["P001"].flags == ()


def test_lower_is_better_exactly_at_worst_and_best() -> None:
    days = ROWS[1]
    assert metric_score(days, D("60")) == D(0)
    assert metric_score(days, D("20")) == D(100)
    assert metric_score(days, D("10")) == D(100)  # better than best: clamped


def test_degenerate_row_does_not_divide_by_zero() -> None:
    flat = ScorecardMetric("x", D(1), worst=D(5), best=D(5))
    assert metric_score(flat, D(5)) == D(100)
    assert metric_score(flat, D(4)) == D(0)


def test_no_thresholds_no_flags_and_no_rows_no_cards() -> None:
    bare = replace(PROGRAM, settings=Settings("Test"))
    assert compute_scorecards(bare, {"P001": {"win_rate": D("0.6")}}).scorecards["P001"].flags == ()
    empty = compute_scorecards(Program(Settings("Test")), {"P001": {"win_rate": D("0.6")}})
    assert empty.scorecards == {}
    assert empty.problems == ()


def test_both_flags_when_thresholds_overlap() -> None:
    # upgrade_at 20 below renegotiation_below 40: a score of 25 is both
    odd = replace(PROGRAM, settings=Settings("Test", renegotiation_below=D(40), upgrade_at=D(20)))
    card = compute_scorecards(odd, {"P001": {"nps": D("12.5")}}).scorecards["P001"]
    assert card.score == D(25)
    assert card.flags == ("renegotiation window", "upgrade candidate")
