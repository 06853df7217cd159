"""Row checks where the rows are read, and merging sources with their problems."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.core.records import (
    Basis,
    Conversion,
    Deal,
    DealStatus,
    DealType,
    Loc,
    MetricValue,
    PeriodData,
    Submission,
    Usage,
)
from partnerclose.core.validation import CheckedRows, RowContext, check_rows, merge_sources
from tests.core.factories_costs import commit, pool, program

OCT = Period(2026, 10)
CONTEXT = RowContext(
    OCT,
    partner_ids=frozenset({"P001", "P002"}),
    pool_ids=frozenset({"CRM", "OFFICE"}),
    committed=frozenset({("P001", "CRM"), ("P002", "CRM"), ("HOST", "CRM")}),
    products=frozenset({"Core", "Analytics"}),
)


def at(file: str, sheet: str, row: int) -> Loc:
    columns = {"pool_id": "A", "date": "C", "product": "E", "original_deal_id": "J"}
    return Loc(file, sheet, row, columns | {"created_date": "B", "metric": "A"})


def usage(pid: str, pool_id: str, day: int, row: int, file: str = "P001.xlsx") -> Usage:
    return Usage(
        pid, pool_id, D(10), date(2026, 10 if day > 0 else 9, abs(day)), "", at(file, "Usage", row)
    )


def deal(pid: str, deal_id: str, row: int, file: str = "P001.xlsx", **changes: object) -> Deal:
    fields: dict[str, object] = {
        "close_date": date(2026, 10, 3),
        "product": "Core",
        "deal_type": DealType.SOURCED,
        "amount": D(1000),
        "status": DealStatus.WON,
    } | changes
    return Deal(pid, deal_id, loc=at(file, "Deals", row), **fields)  # type: ignore[arg-type]


def shown(rows: CheckedRows) -> list[str]:
    found = (*rows.usage_problems, *rows.deal_problems, *rows.metric_problems)
    return [str(p) for p in found]


def test_each_row_is_checked_against_the_program():
    data = PeriodData(
        usage=(
            usage("P001", "CRM", 3, 2),
            usage("P001", "CRM", -30, 3),  # September: dropped, with a warning
            usage("P001", "CRMM", 4, 4),
            usage("P001", "OFFICE", 5, 5),
        ),
        deals=(
            deal("P001", "D1", 2),
            deal("P001", "D2", 3, product="Analytix"),
            deal("P001", "D3", 4, status=DealStatus.REFUNDED),
            deal("P001", "D4", 5, created_date=date(2026, 11, 1)),
        ),
        metrics=(
            MetricValue("P001", "csat", D(4), loc=at("P001.xlsx", "Metrics", 2)),
            MetricValue("P001", "csat", D(5), loc=at("P001.xlsx", "Metrics", 3)),
        ),
    )
    checked = check_rows(CONTEXT, data)
    assert checked.data is data
    assert [u.loc.row for u in checked.usage_in_period] == [2, 4, 5]
    assert shown(checked) == [
        "P001.xlsx:Usage!C3: warning: usage dated 2026-09-30 is outside 2026-10; ignored",
        'P001.xlsx:Usage!A4: unknown pool "CRMM"; did you mean "CRM"?',
        "P001.xlsx:Usage!A5: usage of pool OFFICE by P001, which has no Commitments row for it",
        'P001.xlsx:Deals!E3: unknown product "Analytix"; did you mean "Analytics"?',
        "P001.xlsx:Deals!J4: original_deal_id is required for a refunded deal",
        "P001.xlsx:Deals!B5: warning: created_date is after close_date",
        "P001.xlsx:Metrics!A3: duplicate metric P001 / csat, first at P001.xlsx:Metrics!A2",
    ]


def workbook(pid: str, file: str, data: PeriodData) -> CheckedRows:
    submission = Submission(pid, OCT, file=file, loc=Loc(file, "Partner", 0, {"partner_id": "B2"}))
    sent = PeriodData(data.usage, data.deals, data.metrics, data.campaigns, (submission,))
    return check_rows(CONTEXT, sent)


def test_rows_merging_drops_go_with_their_problems():
    the_program = program(
        [pool("CRM", "1000", Basis.USAGE)], [commit("P001", "CRM"), commit("P002", "CRM")]
    )
    central = check_rows(CONTEXT, PeriodData(usage=(usage("P002", "CRM", 1, 2, "program.xlsx"),)))
    p001 = workbook("P001", "P001.xlsx", PeriodData(deals=(deal("P001", "D1", 2, product="X"),)))
    again = workbook(
        "P001", "P001b.xlsx", PeriodData(deals=(deal("P001", "D9", 2, "P001b.xlsx", product="Y"),))
    )
    p002 = workbook(
        "P002",
        "P002.xlsx",
        PeriodData(
            usage=(usage("P002", "NOPE", 2, 2, "P002.xlsx"),),  # clashes with the program's usage
            deals=(deal("P002", "D2", 2, "P002.xlsx", product="Z"),),
        ),
    )
    stranger = workbook(
        "P777", "P777.xlsx", PeriodData(deals=(deal("P777", "D7", 2, "P777.xlsx"),))
    )
    assert stranger.deal_problems  # found where it was read, dropped with the workbook
    merged, problems = merge_sources(the_program, OCT, central, [p002, stranger, again, p001])
    assert [d.deal_id for d in merged.deals] == ["D1", "D2"]
    assert [(u.partner_id, u.pool_id) for u in merged.usage] == [("P002", "CRM")]
    assert [s.file for s in merged.submissions] == ["P001.xlsx", "P002.xlsx"]
    assert sorted(str(p) for p in problems) == [
        'P001.xlsx:Deals!E2: unknown product "X"',
        "P001b.xlsx:Partner!B2: a second workbook for P001 and 2026-10; the other is P001.xlsx",
        'P002.xlsx:Deals!E2: unknown product "Z"',
        "P002.xlsx:Usage!A2: Usage for P002 come from two sources: this workbook and "
        "program.xlsx:Usage; keep one",
        'P777.xlsx:Partner!B2: unknown partner "P777"',
    ]
    assert all(p.severity is Severity.ERROR for p in problems)


def test_rows_checked_on_other_x1_terms_are_converted_again_when_merged():
    """X1 runs in check_rows; a workbook checked on other terms (or none) is brought to the
    program data's terms, so the merged deals are all converted once, on one set of terms."""
    terms = Conversion("USD", 2, (("EUR", D("1.0800")),), (("P001", "EUR"), ("P002", "USD")))
    in_eur = replace(CONTEXT, conversion=terms)
    the_program = program([pool("CRM", "1000", Basis.USAGE)], [commit("P001", "CRM")])
    central = check_rows(in_eur, PeriodData())
    submission = Submission("P001", OCT, file="P001.xlsx", loc=Loc("P001.xlsx", "Partner", 0))
    sent = PeriodData(deals=(deal("P001", "D1", 2),), submissions=(submission,))
    checked = check_rows(in_eur, sent)
    (converted,) = checked.data.deals
    # EUR 1,000 × 1.08 = USD 1,080.00
    assert (converted.amount, converted.currency, converted.source_amount) == (
        D("1080.00"),
        "EUR",
        D(1000),
    )
    for rows in (checked, check_rows(CONTEXT, sent)):  # on the same terms, and on none
        merged, _ = merge_sources(the_program, OCT, central, [rows])
        assert merged.converted == terms
        assert merged.deals == (converted,)
