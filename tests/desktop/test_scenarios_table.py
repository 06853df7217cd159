"""The What-if page's scenario table, without Qt: a fake view, jobs run inline."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

from desktop.presenters.main import MainPresenter
from desktop.presenters.scenarios_table import ScenarioTablePresenter
from desktop.presenters.session import Session
from desktop.presenters.settings import AppSettings, MemorySettings
from tests.desktop.fakes import FakeMainView, FakeView
from tests.test_scenarios import p001_with_spanning_deal, scenarios_program
from tests.workbook_files import P002, write_program

TOP = "Gold / sourced / 100000"


def open_table(folder: Path) -> tuple[Session, ScenarioTablePresenter, FakeView]:
    rows = [["Gold 18 %", "set", "RevenueTiers", TOP, "rate", 0.18, "top rate"]]
    program = write_program(
        folder, scenarios_program(rows), {"P001": p001_with_spanning_deal(), "P002": P002}
    )
    session = Session(AppSettings(MemorySettings()), today=date(2026, 11, 15))
    main = MainPresenter(session)
    main.bind(FakeMainView())
    main.open_program(program)
    table = ScenarioTablePresenter(session)
    view = FakeView()
    table.bind(view)
    return session, table, view


def test_the_table_starts_with_the_sheet_s_scenarios_and_checks_each_edit(tmp_path):
    _, table, _ = open_table(tmp_path)
    assert table.edit_table().texts("key") == [TOP]
    assert table.can_run()
    table.add_row("CRM up", "factor", "CostPool", "CRM", "amount", "1.3")
    assert table.edit_table().texts("problem") == [
        "",
        'sheet "CostPool" cannot be changed by a scenario; did you mean "CostPools"?',
    ]
    assert not table.can_run()
    assert table.status() == "1 problem in the table: see the marked rows."
    table.set_cell(1, "sheet", "CostPools")
    assert table.edit_table().texts("problem") == ["", ""]
    assert table.status() == "2 scenarios ready; never recorded in the ledger."


def test_running_shows_the_comparison_and_its_chart_and_writes_no_ledger(tmp_path):
    _, table, view = open_table(tmp_path)
    table.add_row("CRM up", "factor", "CostPools", "CRM", "amount", "1.3")
    before = view.refreshes
    table.run()
    assert view.refreshes > before
    assert not view.errors
    assert table.outcome is not None
    shown = table.comparison()
    assert shown.columns[3].title == "Actual"
    p001 = [r for r in shown.rows if r.key == "P001"]
    revenue = next(r for r in p001 if r.cells[2].text == "revenue_share")
    # actual 22,000.00; 18 % on the 80,000 above 100,000: 24,400.00 (+2,400.00)
    assert [c.text for c in revenue.cells[3:6]] == ["22,000.00", "24,400.00", "2,400.00"]
    # CRM × 1.3 = 15,600.00; P001's 30 %: 4,680.00 instead of 3,600.00
    cost = next(r for r in p001 if r.cells[2].text == "cost_share")
    assert [c.text for c in cost.cells[6:8]] == ["-4,680.00", "-1,080.00"]
    chart = table.chart()
    assert [s.name for s in chart.series] == ["Actual", "Gold 18 %", "CRM up"]
    assert chart.categories[1] == "P001 · Acme Analytics"
    assert chart.series[1].values[1] == D("24400.00") - D("3600.00")
    assert not list(tmp_path.glob("*.sqlite"))
