"""Build the input workbook templates from the schema (partnerclose/core/schema.py).

    .venv/bin/python templates/build_templates.py [OUT_DIR]

writes `program_template.xlsx` and `partner_template.xlsx` (default: next to this script).
Every header, column order, drop-down and read-me line comes from the schema, so a
change of the spec is one edit there and a rebuild here. The built files are committed;
tests/test_templates.py checks that they are up to date.

The workbooks are built in normal (not write-only) mode and returned by
`program_template()` / `partner_template()` before saving, so that more sheets (such as
a `Close` control sheet) can be inserted at any position.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the package importable
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402

from partnerclose.core import schema  # noqa: E402
from partnerclose.core.period import Period  # noqa: E402
from partnerclose.core.schema import Column, Kind, SheetSpec  # noqa: E402
from partnerclose.demo.sheets import (  # noqa: E402
    HEADER_BORDER,
    HEADER_FILL,
    HEADER_FONT,
    cell_value,
    display_default,
    is_share,
    new_workbook,
    save_workbook,
    write_key_values,
    write_table,
)

HERE = Path(__file__).resolve().parent
PROGRAM_TEMPLATE = "program_template.xlsx"
PARTNER_TEMPLATE = "partner_template.xlsx"
README = "Read me"
SHEET_HEADING = "Sheet: "  # read-me rows that start a sheet's section begin with this

# A date for example rows whose column has no example in the schema: in the example period.
EXAMPLE_PERIOD = Period.parse(str(schema.PARTNER_KEYS.column("period").example))
EXAMPLE_DATE = date(EXAMPLE_PERIOD.year, EXAMPLE_PERIOD.month, 3)

CONVENTIONS = (
    "Row 1 of a table sheet is the header row. Keep the header names; case, spaces and "
    "underscores do not matter ('Deal ID' = 'deal_id'), column order does not matter, and "
    "extra columns are ignored (with a warning). Blank rows are skipped.",
    "Key/value sheets have the header 'key | value' and one setting per row: the key in "
    "column A, its value in column B.",
    "Dates: an Excel date, or text written 2026-10-31.",
    "Periods (months): text written YYYY-MM, such as 2026-10, or any date inside the month.",
    "Amounts and numbers: plain numbers such as 1234.50 or 1,234.50, without a currency "
    "symbol. They are read exactly as typed (0.1 stays 0.1).",
    "Percentages, rates and shares: 15% and 0.15 mean the same; shares lie between 0 and "
    "1 (0% and 100%).",
    "Y/N flags: Y, Yes, TRUE or 1 mean yes; N, No, FALSE or 0 mean no; a blank cell takes "
    "the default shown below.",
    "Ids are text: 1001 typed in an id column is read as 1001 (not 1001.0).",
    "Formulas are allowed: their saved values are read (save the workbook in Excel after "
    "editing). Macros are never run.",
    "Drop-downs list the allowed values of choice and Y/N columns.",
    "A column is required unless marked optional below; optional columns may be left "
    "blank or removed. A required sheet that is missing is an error; optional sheets may "
    "be deleted or left with their header row only.",
    "Row 2 of each sheet is an example that fits the other sheets' examples: replace or delete it.",
)

PROGRAM_INTRO = (
    "This workbook holds the contract terms and shared cost pools of one partner "
    "program. Each month PartnerClose reads it together with one partner workbook per "
    "partner (in the partner folder named on the Program sheet), and computes every "
    "partner's cost share, revenue share, co-marketing reimbursement, milestone payouts "
    "and reserve-fund movements.",
    "The sheets Usage, Deals, Metrics and Campaigns are optional here: use them for data "
    "collected centrally (a CRM export, the host's own usage with partner_id HOST, "
    "third-party-verified metrics). They have the columns of the partner workbook plus a "
    "leading partner_id. For one partner, each kind of data comes from one place: a "
    "partner's Deals either here or in its partner workbook, never both.",
)

PARTNER_INTRO = (
    "One workbook per partner per month: your usage of shared pools, your deals, your "
    "metrics and your co-marketing campaigns for the month named on the Partner sheet. "
    "Suggested file name: <partner_id>_<YYYY-MM>.xlsx, e.g. P001_2026-10.xlsx.",
    "Leave a sheet with its header row only (or delete it) when you have nothing to "
    "report for it. Rows dated outside the month are ignored.",
)

_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")
_README_WIDTHS = {"A": 28, "B": 12, "C": 14, "D": 34, "E": 80}
_CHARS_PER_LINE = 150  # of a merged A:E row, for row heights


def example_value(column: Column) -> object:
    """The example of a column, or a date in the example period for required dates."""
    if column.example is not None:
        return column.example
    if column.required and column.kind is Kind.DATE:
        return EXAMPLE_DATE
    if column.required and column.kind is Kind.PERIOD:
        return str(EXAMPLE_PERIOD)
    return None


def example_row(spec: SheetSpec) -> list[object]:
    return [cell_value(column, example_value(column)) for column in spec.columns]


def allowed_values(column: Column) -> str:
    if column.kind is Kind.FLAG:
        return "Y or N (also Yes/No, TRUE/FALSE, 1/0)"
    if column.choices:
        return ", ".join(column.choices)
    if column.kind is Kind.DATE:
        return "a date"
    if column.kind is Kind.PERIOD:
        return "YYYY-MM"
    if column.kind in (Kind.ID, Kind.TEXT):
        return "text"
    if is_share(column):
        return "0 to 1 (0% to 100%)"
    whole = "a whole number" if column.kind is Kind.INTEGER else "a number"
    low, high = column.minimum, column.maximum
    if low is not None and high is not None:
        return f"{whole}, {low} to {high}"
    if low is not None:
        return f"{whole}, {low} or more"
    if high is not None:
        return f"{whole}, up to {high}"
    return whole


def _paragraph(sheet: Worksheet, text: str, *, font: Font | None = None) -> None:
    sheet.append([text])
    row = sheet.max_row
    sheet.merge_cells(f"A{row}:E{row}")
    cell = sheet.cell(row, 1)
    cell.alignment = _WRAP
    if font is not None:
        cell.font = font
    lines = max(1, -(-len(text) // _CHARS_PER_LINE))
    sheet.row_dimensions[row].height = 15 * lines + 2


def _header(sheet: Worksheet, labels: Sequence[str]) -> None:
    sheet.append(list(labels))
    for cell in sheet[sheet.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER


def _section(sheet: Worksheet, text: str) -> None:
    sheet.append([])
    sheet.append([text])
    row = sheet.max_row
    for column in "ABCDE":
        sheet[f"{column}{row}"].fill = _SECTION_FILL
    sheet.cell(row, 1).font = _BOLD


def _need(spec: SheetSpec) -> str:
    return "required" if spec.required else "optional"


def write_readme(
    workbook: Workbook,
    title: str,
    intro: Sequence[str],
    sheets: Sequence[SheetSpec],
) -> Worksheet:
    """The read-me sheet: what the workbook is, how values are read, every sheet and
    every column in the schema's words (required or not, default, allowed values)."""
    sheet: Worksheet = workbook.create_sheet(README)
    for letter, width in _README_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.append([title])
    sheet.cell(1, 1).font = _TITLE_FONT
    for text in intro:
        _paragraph(sheet, text)
    _section(sheet, "How values are read")
    for text in CONVENTIONS:
        _paragraph(sheet, "• " + text)
    _section(sheet, "Sheets")
    _header(sheet, ["Sheet", "Required", "Kind", "What it holds"])
    for spec in sheets:
        kind = "key/value" if spec.key_value else "table"
        sheet.append([spec.name, _need(spec), kind, spec.help])
    for spec in sheets:
        _section(sheet, f"{SHEET_HEADING}{spec.name} ({_need(spec)} sheet)")
        _paragraph(sheet, spec.help)
        first = "Key" if spec.key_value else "Column"
        _header(sheet, [first, "Required", "Default", "Allowed values", "What it means"])
        for column in spec.columns:
            sheet.append(
                [
                    column.name,
                    "required" if column.required else "optional",
                    display_default(column),
                    allowed_values(column),
                    column.help,
                ]
            )
            sheet.cell(sheet.max_row, 5).alignment = _WRAP
    sheet.freeze_panes = "A2"
    return sheet


def _write_sheet(workbook: Workbook, spec: SheetSpec) -> None:
    if spec.key_value:
        values = {column.name: example_value(column) for column in spec.columns}
        write_key_values(workbook, spec, values, notes=True)
    else:
        write_table(workbook, spec, [example_row(spec)], notes=True)


def program_sheets() -> tuple[SheetSpec, ...]:
    """The program workbook's sheets, in template order."""
    data = tuple(schema.with_partner_id(spec) for spec in schema.DATA_SHEETS)
    return (*schema.PROGRAM_SHEETS, *data)


def program_template() -> Workbook:
    workbook = new_workbook(write_only=False)
    sheets = program_sheets()
    write_readme(workbook, "PartnerClose: program workbook", PROGRAM_INTRO, sheets)
    for spec in sheets:
        _write_sheet(workbook, spec)
    return workbook


def partner_template() -> Workbook:
    workbook = new_workbook(write_only=False)
    sheets = schema.PARTNER_SHEETS
    write_readme(workbook, "PartnerClose: partner workbook", PARTNER_INTRO, sheets)
    for spec in sheets:
        _write_sheet(workbook, spec)
    return workbook


def build(out_dir: Path = HERE) -> tuple[Path, Path]:
    """Write both templates into `out_dir`; returns (program, partner) paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    program = out_dir / PROGRAM_TEMPLATE
    partner = out_dir / PARTNER_TEMPLATE
    save_workbook(program_template(), program)
    save_workbook(partner_template(), partner)
    return program, partner


def main(argv: Sequence[str]) -> int:
    out_dir = Path(argv[0]) if argv else HERE
    for path in build(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
