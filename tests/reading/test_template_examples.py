"""Example rows left in the templates are refused at their row, never computed.

Through the committed template files: a partner who fills in `partner_template.xlsx` and
changes only `partner_id` used to be paid for the example deal and charged for the example
seats; the template marks its examples (ids beginning with EXAMPLE-) and the reader refuses
them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook

from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.demo import write_demo
from partnerclose.pipeline import Status, run_close
from partnerclose.reading.inputs import load_inputs
from tests.workbook_files import P002, write_program

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
OCT = Period(2026, 10)


def filled_template(path: Path, partner_id: str, replace_deal: bool = False) -> Path:
    """The partner template with only `partner_id` (and the period) filled in."""
    book = load_workbook(TEMPLATES / "partner_template.xlsx")
    keys = book["Partner"]
    for row in keys.iter_rows(min_row=2):
        if row[0].value == "partner_id":
            row[1].value = partner_id
    if replace_deal:  # typed over the example deal; the other examples deleted
        deals = book["Deals"]
        deals["A2"], deals["E2"] = "D7", "Core"
        for name in ("Usage", "Metrics", "Campaigns"):
            book[name].delete_rows(2)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def errors(inputs) -> list[str]:
    return [str(p) for p in inputs.problems if p.severity is Severity.ERROR]


def test_example_rows_of_the_partner_template_are_refused_at_their_row(tmp_path):
    program = write_program(tmp_path, partners={"P002": P002})
    filled_template(tmp_path / "partners" / "P001_2026-10.xlsx", "P001")
    inputs = load_inputs(program, OCT)
    assert errors(inputs) == [  # in the order of the workbook's sheets
        "P001_2026-10.xlsx:Usage!A2: example row from the template (pool_id EXAMPLE-CRM); "
        "delete it or replace it with your own data",
        "P001_2026-10.xlsx:Deals!A2: example row from the template (deal_id EXAMPLE-D1001); "
        "delete it or replace it with your own data",
        "P001_2026-10.xlsx:Metrics!A2: example row from the template (metric "
        "EXAMPLE-activation_rate); delete it or replace it with your own data",
        "P001_2026-10.xlsx:Campaigns!A2: example row from the template (campaign_id "
        "EXAMPLE-C1); delete it or replace it with your own data",
    ]
    assert inputs.data.deals == ()
    assert all(u.partner_id != "P001" for u in inputs.data.usage)


def test_an_example_typed_over_is_the_partner_s_own_data(tmp_path):
    program = write_program(tmp_path, partners={"P002": P002})
    filled_template(tmp_path / "partners" / "P001_2026-10.xlsx", "P001", replace_deal=True)
    inputs = load_inputs(program, OCT)
    assert errors(inputs) == []
    assert [(d.deal_id, d.product, d.amount) for d in inputs.data.deals] == [("D7", "Core", 30000)]


def test_the_example_partner_id_is_refused_at_its_cell(tmp_path):
    program = write_program(tmp_path, partners={"P002": P002})
    shutil.copy(TEMPLATES / "partner_template.xlsx", tmp_path / "partners" / "new.xlsx")
    assert errors(load_inputs(program, OCT)) == [
        "new.xlsx:Partner!B2: partner_id EXAMPLE-P001 is the template's example; enter your own"
    ]


def test_a_template_left_in_the_demo_changes_no_money(tmp_path):
    """P012 of the demo sends the template with its id: the close stops, nothing is paid."""
    program = write_demo(tmp_path, partners=12, period=OCT, seed=7)
    filled_template(tmp_path / "partners" / "P012_2026-10.xlsx", "P012")
    outcome = run_close(program, OCT, out=tmp_path / "out")
    assert outcome.status is Status.INVALID
    assert not (tmp_path / "out").exists()
    refused = [p for p in outcome.problems if p.file == "P012_2026-10.xlsx"]
    assert sorted((p.sheet, p.cell) for p in refused) == [
        ("Campaigns", "A2"),
        ("Deals", "A2"),
        ("Metrics", "A2"),
        ("Usage", "A2"),
    ]


def test_example_rows_of_the_program_template_are_refused_sheet_by_sheet():
    inputs = load_inputs(TEMPLATES / "program_template.xlsx", OCT)
    refused = {p.sheet for p in inputs.problems if "example row from the template" in p.message}
    assert refused == {
        "Partners",
        "CostPools",
        "Commitments",
        "CostTiers",
        "Plans",
        "RevenueTiers",
        "Products",
        "Milestones",
        "Phases",
        "Contributions",
        "Scorecard",
        "Accounts",
        "FxRates",
        "OpeningBalances",
        "OpeningDeals",
        "Adjustments",
        "Usage",
        "Deals",
        "Metrics",
        "Campaigns",
    }
    assert inputs.program is not None
    assert inputs.program.partners == ()
    assert inputs.program.pools == ()
