"""K1 computed metrics, and reported-over-computed metric values (key_figures.py)."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import pytest

from partnerclose.core.key_figures import (
    KEY_FIGURE_NAMES,
    KeyFigureInputs,
    MetricBook,
    compute_key_figures,
    merge_metric_values,
)
from partnerclose.core.problems import Severity
from partnerclose.core.records import (
    Campaign,
    Commitment,
    Deal,
    DealStatus,
    DealType,
    Loc,
    MetricValue,
    PartnerStatus,
    PeriodData,
    Program,
    Settings,
    Usage,
)
from tests.core.factories_milestones import MAR, day, partner

D = Decimal  # short for literals
Figures = Mapping[str, Mapping[str, Decimal]]


def deal(
    pid: str, deal_id: str, status: str, amount: str, close: str, created: str | None = None
) -> Deal:
    return Deal(
        pid,
        deal_id,
        day(close),
        "Core",
        DealType.SOURCED,
        D(amount),
        DealStatus(status),
        created_date=None if created is None else day(created),
    )


P001_DEALS = (
    deal("P001", "D1", "won", "10000", "2026-03-05", created="2026-02-03"),  # 30 days
    deal("P001", "D2", "won", "30000", "2026-03-20", created="2026-03-10"),  # 10 days
    deal("P001", "D3", "won", "5000", "2026-03-25"),  # no created date
    deal("P001", "D4", "lost", "8000", "2026-03-15"),
    deal("P001", "D5", "open", "12000", "2026-05-30"),  # expected close: still pipeline
    deal("P001", "D6", "open", "3000", "2026-04-10"),
    deal("P001", "D7", "won", "99999", "2026-02-27"),  # February: not this period
    deal("P001", "R1", "refunded", "2500", "2026-03-28"),
    deal("P001", "R2", "churned", "500", "2026-03-29"),
    deal("P001", "R3", "refunded", "700", "2026-02-10"),  # February: not this period
)

PROGRAM = Program(
    settings=Settings("Test"),
    partners=(
        partner("P001"),
        partner("P002"),
        partner("P003"),
        partner("P004"),
        partner("P005"),
        partner("P006", status=PartnerStatus.EXITED, exit_date=date(2025, 12, 31)),
        partner("P007", start_date=date(2026, 4, 1)),
    ),
    commitments=(
        Commitment("HOST", "CRM", D("600")),
        Commitment("P001", "CRM", D("350")),
        Commitment("P001", "DATA", D("300")),
        Commitment("P005", "CRM", D("0")),
    ),
)

DATA = PeriodData(
    deals=(
        *P001_DEALS,
        deal("P003", "D30", "lost", "1000", "2026-03-02"),
        deal("P003", "D31", "lost", "2000", "2026-03-03"),
        deal("P004", "D40", "open", "7000", "2026-06-01"),
    ),
    usage=(
        Usage("P001", "CRM", D("300"), date=day("2026-03-10")),
        Usage("P001", "DATA", D("100")),  # undated: in the period
        Usage("P001", "CRM", D("50"), date=day("2026-02-28")),  # dated outside: ignored
        Usage("HOST", "CRM", D("500")),
        Usage("P005", "CRM", D("40")),
    ),
    campaigns=(
        Campaign("P001", "C1", D("5000"), attributed_revenue=D("20000"), approved=True),
        Campaign("P001", "C2", D("3000"), approved=True),  # no attributed revenue: counts 0
        Campaign("P001", "C3", D("4000"), attributed_revenue=D("50000")),  # not approved
        Campaign("P002", "C4", D("0"), attributed_revenue=D("100"), approved=True),
        Campaign("P004", "C5", D("1000"), approved=True),  # approved, none attributed
    ),
)

INPUTS = KeyFigureInputs(
    ytd_revenue={"P001": D("135000"), "P002": D("0")},
    savings={"P001": D("1659.80")},
    margin_share={"P001": D("0.62")},
)


@pytest.fixture(scope="module")
def figures() -> Mapping[str, Mapping[str, Decimal]]:
    return compute_key_figures(PROGRAM, MAR, DATA, INPUTS)


def test_p001_every_metric_worked_by_hand(figures: Figures) -> None:
    assert dict(figures["P001"]) == {
        "revenue": D("45000"),  # 10,000 + 30,000 + 5,000 (D7 is February)
        "ytd_revenue": D("135000"),
        "deals_won": D(3),
        "deals_lost": D(1),
        "win_rate": D("0.75"),  # 3 ÷ (3 + 1)
        "avg_deal_size": D("15000"),  # 45,000 ÷ 3
        "days_to_close": D("20"),  # (30 + 10) ÷ 2; D3 has no created date
        "pipeline": D("15000"),  # 12,000 + 3,000
        "net_revenue": D("42000"),  # 45,000 − 2,500 − 500 (R3 is February)
        "utilization": D(400) / D(650),  # (300 + 100) ÷ (350 + 300) = 0.6153…
        "remaining_capacity": D("250"),  # 650 − 400
        "savings": D("1659.80"),
        "mdf_roi": D("2.5"),  # 20,000 ÷ (5,000 + 3,000); C3 not approved
        "margin_share": D("0.62"),
    }
    assert list(figures["P001"]) == list(KEY_FIGURE_NAMES)  # statement order


def test_nothing_to_compute_means_missing_not_zero(figures: Figures) -> None:
    # P002: no deals, no commitments; its only approved campaign has spend 0
    assert dict(figures["P002"]) == {"ytd_revenue": D("0")}


def test_only_lost_deals(figures: Figures) -> None:
    assert dict(figures["P003"]) == {
        "revenue": D("0"),
        "deals_won": D(0),
        "deals_lost": D(2),
        "win_rate": D(0),  # 0 ÷ (0 + 2)
        "pipeline": D("0"),
        "net_revenue": D("0"),
    }  # no avg_deal_size or days_to_close without a won deal


def test_only_open_deals_has_no_win_rate(figures: Figures) -> None:
    # P004's approved campaign reports no attributed revenue: no mdf_roi
    assert dict(figures["P004"]) == {
        "revenue": D("0"),
        "deals_won": D(0),
        "deals_lost": D(0),
        "pipeline": D("7000"),
        "net_revenue": D("0"),
    }


def test_zero_committed_capacity_has_no_utilization(figures: Figures) -> None:
    assert dict(figures["P005"]) == {"remaining_capacity": D("-40")}  # 0 − 40


def test_only_partners_taking_part(figures: Figures) -> None:
    assert list(figures) == ["P001", "P002", "P003", "P004", "P005"]  # no P006, P007, HOST


def test_row_order_does_not_matter(figures: Figures) -> None:
    shuffled = PeriodData(
        deals=DATA.deals[::-1], usage=DATA.usage[::-1], campaigns=DATA.campaigns[::-1]
    )
    assert compute_key_figures(PROGRAM, MAR, shuffled, INPUTS) == figures


def test_empty_input_does_not_crash() -> None:
    assert compute_key_figures(Program(Settings("x")), MAR, PeriodData(), KeyFigureInputs()) == {}


def test_repeating_ratio_is_kept_exact() -> None:
    data = PeriodData(
        deals=(
            deal("P001", "A", "won", "100", "2026-03-02", created="2026-03-01"),  # 1 day
            deal("P001", "B", "won", "100", "2026-03-03", created="2026-03-01"),  # 2 days
            deal("P001", "C", "won", "100", "2026-03-05", created="2026-03-04"),  # 1 day
            deal("P001", "E", "lost", "1", "2026-03-05"),
            deal("P001", "F", "lost", "1", "2026-03-05"),
        )
    )
    got = compute_key_figures(PROGRAM, MAR, data, KeyFigureInputs())["P001"]
    assert got["days_to_close"] == D(4) / D(3)
    assert got["win_rate"] == D(3) / D(5)


# --- reported over computed -----------------------------------------------------


def test_reported_metric_takes_precedence_with_an_info() -> None:
    reported = (MetricValue("P001", "win_rate", D("0.9"), loc=Loc("p.xlsx", "Metrics", 4)),)
    values, problems = merge_metric_values(
        reported, {"P001": {"win_rate": D("0.75"), "revenue": D("10")}}
    )
    assert values == {"P001": {"revenue": D("10"), "win_rate": D("0.9")}}
    (info,) = problems
    assert info.severity is Severity.INFO
    assert (info.file, info.sheet, info.cell) == ("p.xlsx", "Metrics", "A4")  # no columns known
    assert "0.9" in info.message
    assert "0.75" in info.message


def test_reading_marks_computed_metrics_verified_and_undisputed() -> None:
    book = MetricBook.of(
        (MetricValue("P001", "nps", D("40"), verified=False, disputed=True),),
        {"P001": {"revenue": D("10")}},
    )
    nps, revenue = book.reading("P001", "nps"), book.reading("P001", "revenue")
    assert nps is not None
    assert (nps.verified, nps.disputed, nps.computed) == (False, True, False)
    assert revenue is not None
    assert (revenue.verified, revenue.disputed, revenue.computed) == (True, False, True)
    assert book.reading("P002", "nps") is None


def test_duplicate_reported_rows_use_the_first_by_location() -> None:
    first = MetricValue("P001", "nps", D("40"), loc=Loc("p.xlsx", "Metrics", 2))
    second = MetricValue("P001", "nps", D("50"), loc=Loc("p.xlsx", "Metrics", 3))
    for rows in ((first, second), (second, first)):
        values, problems = merge_metric_values(rows, {})
        assert values == {"P001": {"nps": D("40")}}
        (warning,) = problems
        assert warning.severity is Severity.WARNING
        assert warning.cell == "A3"
