"""Reading the placeholders and table regions marked in a template sheet.

The vocabulary (docs/templates.md) lives in the cells themselves:

- `{{ partner.name }}`: a scalar. A cell holding exactly one placeholder gets
  the value with its type (a number stays a number, in the cell's format);
  placeholders inside other text are replaced by their text.
- `{{#table deals}}` at the start of a cell opens a table region on that
  row; `{{/table}}` anywhere in a later row (or the same row) closes it. The
  rows of the region repeat once per line of the table, with the styles,
  number formats, merged cells and formulas of the template rows. Without
  `{{/table}}` a region is the marker's row alone. `{{#table deals
  empty="No deals this period"}}` puts that text in the first placeholder
  cell when the table has no lines (the region then stays, once, blank).
- Inside a region, `{{ deal.amount }}` is a field of the current line (`deal`
  is the item name of the `deals` table).
- Number formats may contain `{{ currency }}`.

Pure: works on `SheetContent`, never on a spreadsheet library.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from partnerclose.reading.grid import column_letter as grid_column_letter
from partnerclose.statements.sheet import SheetContent
from partnerclose.statements.values import CellValue, Fill, Text

PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}", re.DOTALL)
_TABLE_START = re.compile(
    r"^#table\s+(?P<name>[A-Za-z_]\w*)"
    r"(?:\s+empty\s*=\s*[\"“”](?P<empty>[^\"“”]*)[\"“”])?$"
)
_TABLE_END = re.compile(r"^/table$")
_NAME = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")


class TemplateError(ValueError):
    """The template cannot be filled; the message names every cell at fault."""


def column_letter(column: int) -> str:
    """1 -> A, 27 -> AA: openpyxl's column numbers, through the reader's one conversion."""
    return grid_column_letter(column - 1)


def coordinate(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"


def replace_placeholder(text: str, name: str, value: str) -> str:
    """`text` with every `{{ name }}` replaced (number formats: `{{ currency }}`)."""
    return PLACEHOLDER.sub(lambda m: value if m.group(1) == name else m.group(0), text)


TWO_DECIMALS = "#,##0.00"


def decimals_of(value: object) -> int:
    """A currency's decimals from a fill's scalar (`currency.decimals`); 2 when absent."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 2


def replace_in_format(code: str, name: str, value: str, decimals: int = 2) -> str:
    """A number format with `{{ name }}` replaced by `value`; when it had one, its
    amounts shown to `decimals` places, the currency's minor units (JPY 0, KWD 3)."""
    replaced = replace_placeholder(code, name, value)
    if replaced == code or decimals == 2:
        return replaced
    return replaced.replace(TWO_DECIMALS, "#,##0" + ("." + "0" * decimals if decimals else ""))


@dataclass(frozen=True, slots=True)
class Placeholder:
    name: str  # dotted: "partner.name", or "deal.amount" inside a `deals` region


# A text cell with placeholders: literal pieces and placeholders, in order.
Piece = str | Placeholder


@dataclass(frozen=True, slots=True)
class CellTemplate:
    """One non-empty template cell."""

    row: int
    column: int
    value: CellValue  # the cell as read (markers removed): static value or Formula
    pieces: tuple[Piece, ...] = ()  # non-empty: text with placeholders

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        return tuple(p for p in self.pieces if isinstance(p, Placeholder))

    @property
    def single(self) -> Placeholder | None:
        """The placeholder when the cell holds exactly one and nothing else."""
        if len(self.pieces) == 1 and isinstance(self.pieces[0], Placeholder):
            return self.pieces[0]
        return None


@dataclass(frozen=True, slots=True)
class TableRegion:
    name: str
    first: int
    last: int
    empty_text: str = ""


@dataclass(frozen=True, slots=True)
class Template:
    title: str
    cells: Mapping[tuple[int, int], CellTemplate]
    regions: tuple[TableRegion, ...]  # by first row
    print_area: str | None
    print_title_rows: str | None
    chart_references: tuple[tuple[str, ...], ...]

    def region_of(self, row: int) -> TableRegion | None:
        for region in self.regions:
            if region.first <= row <= region.last:
                return region
        return None

    def check(self, fill: Fill) -> None:
        """Every placeholder and table must exist in `fill` (raises TemplateError)."""
        errors = []
        for region in self.regions:
            if region.name not in fill.tables:
                errors.append(
                    f"{self.title}!{coordinate(region.first, 1)}: unknown table "
                    f'"{region.name}" (known: {", ".join(sorted(fill.tables))})'
                )
        for cell in self.cells.values():
            inside = self.region_of(cell.row)
            table = fill.tables.get(inside.name) if inside is not None else None
            for placeholder in cell.placeholders:
                name = placeholder.name
                where = f"{self.title}!{coordinate(cell.row, cell.column)}"
                head, _, field = name.partition(".")
                if table is not None and head == table.item:
                    if field not in table.fields:
                        errors.append(
                            f'{where}: "{name}": the {inside.name if inside else ""} table has '
                            f"no field {field!r} (fields: {', '.join(table.fields)})"
                        )
                elif name not in fill.scalars:
                    items = {t.item: n for n, t in fill.tables.items()}
                    if head in items and inside is None:
                        errors.append(
                            f'{where}: "{name}" is a field of the {items[head]} table; '
                            f"put it in a row of a {{{{#table {items[head]}}}}} region"
                        )
                    else:
                        errors.append(f'{where}: unknown placeholder "{name}"')
        if errors:
            raise TemplateError("\n".join(errors))


def parse_template(content: SheetContent) -> Template:
    """Find the placeholders and table regions of a sheet (raises TemplateError)."""
    errors: list[str] = []
    cells: dict[tuple[int, int], CellTemplate] = {}
    starts: list[tuple[int, str, str]] = []  # (row, name, empty text)
    ends: list[int] = []
    for (row, column), value in sorted(content.cells.items()):
        where = f"{content.title}!{coordinate(row, column)}"
        if not isinstance(value, Text) or "{{" not in value.value:
            cells[row, column] = CellTemplate(row, column, value)
            continue
        pieces: list[Piece] = []
        pos = 0
        text = value.value
        for match in PLACEHOLDER.finditer(text):
            inner = match.group(1)
            literal = text[pos : match.start()]
            pos = match.end()
            start = _TABLE_START.match(inner)
            if start is not None:
                if literal.strip() or pieces:
                    errors.append(f"{where}: {{{{#table}}}} must start the cell")
                starts.append((row, start.group("name"), start.group("empty") or ""))
                continue
            if _TABLE_END.match(inner):
                ends.append(row)
                if literal:
                    pieces.append(literal)
                continue
            if literal:
                pieces.append(literal)
            if _NAME.match(inner):
                pieces.append(Placeholder(inner))
            else:
                errors.append(f"{where}: cannot read the placeholder {match.group(0)!r}")
        if text[pos:]:
            pieces.append(text[pos:])
        if not any(isinstance(p, Placeholder) for p in pieces):
            joined = "".join(p for p in pieces if isinstance(p, str))
            cells[row, column] = CellTemplate(row, column, Text(joined) if joined else None)
        else:
            cells[row, column] = CellTemplate(row, column, None, tuple(pieces))
    regions = _regions(content.title, starts, ends, errors)
    if errors:
        raise TemplateError("\n".join(errors))
    return Template(
        title=content.title,
        cells=cells,
        regions=regions,
        print_area=content.print_area,
        print_title_rows=content.print_title_rows,
        chart_references=content.chart_references,
    )


def _regions(
    title: str, starts: list[tuple[int, str, str]], ends: list[int], errors: list[str]
) -> tuple[TableRegion, ...]:
    """Pair each start with the next end below it (or its own row); no nesting."""
    regions: list[TableRegion] = []
    open_ends = sorted(ends)
    starts = sorted(starts)
    for i, (row, name, empty) in enumerate(starts):
        next_start = starts[i + 1][0] if i + 1 < len(starts) else None
        if any(r == row for r, *_ in starts[:i]):
            errors.append(f"{title}: row {row} opens two tables")
            continue
        end = next((e for e in open_ends if e >= row), None)
        if end is not None and (next_start is None or end < next_start):
            open_ends.remove(end)
            last = end
        else:
            last = row
        regions.append(TableRegion(name, row, last, empty))
    for end in open_ends:
        errors.append(f"{title}: {{{{/table}}}} in row {end} closes no table")
    seen: set[str] = set()
    for region in regions:
        if region.name in seen:
            errors.append(f'{title}: the table "{region.name}" appears twice')
        seen.add(region.name)
    return tuple(regions)
