"""Write small literal workbooks for tests: {sheet: [header row, data rows...]}."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from partnerclose.core import schema

Sheets = dict[str, list[list[Any]]]

# The Milestones header in schema order: milestone_id, partner_id, phase_id, metric, floor,
# target, cap, floor_payout, target_payout, max_payout, curve, recurrence,
# retention_metric, retention_target, verification_required.
MILESTONE_HEADER = [column.name for column in schema.MILESTONES.columns]
# The Deals columns the revenue tests fill (the others are optional).
DEALS_HEADER = [
    "deal_id",
    "close_date",
    "product",
    "deal_type",
    "registered",
    "amount",
    "status",
    "original_deal_id",
]


def write_workbook(path: Path, sheets: Sheets) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


# A small valid program: two partners sharing a usage pool with the host.
PROGRAM: Sheets = {
    "Program": [
        ["key", "value"],
        ["program_name", "Test Program"],
        ["currency", "USD"],
        ["reserve_opening_balance", 10000],
    ],
    "Partners": [
        ["partner_id", "name", "plan", "status"],
        ["P001", "Acme Analytics", "Gold", "active"],
        ["P002", "Beta Systems", "Gold", "active"],
    ],
    "CostPools": [["pool_id", "name", "amount", "basis"], ["CRM", "CRM licences", 12000, "usage"]],
    "Commitments": [
        ["partner_id", "pool_id", "committed_capacity"],
        ["HOST", "CRM", 600],
        ["P001", "CRM", 350],
        ["P002", "CRM", 400],
    ],
    "Plans": [["plan", "mode"], ["Gold", "marginal"]],
    "RevenueTiers": [
        ["plan", "deal_type", "from_amount", "rate"],
        ["Gold", "sourced", 0, 0.10],
        ["Gold", "sourced", 100000, 0.15],
        ["Gold", "influenced", 0, 0.03],
    ],
    "Products": [["product", "bonus_rate"], ["Core", 0], ["Analytics", 0.02]],
    "Usage": [["partner_id", "pool_id", "units"], ["HOST", "CRM", 500]],
}

P001: Sheets = {
    "Partner": [["key", "value"], ["partner_id", "P001"], ["period", "2026-10"]],
    "Usage": [["pool_id", "units"], ["CRM", 300]],
    "Deals": [
        ["deal_id", "close_date", "product", "deal_type", "registered", "amount", "status"],
        ["D1", "2026-10-03", "Core", "sourced", "Y", 30000, "won"],
    ],
}

P002: Sheets = {
    "Partner": [["key", "value"], ["partner_id", "P002"], ["period", "2026-10"]],
    "Usage": [["pool_id", "units"], ["CRM", 200]],
}


def write_program(
    folder: Path, program: Sheets | None = None, partners: dict[str, Sheets] | None = None
) -> Path:
    """program.xlsx and partners/<name>.xlsx in `folder`; returns the program path."""
    path = write_workbook(folder / "program.xlsx", copy.deepcopy(program or PROGRAM))
    for name, sheets in (
        partners if partners is not None else {"P001": P001, "P002": P002}
    ).items():
        write_workbook(folder / "partners" / f"{name}.xlsx", copy.deepcopy(sheets))
    return path
