from decimal import Decimal as D

from partnerclose.core.currency import SettlementRate
from partnerclose.core.journal import build_journal
from partnerclose.core.lines import Component, Line
from partnerclose.core.problems import Problem, Severity
from partnerclose.core.records import Account
from partnerclose.writing.csv_files import exceptions_csv, journal_csv, lines_csv, safe_text


def test_lines_csv_columns_and_exact_amounts():
    lines = [
        Line(
            "2026-10",
            "P001",
            Component.COST_SHARE,
            "CRM",
            D("-3340.2"),
            "C4",
            "CRM licences (usage)",
            D("300"),
            D("0.2783505154639175257731958763"),
            "",
        ),
        Line(
            "2026-10",
            "P001",
            Component.REVENUE_SHARE,
            "D3",
            D("300"),
            "R3",
            "Core",
            D("10000.00"),
            D("0.03"),
            "treated as influenced",
        ),
    ]
    assert lines_csv(lines, 2).decode() == (
        "period,partner_id,component,item,description,quantity,rate,amount,status,rule,"
        "settlement_currency,fx_rate,settlement_amount\n"
        "2026-10,P001,cost_share,CRM,CRM licences (usage),300,0.2783505154639175257731958763,"
        "-3340.20,,C4,USD,1,-3340.20\n"
        "2026-10,P001,revenue_share,D3,Core,10000,0.03,300.00,treated as influenced,R3,"
        "USD,1,300.00\n"
    )


def test_lines_of_a_partner_in_another_currency_show_its_amount_at_the_closing_rate():
    eur = SettlementRate("EUR", D("1.1000"), 2)
    jpy = SettlementRate("JPY", D("0.006500"), 0)
    lines = [
        Line("2026-10", "HOST", Component.COST_SHARE, "CRM", D("-1100.00"), "C4"),
        Line("2026-10", "P001", Component.COST_SHARE, "CRM", D("-1100.00"), "C4"),
        Line("2026-10", "P001", Component.REVENUE_SHARE, "D1", D("2740.00"), "R3"),
        Line("2026-10", "P002", Component.REVENUE_SHARE, "D2", D("1005.00"), "R3"),
    ]
    rows = lines_csv(lines, 2, {"P001": eur, "P002": jpy}, "USD").decode().splitlines()
    assert [row.split(",")[-3:] for row in rows[1:]] == [
        ["USD", "1", "-1100.00"],  # HOST: the program currency
        ["EUR", "1.1", "-1000.00"],  # -1,100.00 / 1.1
        ["EUR", "1.1", "2490.91"],  # 2,740.00 / 1.1 = 2,490.9090...
        ["JPY", "0.0065", "154615"],  # 1,005.00 / 0.0065 = 154,615.38...
    ]


def test_zero_decimal_currency_has_no_point():
    line = Line("2026-10", "P001", Component.MDF, "C1", D("2500"), "R7")
    assert (
        lines_csv([line], 0, currency="JPY")
        .decode()
        .splitlines()[1]
        .endswith(",2500,,R7,JPY,1,2500")
    )


def test_formula_like_text_is_defused():
    assert safe_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [safe_text(t) for t in ("+1", "-1", "@SUM(A1)", "\tx", "\rx", "Acme")] == [
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Acme",
    ]
    line = Line(
        "2026-10", "P001", Component.REVENUE_SHARE, "=1+1", D("1"), "R3", "@cmd|' /C calc'!A0"
    )
    body = lines_csv([line], 2).decode().splitlines()[1]
    assert body.startswith("2026-10,P001,revenue_share,'=1+1,'@cmd|' /C calc'!A0,")


def test_journal_csv_balances_and_is_stable():
    lines = [Line("2026-10", "P001", Component.COST_SHARE, "CRM", D("-3340.20"), "C4")]
    rows, _ = build_journal("2026-10", "2026-10-31", lines, [Account("cost_share", "1200", "6100")])
    text = journal_csv(rows, 2).decode()
    assert text == (
        "period,date,partner_id,component,account,debit,credit,memo\n"
        "2026-10,2026-10-31,P001,cost_share,1200,3340.20,0.00,2026-10 cost_share P001\n"
        "2026-10,2026-10-31,P001,cost_share,6100,0.00,3340.20,2026-10 cost_share P001\n"
    )
    assert journal_csv(rows, 2) == journal_csv(list(rows), 2)


def test_exceptions_csv():
    problem = Problem(
        Severity.WARNING,
        "no submission from P002 for 2026-10",
        "program.xlsx",
        "Partners",
        "A3",
        "partner_id",
    )
    assert exceptions_csv([problem]).decode().splitlines() == [
        "severity,file,sheet,cell,column,message",
        "warning,program.xlsx,Partners,A3,partner_id,no submission from P002 for 2026-10",
    ]
