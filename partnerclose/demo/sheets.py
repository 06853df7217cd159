"""Schema-shaped sheets with openpyxl: styled headers, drop-downs, formats, values.

Shared by the demo generator and the template builder (templates/build_templates.py),
so that both follow `partnerclose.core.schema` and look alike. Works on normal and
on write-only workbooks: column widths, number formats and drop-downs are set before
the first row is written.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.core.period import Period
from partnerclose.core.schema import Column, Kind, SheetSpec

# Drop-downs cover this many rows (2..VALIDATED_ROWS), or more when a sheet has more.
VALIDATED_ROWS = 1000

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_EDGE = Side(style="thin", color="8EA9C1")
HEADER_BORDER = Border(left=_EDGE, right=_EDGE, top=_EDGE, bottom=_EDGE)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center")

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.00%"

# The schema has no money kind; these columns (and keys) hold currency amounts and
# are shown with two decimals and thousands separators. Display only.
MONEY_NAMES = frozenset(
    {
        "amount",
        "attributed_revenue",
        "budget",
        "floor_payout",
        "from_amount",
        "max_payout",
        "mdf_period_cap",
        "period_cap",
        "pipeline",
        "reserve_cap",
        "reserve_fixed_contribution",
        "reserve_opening_balance",
        "spend",
        "standalone_cost",
        "target_payout",
        "unit_value",
        "wind_down_fee",
    }
)

_KIND_WIDTH = {
    Kind.TEXT: 26,
    Kind.ID: 14,
    Kind.NUMBER: 14,
    Kind.INTEGER: 10,
    Kind.DATE: 12,
    Kind.PERIOD: 10,
    Kind.FLAG: 9,
    Kind.CHOICE: 14,
}
_MAX_WIDTH = 40

# Saved workbooks carry these times (not the clock), so that rebuilding gives the same bytes.
FIXED_TIME = datetime(2026, 1, 1)  # noqa: DTZ001 - workbook times are naive UTC
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def is_share(column: Column) -> bool:
    """A number between 0 and 1: shown as a percentage (15% is typed and read as 0.15)."""
    return column.kind is Kind.NUMBER and column.minimum == 0 and column.maximum == 1


def number_format(column: Column) -> str | None:
    if column.kind is Kind.DATE:
        return DATE_FORMAT
    if is_share(column):
        return SHARE_FORMAT
    if column.kind is Kind.NUMBER and column.name in MONEY_NAMES:
        return MONEY_FORMAT
    return None


def column_width(column: Column) -> int:
    example = 0 if column.example is None else len(str(column.example)) + 2
    return min(_MAX_WIDTH, max(len(column.name) + 4, _KIND_WIDTH[column.kind], example))


def cell_value(column: Column, value: object) -> object:
    """The value to write for `column`: flags as Y/N, choices and periods as text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Period):
        return str(value)
    if column.kind is Kind.PERIOD and isinstance(value, date):
        return str(Period.of(value))
    return value


def record_row(columns: Sequence[Column], record: object) -> list[object]:
    """One row of a table sheet from a record whose fields are named like the columns."""
    return [cell_value(column, getattr(record, column.name)) for column in columns]


def new_workbook(*, write_only: bool) -> Workbook:
    workbook = Workbook(write_only=write_only)
    if not write_only and workbook.active is not None:
        workbook.remove(workbook.active)
    workbook.properties.creator = "PartnerClose"
    workbook.properties.lastModifiedBy = "PartnerClose"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    return workbook


def _header_cell(sheet: Worksheet, text: str, note: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.border = HEADER_BORDER
    cell.alignment = HEADER_ALIGNMENT
    if note:
        comment = Comment(note, "PartnerClose")
        comment.width = 320
        comment.height = 110
        cell.comment = comment
    return cell


def column_note(column: Column) -> str:
    """The header's hover note: what the column means, and whether it must be filled."""
    need = "Required." if column.required else "Optional."
    default = display_default(column)
    if default and "default" not in column.help:
        need += f" Default: {default}."
    return f"{column.help} {need}".strip()


def display_default(column: Column) -> str:
    value = column.default
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def _drop_down(choices: Sequence[str], ref: str, *, strict: bool) -> DataValidation:
    listed = ", ".join(choices)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle="Not in the list",
        error=f"Expected one of: {listed}.",
    )
    validation.add(ref)
    return validation


def _is_listed(column: Column) -> bool:
    return column.kind in (Kind.CHOICE, Kind.FLAG) and bool(column.choices)


def _styled(sheet: Worksheet, value: Any, fmt: str | None) -> object:
    if fmt is None or value is None or isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = fmt
    return cell


def write_table(
    workbook: Workbook,
    spec: SheetSpec,
    rows: Iterable[Sequence[object]],
    *,
    notes: bool = False,
    expected_rows: int = 0,
) -> Worksheet:
    """A table sheet: styled header from the schema, frozen below it, drop-downs for
    choice and flag columns, number formats by column; then `rows` (values in column
    order, as produced by `record_row` or `cell_value`)."""
    sheet: Worksheet = workbook.create_sheet(spec.name)
    columns = spec.columns
    formats = [number_format(column) for column in columns]
    last_row = max(VALIDATED_ROWS, expected_rows + 1)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column_width(column)
        fmt = formats[index - 1]
        if fmt is not None:
            dimension.number_format = fmt
        if _is_listed(column):
            strict = column.kind is Kind.CHOICE
            ref = f"{letter}2:{letter}{last_row}"
            sheet.data_validations.append(_drop_down(column.choices, ref, strict=strict))
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, c.label, column_note(c) if notes else "") for c in columns])
    for row in rows:
        sheet.append([_styled(sheet, value, fmt) for value, fmt in zip(row, formats, strict=True)])
    return sheet


def write_key_values(
    workbook: Workbook,
    spec: SheetSpec,
    values: Mapping[str, object],
    *,
    notes: bool = False,
) -> Worksheet:
    """A key/value sheet: header `key | value`, then one row per key of the schema."""
    sheet: Worksheet = workbook.create_sheet(spec.name)
    key_width = max(len(column.name) for column in spec.columns) + 4
    sheet.column_dimensions["A"].width = max(16, key_width)
    sheet.column_dimensions["B"].width = 30
    for row, column in enumerate(spec.columns, start=2):
        if _is_listed(column):
            strict = column.kind is Kind.CHOICE
            sheet.data_validations.append(_drop_down(column.choices, f"B{row}", strict=strict))
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, "key", ""), _header_cell(sheet, "value", "")])
    for column in spec.columns:
        key = WriteOnlyCell(sheet, value=column.name)
        if notes:
            key.comment = Comment(column_note(column), "PartnerClose")
        value = cell_value(column, values.get(column.name))
        sheet.append([key, _styled(sheet, value, number_format(column))])
    return sheet


def save_workbook(workbook: Workbook, path: Path) -> None:
    """Save with fixed times inside the file, so that the same content gives the same bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_normalized(buffer.getvalue()))


def _normalized(data: bytes) -> bytes:
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()
