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
from openpyxl.worksheet.datavalidation import DataValidation  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402

from excel_addin import layout  # noqa: E402
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
README = schema.README_SHEET
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
    "Row 2 of each sheet is an example that fits the other sheets' examples. Its ids begin "
    f"with {schema.EXAMPLE_PREFIX}, and a row with such an id is refused, never computed: "
    "replace the example with your own data, or delete it.",
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
    "Terms that change over time: rows of Plans, RevenueTiers, Products, CostPools, "
    "CostTiers, Commitments, Milestones and Accounts may carry valid_from and valid_to "
    "(YYYY-MM, inclusive, either blank). A close uses the rows valid in its month, so one "
    "workbook serves several years and a rerun of an old month uses that month's terms. "
    "Two rows for the same thing valid in the same month are an error at both.",
    "Moving in from spreadsheets: OpeningBalances (YTD volume, reserve balance and "
    "contributions, last period's allocation per pool, what each milestone paid, held and "
    "deferred) and OpeningDeals (deals paid before, for clawbacks and retroactive "
    "true-ups) take the place of earlier closes in the first close only; once a final "
    "close exists they are ignored, with a note.",
    "Adjustments: one row per manual correction (a goodwill credit, a late deal of last "
    "fiscal year), with the period whose close takes it, the partner, the statement "
    "section, a signed amount and a reason printed on the statement. It is not capped and "
    "does not count in YTD volumes, brackets or the reserve; the journal books it through "
    "the Accounts row of component adjustment. A row for a month already closed final is "
    "not settled (a warning): give it the open month.",
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


# Id columns whose examples are left unmarked: account numbers are not rows' ids.
UNMARKED_IDS = frozenset({"debit_account", "credit_account"})


def example_value(column: Column) -> object:
    """The example of a column, or a date in the example period for required dates.

    Example ids carry the reserved prefix (`EXAMPLE-D1001`): a row left in place
    is refused at its row, never computed, and one typed over has lost it."""
    if column.kind is Kind.ID and column.example is not None and column.name not in UNMARKED_IDS:
        return f"{schema.EXAMPLE_PREFIX}{column.example}"
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


CLOSE_INTRO = (
    "Run the monthly close from Excel with the Partner Close add-in: pick the period and "
    "the action below, then click Partner Close > Run close on the ribbon. The program "
    "sheets are read as they stand in Excel (unsaved edits count); the partner workbooks "
    "come from the partner folder named on the Program sheet, next to this workbook."
)
CLOSE_HELP = {
    layout.PERIOD_LABEL: "YYYY-MM, e.g. 2026-10. The formula gives last month; type over it "
    "to pick another month. Blank also means last month.",
    layout.ACTION_LABEL: "Validate checks the input only. Draft close writes the statements "
    "and can be rerun. Final close writes them and locks the period in the ledger (you are "
    "asked to confirm first). Reopen unlocks the last final period. Approve or Reject "
    "decides on the period's latest draft (not by whoever ran it). History lists the "
    "ledger's runs. Check this computer and Self-test write a report to send to support.",
    layout.REASON_LABEL: "For Reopen and Reject: why the period is reopened or the draft "
    "rejected. Kept in the ledger's audit trail.",
    layout.RESTATE_LABEL: "To correct a month already closed final (e.g. 2026-09; several: "
    "2026-08, 2026-09): the draft or final close of Period restates it from the corrected "
    "workbooks and settles the difference as prior-period adjustments. Blank: none.",
    layout.CORRECTIONS_LABEL: "The folder of the corrected workbooks (named as the ones the "
    "month was closed with), relative to this workbook's folder, e.g. corrections.",
    layout.STATUS_LABEL: "Closed, Valid, Invalid (see the Exceptions sheet), Approved, "
    "Rejected, Refused (by the ledger, e.g. the period is already closed, or you ran the "
    "draft you try to approve), Cancelled, Failed or Not run.",
    layout.NET_LABEL: "The sum of the partners' lines: positive is payable to partners.",
    layout.FOLDER_LABEL: "Where this workbook is on this computer: the partner folder, the "
    "ledger and the close folder are next to it (for OneDrive and SharePoint, the synced "
    "folder).",
    layout.LEDGER_LABEL: "The ledger of closes, with a warning if a synced folder makes it "
    "unsafe for a team.",
    layout.APPROVAL_LABEL: "The period's latest draft and whether it awaits approval, was "
    "approved or rejected (by whom, when, why).",
}
CLOSE_NOTES = (
    "The sheets the add-in makes (one Stmt <partner id> statement per partner, Close Summary "
    "and Exceptions) are replaced at every run; to keep one, copy or rename it.",
    "Statement Template is yours to restyle: statements follow it at the next run. The "
    "add-in inserts it at the first close if this workbook has none.",
    "Each close is recorded in the ledger next to this workbook, with the command line's "
    "closes; its files (lines.csv, journal.csv, the close pack, statement files) go to the "
    "folder close-<period> next to it.",
)
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_OUTCOME_FORMATS = {
    layout.TIME_LABEL: "yyyy-mm-dd hh:mm",
    layout.NET_LABEL: "#,##0.00",
    layout.STATEMENTS_LABEL: "0",
    layout.ERRORS_LABEL: "0",
    layout.WARNINGS_LABEL: "0",
    layout.NOTES_LABEL: "0",
}
_PERIOD_ROW, _ACTION_ROW, _REASON_ROW, _LAST_RUN_ROW = 4, 5, 6, 8


def _fit_help(sheet: Worksheet, row: int, text: str) -> None:
    """A row tall enough for its wrapped help (about 95 characters a line in C)."""
    lines = -(-len(text) // 95)
    if lines > 1:
        sheet.row_dimensions[row].height = 15 * lines


def close_sheet(workbook: Workbook, index: int = 1) -> Worksheet:
    """The Excel add-in's `Close` control sheet (labels: excel_addin/layout.py).

    The add-in finds its cells by the labels in column A: the period and the action
    in column B next to their labels, the outcome of the last run below."""
    sheet: Worksheet = workbook.create_sheet(layout.CLOSE_SHEET, index)
    # B holds the outcome's folder, ledger and approval: wide enough for a usual path.
    for letter, width in {"A": 18, "B": 44, "C": 86}.items():
        sheet.column_dimensions[letter].width = width
    sheet["A1"] = "Partner Close"
    sheet["A1"].font = _TITLE_FONT
    sheet["A2"] = CLOSE_INTRO
    sheet.merge_cells("A2:C2")
    sheet["A2"].alignment = _WRAP
    sheet.row_dimensions[2].height = 32
    inputs = (
        (_PERIOD_ROW, layout.PERIOD_LABEL, "=DATE(YEAR(TODAY()),MONTH(TODAY())-1,1)"),
        (_ACTION_ROW, layout.ACTION_LABEL, layout.Action.DRAFT.value),
        (_REASON_ROW, layout.REASON_LABEL, None),
    )
    for row, label, value in inputs:
        sheet.cell(row, 1, label).font = _BOLD
        cell = sheet.cell(row, 2, value)
        cell.fill = _INPUT_FILL
        cell.border = HEADER_BORDER
        sheet.cell(row, 3, CLOSE_HELP[label]).alignment = _WRAP
        _fit_help(sheet, row, CLOSE_HELP[label])
    sheet.cell(_PERIOD_ROW, 2).number_format = "yyyy-mm"
    sheet.cell(_PERIOD_ROW, 2).alignment = Alignment(horizontal="left")
    actions = DataValidation(
        type="list",
        formula1='"' + ",".join(action.value for action in layout.Action) + '"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="Not an action",
        error="Pick one of: " + ", ".join(action.value for action in layout.Action) + ".",
    )
    actions.add(f"B{_ACTION_ROW}")
    sheet.add_data_validation(actions)
    sheet.cell(_LAST_RUN_ROW, 1, "Last run").font = _BOLD
    for column in "ABC":
        sheet[f"{column}{_LAST_RUN_ROW}"].fill = _SECTION_FILL
    row = _LAST_RUN_ROW
    for row, label in enumerate(layout.OUTCOME_LABELS, start=_LAST_RUN_ROW + 1):
        sheet.cell(row, 1, label)
        sheet.cell(row, 2).number_format = _OUTCOME_FORMATS.get(label, "General")
        sheet.cell(row, 2).alignment = Alignment(horizontal="left")
        if label in CLOSE_HELP:
            sheet.cell(row, 3, CLOSE_HELP[label]).alignment = _WRAP
            _fit_help(sheet, row, CLOSE_HELP[label])
    for offset, note in enumerate(CLOSE_NOTES, start=2):
        note_row = row + offset
        sheet.cell(note_row, 1, note).alignment = _WRAP
        sheet.merge_cells(f"A{note_row}:C{note_row}")
        sheet.row_dimensions[note_row].height = 30
    # P3: a close that restates final periods (blank: none); below the notes, so the
    # rows above keep their places.
    restate_row = row + len(CLOSE_NOTES) + 3
    for at, label in enumerate((layout.RESTATE_LABEL, layout.CORRECTIONS_LABEL), restate_row):
        sheet.cell(at, 1, label).font = _BOLD
        cell = sheet.cell(at, 2)
        cell.fill = _INPUT_FILL
        cell.border = HEADER_BORDER
        cell.number_format = "@"  # 2026-09 stays text, not a date
        sheet.cell(at, 3, CLOSE_HELP[label]).alignment = _WRAP
        _fit_help(sheet, at, CLOSE_HELP[label])
    return sheet


def program_template() -> Workbook:
    workbook = new_workbook(write_only=False)
    sheets = program_sheets()
    write_readme(workbook, "PartnerClose: program workbook", PROGRAM_INTRO, sheets)
    close_sheet(workbook, index=1)
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
