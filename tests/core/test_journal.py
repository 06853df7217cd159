from decimal import Decimal as D

from partnerclose.core.journal import UNMAPPED, build_journal
from partnerclose.core.lines import Component, Line
from partnerclose.core.records import Account


def line(partner, component, amount, item=""):
    return Line("2026-10", partner, component, item, D(amount), "X")


ACCOUNTS = [
    Account("cost_share", "1200", "6100"),  # receivable from partner / cost recovery
    Account("revenue_share", "6200", "2100"),  # commission expense / partner payable
    Account("guardrail", "6100", "1200"),
]


def test_one_balanced_entry_per_partner_and_component():
    lines = [
        line("P002", Component.COST_SHARE, "-2474.23", "CRM"),
        line("P001", Component.COST_SHARE, "-3340.20", "CRM"),
        line("P001", Component.COST_SHARE, "-100.00", "DATA"),
        line("P001", Component.REVENUE_SHARE, "4000.00", "D1"),
        line("P001", Component.REVENUE_SHARE, "26500.00", "D2"),
        line("HOST", Component.COST_SHARE, "-6185.57", "CRM"),
    ]
    rows, problems = build_journal("2026-10", "2026-10-31", lines, ACCOUNTS)
    assert problems == []
    assert [(r.partner_id, r.component.value, r.account, r.debit, r.credit) for r in rows] == [
        ("P001", "cost_share", "1200", D("3440.20"), D(0)),
        ("P001", "cost_share", "6100", D(0), D("3440.20")),
        ("P001", "revenue_share", "6200", D("30500.00"), D(0)),
        ("P001", "revenue_share", "2100", D(0), D("30500.00")),
        ("P002", "cost_share", "1200", D("2474.23"), D(0)),
        ("P002", "cost_share", "6100", D(0), D("2474.23")),
    ]
    assert sum(r.debit for r in rows) == sum(r.credit for r in rows)


def test_a_partner_and_component_met_again_adds_to_its_first_total():
    # Lines out of order: P001's cost_share comes in two runs, 100.00 + 20.50 = 120.50.
    lines = [
        line("P001", Component.COST_SHARE, "-100.00", "CRM"),
        line("P002", Component.COST_SHARE, "-7.00", "CRM"),
        line("P001", Component.COST_SHARE, "-20.50", "DATA"),
    ]
    rows, _ = build_journal("2026-10", "2026-10-31", lines, ACCOUNTS)
    assert [(r.partner_id, r.debit, r.credit) for r in rows] == [
        ("P001", D("120.50"), D(0)),
        ("P001", D(0), D("120.50")),
        ("P002", D("7.00"), D(0)),
        ("P002", D(0), D("7.00")),
    ]


def test_unusual_sign_swaps_debit_and_credit():
    # A guardrail is usually a relief (+); a negative one raises the charge.
    rows, _ = build_journal(
        "2026-10", "2026-10-31", [line("P001", Component.GUARDRAIL, "-50.00", "DATA")], ACCOUNTS
    )
    assert [(r.account, r.debit, r.credit) for r in rows] == [
        ("1200", D("50.00"), D(0)),
        ("6100", D(0), D("50.00")),
    ]


def test_unmapped_components_go_to_unmapped_accounts_with_one_warning():
    lines = [line("P001", Component.MDF, "2500.00", "C1"), line("P002", Component.MDF, "10.00")]
    rows, problems = build_journal("2026-10", "2026-10-31", lines, ACCOUNTS, "program.xlsx")
    assert {r.account for r in rows} == {UNMAPPED}
    assert [str(p) for p in problems] == [
        "program.xlsx:Accounts: warning: no account mapping for mdf; journalled to UNMAPPED "
        "accounts"
    ]


def test_components_netting_to_zero_make_no_entry():
    lines = [
        line("P001", Component.CLAWBACK, "-500.00", "R1"),
        line("P001", Component.CLAWBACK, "500.00", "R2"),
    ]
    rows, _ = build_journal("2026-10", "2026-10-31", lines, ACCOUNTS)
    assert rows == []
