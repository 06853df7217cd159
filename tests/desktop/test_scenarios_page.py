"""The What-if page's "Terms and costs" tab under Qt (offscreen): edit, check, run."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt

from desktop.presenters.main import Page
from desktop.views.scenario_page import ScenarioPage
from tests.desktop.conftest import wait_idle
from tests.desktop.test_app import rows_of
from tests.test_scenarios import p001_with_spanning_deal, scenarios_program
from tests.workbook_files import P002, write_program

TOP = "Gold / sourced / 100000"


def test_scenarios_are_edited_checked_and_run_from_the_table(qtbot, window, tmp_path):
    rows = [["Gold 18 %", "set", "RevenueTiers", TOP, "rate", 0.18, "top rate"]]
    program = write_program(
        tmp_path, scenarios_program(rows), {"P001": p001_with_spanning_deal(), "P002": P002}
    )
    window.main.open_program(program)
    wait_idle(qtbot, window)
    page = window.pages[Page.SCENARIO]
    assert isinstance(page, ScenarioPage)
    assert page.terms is not None
    window.show_page(Page.SCENARIO)
    page.tabs.setCurrentWidget(page.terms)
    terms = page.terms
    qtbot.mouseClick(terms.add_button, Qt.MouseButton.LeftButton)
    for column, text in enumerate(["CRM up", "factor", "CostPool", "CRM", "amount", "1.3"]):
        terms.editor.item(1, column).setText(text)  # as typed: each edit is checked at once
    problem = terms.editor.item(1, 7).text()
    assert problem == 'sheet "CostPool" cannot be changed by a scenario; did you mean "CostPools"?'
    assert not terms.run_button.isEnabled()
    terms.editor.item(1, 2).setText("CostPools")
    assert terms.editor.item(1, 7).text() == ""
    assert terms.run_button.isEnabled()
    qtbot.mouseClick(terms.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.scenario_table.outcome is not None, timeout=30_000)
    shown = rows_of(terms.comparison.proxy)
    revenue = next(r for r in shown if r[0] == "P001" and r[2] == "revenue_share")
    assert revenue[3:6] == ["22,000.00", "24,400.00", "2,400.00"]
    assert not terms.chart.data.empty
    if folder := os.environ.get("PARTNERCLOSE_SCREENSHOTS"):
        window.resize(1440, 900)
        qtbot.wait(200)
        window.grab().save(str(Path(folder) / "09b-what-if-scenarios.png"))
