"""From a template sheet and its data to a backend-neutral fill plan, and back.

    content = sheet.read()                      # one read
    plan = build_plan(content, fill)            # pure
    apply_plan(plan, sheet)                     # a bounded number of operations

A plan is a short list of operations, in this order:

1. `ReplaceInNumberFormats`: the currencies of number formats (`{{ currency }}`; one);
2. `InsertRows`: the rows every growing table region needs, all at once (one);
3. `CopyRowFormats`: per growing region, the template rows' styles repeated
   over the new rows (one per region);
4. `WriteBlock`: every computed cell, grouped into at most `max_blocks`
   rectangles (gaps are filled with what the cells already hold);
5. `FitRowHeights`: the rows of every table region, all at once (one);
6. `SetPrintArea` and `SetChartReferences`, when the regions moved them.

So the number of operations depends on the template (its regions and charts),
never on the number of lines: `FillPlan.sheet_operations` counts them, the
read included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise, product
from operator import itemgetter

from partnerclose.statements.references import Adjuster, Region, RowMap
from partnerclose.statements.sheet import RowInsert, Sheet, SheetContent
from partnerclose.statements.template import (
    CellTemplate,
    Placeholder,
    TableRegion,
    Template,
    decimals_of,
    parse_template,
)
from partnerclose.statements.values import (
    CellValue,
    Fill,
    Formula,
    Table,
    Text,
    Value,
    cell_value,
    display,
)

CURRENCY = "currency"
# The placeholders of number formats, each with the scalar that gives its decimals:
# a statement's amounts in the partner's currency (with or without its code) and the
# rules' figures in the program's (rules.md X2).
FORMAT_PLACEHOLDERS = {
    CURRENCY: "currency.decimals",
    "currency.blank": "currency.decimals",
    "program.currency": "program.decimals",
}


def format_replacements(scalars: Mapping[str, Value]) -> tuple[tuple[str, str, int], ...]:
    """The (placeholder, text, decimals) of the number formats that `scalars` fill."""
    return tuple(
        (placeholder, text, decimals_of(scalars.get(decimals)))
        for placeholder, decimals in FORMAT_PLACEHOLDERS.items()
        if isinstance(text := scalars.get(placeholder), str)
    )


DEFAULT_MAX_BLOCKS = 4


@dataclass(frozen=True, slots=True)
class ReplaceInNumberFormats:
    """Every `(placeholder, text, decimals)`: the currencies of the number formats."""

    replacements: tuple[tuple[str, str, int], ...]


@dataclass(frozen=True, slots=True)
class InsertRows:
    inserts: tuple[RowInsert, ...]


@dataclass(frozen=True, slots=True)
class CopyRowFormats:
    source: tuple[int, int]
    target: tuple[int, int]


@dataclass(frozen=True, slots=True)
class WriteBlock:
    top: int
    left: int
    values: tuple[tuple[CellValue, ...], ...]

    @property
    def bottom(self) -> int:
        return self.top + len(self.values) - 1

    @property
    def right(self) -> int:
        return self.left + (len(self.values[0]) if self.values else 0) - 1


@dataclass(frozen=True, slots=True)
class FitRowHeights:
    """Rows of table regions: heights that fit their wrapped text (rows the
    template gives a fixed height keep it)."""

    rows: tuple[tuple[int, int], ...]  # (first, last), after insertion


def _adjacent_joined(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Row spans in order, each run of touching spans as one (one AutoFit each)."""
    joined: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if joined and first <= joined[-1][1] + 1:
            joined[-1] = (joined[-1][0], max(last, joined[-1][1]))
        else:
            joined.append((first, last))
    return tuple(joined)


@dataclass(frozen=True, slots=True)
class SetPrintArea:
    area: str | None
    title_rows: str | None


@dataclass(frozen=True, slots=True)
class SetChartReferences:
    chart: int
    references: tuple[tuple[str, str], ...]  # (old, new)


Operation = (
    ReplaceInNumberFormats
    | InsertRows
    | CopyRowFormats
    | WriteBlock
    | FitRowHeights
    | SetPrintArea
    | SetChartReferences
)


@dataclass(frozen=True, slots=True)
class FillPlan:
    operations: tuple[Operation, ...]
    rows_added: int

    @property
    def sheet_operations(self) -> int:
        """Range operations to fill the sheet: the read, then the plan."""
        return 1 + len(self.operations)

    def writes(self) -> Iterator[tuple[int, int, CellValue]]:
        """Every written cell (row, column, value), block by block."""
        for op in self.operations:
            if isinstance(op, WriteBlock):
                for i, row in enumerate(op.values):
                    for j, value in enumerate(row):
                        yield op.top + i, op.left + j, value


def fill_sheet(sheet: Sheet, fill: Fill, max_blocks: int = DEFAULT_MAX_BLOCKS) -> FillPlan:
    """Read the template sheet once, plan, apply; returns the plan applied."""
    plan = build_plan(sheet.read(), fill, max_blocks=max_blocks)
    apply_plan(plan, sheet)
    return plan


def apply_plan(plan: FillPlan, sheet: Sheet) -> None:
    for op in plan.operations:
        if isinstance(op, ReplaceInNumberFormats):
            for placeholder, text, decimals in op.replacements:
                sheet.replace_in_number_formats(placeholder, text, decimals)
        elif isinstance(op, InsertRows):
            sheet.insert_rows(op.inserts)
        elif isinstance(op, CopyRowFormats):
            sheet.copy_row_formats(op.source, op.target)
        elif isinstance(op, WriteBlock):
            sheet.write_block(op.top, op.left, op.values)
        elif isinstance(op, FitRowHeights):
            sheet.fit_row_heights(op.rows)
        elif isinstance(op, SetPrintArea):
            sheet.set_print_area(op.area, op.title_rows)
        else:
            sheet.set_chart_references(op.chart, dict(op.references))


def build_plan(
    content: SheetContent, fill: Fill, *, max_blocks: int = DEFAULT_MAX_BLOCKS
) -> FillPlan:
    """The operations that turn the template sheet `content` into a filled sheet."""
    template, compiled = _parsed(content)
    if not compiled.satisfied_by(fill):
        template.check(fill)  # raises, naming every cell at fault
    regions = {
        region.name: Region(region.first, region.last, max(1, len(fill.tables[region.name])))
        for region in template.regions
    }
    rows = RowMap(tuple(regions.values()))
    first = rows.first
    adjuster = Adjuster(rows, template.title)
    writes: dict[tuple[int, int], CellValue] = {}  # outside regions
    statics: dict[tuple[int, int], CellValue] = {}
    # Region cells by region, template row and column: their values in every copy,
    # a column each (blocks are made of them row by row, in C: `_region_rows`).
    grown: dict[str, dict[int, dict[int, list[CellValue]]]] = {name: {} for name in regions}
    # Each written row's first and last column (what `_blocks` groups), per template
    # row: a region's copies repeat its template rows' columns, so the thousands of
    # region writes need no step each to find them.
    spans: dict[tuple[str | None, int], tuple[int, int]] = {}
    for cell, name in compiled.cells:
        if name is not None or isinstance(cell.value, Formula) or cell.pieces:
            key, column = (name, cell.row), cell.column
            low, high = spans.get(key, (column, column))
            spans[key] = (min(low, column), max(high, column))
        if name is None:
            at = (first(cell.row), cell.column)
            if isinstance(cell.value, Formula):
                writes[at] = Formula(adjuster.formula(cell.value.value))
            elif cell.pieces:
                writes[at] = _resolve(cell, fill, None, None)
            else:
                statics[at] = cell.value
            continue
        region, table = regions[name], fill.tables[name]
        # The cell's value in each copy of its region, in order (one copy per line).
        values: list[CellValue]
        if isinstance(cell.value, Formula):
            formula = cell.value.value
            values = [Formula(adjuster.formula(formula, region, n)) for n in range(region.copies)]
        elif cell.pieces:
            values = _column(cell, fill, table)
        else:
            values = [cell.value] * region.copies
        grown[name].setdefault(cell.row, {})[cell.column] = values
    for marked in template.regions:
        if marked.empty_text and not fill.tables[marked.name].rows:
            target = compiled.first_item_cell(template, marked, fill.tables[marked.name])
            if target is not None:
                grown[marked.name][target.row][target.column] = [Text(marked.empty_text)]

    operations: list[Operation] = []
    replacements = format_replacements(fill.scalars)
    if replacements:
        operations.append(ReplaceInNumberFormats(replacements))
    growing = [(marked, regions[marked.name]) for marked in template.regions]
    growing = [(m, r) for m, r in growing if r.extra > 0]
    if growing:
        operations.append(InsertRows(tuple(RowInsert(r.last + 1, r.extra) for _, r in growing)))
        for _, region in growing:
            top = rows.first(region.first)
            bottom = top + region.height - 1
            operations.append(CopyRowFormats((top, bottom), (bottom + 1, bottom + region.extra)))
    merged = _final_merges(compiled.merges, regions, rows)
    written = _written_rows(spans, regions, first)
    # The regions in sheet order: each one's name, first row and copies.
    placed = sorted(
        ((name, first(region.first), region) for name, region in regions.items()),
        key=itemgetter(1),
    )
    cells = {**statics, **writes}  # a write over a static; no write: what the cell holds
    operations.extend(_blocks(cells, grown, placed, written, merged, max_blocks))
    if regions:
        operations.append(
            FitRowHeights(
                _adjacent_joined(
                    (rows.first(r.first), rows.first(r.first) + r.height * r.copies - 1)
                    for r in rows.regions
                )
            )
        )
    area = _adjusted(template.print_area, adjuster.area)
    titles = _adjusted(template.print_title_rows, adjuster.area)
    if (area, titles) != (template.print_area, template.print_title_rows):
        operations.append(SetPrintArea(area, titles))
    for index, references in enumerate(template.chart_references):
        changed = tuple(
            (old, new)
            for old in dict.fromkeys(references)
            if (new := adjuster.chart_reference(old)) != old
        )
        if changed:
            operations.append(SetChartReferences(index, changed))
    return FillPlan(tuple(operations), rows.total_extra)


def _adjusted(reference: str | None, adjust: Callable[[str], str]) -> str | None:
    return None if reference is None else adjust(reference)


def _lookup(name: str, fill: Fill, table: Table | None, item: tuple[Value, ...] | None) -> Value:
    head, _, field = name.partition(".")
    if table is not None and head == table.item:
        return None if item is None else item[table.fields.index(field)]
    return fill.scalars[name]


def _column(cell: CellTemplate, fill: Fill, table: Table) -> list[CellValue]:
    """A region cell's value in every copy of its region (one per line, at least one)."""
    items: Sequence[tuple[Value, ...] | None] = table.rows or (None,)
    single = cell.single
    if single is None:
        return [_resolve(cell, fill, table, item) for item in items]
    head, _, field = single.name.partition(".")
    if head != table.item:
        return [cell_value(fill.scalars[single.name])] * len(items)
    if not table.rows:
        return [None]
    values = list(map(itemgetter(table.fields.index(field)), table.rows))
    kinds = set(map(type, values))
    if kinds == {str}:  # a text column
        return _texts(values)
    if not any(issubclass(kind, str) for kind in kinds):  # numbers, dates: as they are
        return values
    return [
        (Text(value) if value else None) if isinstance(value, str) else value for value in values
    ]


def _texts(values: list[str]) -> list[CellValue]:
    """A text column's cells: one `Text` per distinct value where values repeat
    (customers, products, statuses), one each where they do not (deal ids)."""
    known: dict[str, CellValue] = dict.fromkeys(values)
    if 2 * len(known) > len(values):
        return [Text(value) if value else None for value in values]
    for value in known:
        known[value] = Text(value) if value else None
    return list(map(known.__getitem__, values))


class _Compiled:
    """What every fill of a parsed template shares: each cell's region, and the names
    its placeholders need (a fill that has them all passes `Template.check`)."""

    def __init__(self, template: Template, merged: Sequence[Box]) -> None:
        self.merges = tuple((box, _within(template, box)) for box in merged)
        cells: list[tuple[CellTemplate, str | None]] = []
        needs: dict[tuple[str | None, str, str, str], None] = {}
        for cell in template.cells.values():
            inside = template.region_of(cell.row)
            region = inside.name if inside is not None else None
            cells.append((cell, region))
            for placeholder in cell.placeholders:
                head, _, field = placeholder.name.partition(".")
                needs[region, head, field, placeholder.name] = None
        self.cells = tuple(cells)
        self.tables = tuple(region.name for region in template.regions)
        self.needs = tuple(needs)
        self._first_items: dict[tuple[str, str], CellTemplate | None] = {}

    def satisfied_by(self, fill: Fill) -> bool:
        """Whether `fill` has every table and placeholder (else `check` says what not)."""
        tables, scalars = fill.tables, fill.scalars
        if not all(name in tables for name in self.tables):
            return False
        for region, head, field, name in self.needs:
            if region is not None:
                table = tables[region]
                if head == table.item:
                    if field not in table.fields:
                        return False
                    continue
            if name not in scalars:
                return False
        return True

    def first_item_cell(
        self, template: Template, region: TableRegion, table: Table
    ) -> CellTemplate | None:
        key = (region.name, table.item)
        if key not in self._first_items:
            self._first_items[key] = _first_item_cell(template, region, table)
        return self._first_items[key]


def _within(template: Template, box: Box) -> str | None:
    """The region a merged range lies within (it repeats with its rows), or None."""
    region = template.region_of(box[0])
    return region.name if region is not None and box[2] <= region.last else None


def _parsed(content: SheetContent) -> tuple[Template, _Compiled]:
    """The template of `content`, parsed once per content object: a backend that
    reads its template once (the XML backend) has it parsed once too."""
    hit = _PARSED.get(id(content))
    if hit is not None and hit[0] is content:
        return hit[1], hit[2]
    template = parse_template(content)
    compiled = _Compiled(template, content.merged)
    if len(_PARSED) >= 16:
        _PARSED.clear()
    _PARSED[id(content)] = (content, template, compiled)
    return template, compiled


_PARSED: dict[int, tuple[SheetContent, Template, _Compiled]] = {}


def _resolve(
    cell: CellTemplate, fill: Fill, table: Table | None, item: tuple[Value, ...] | None
) -> CellValue:
    single = cell.single
    if single is not None:
        return cell_value(_lookup(single.name, fill, table, item))
    text = "".join(
        display(_lookup(p.name, fill, table, item)) if isinstance(p, Placeholder) else p
        for p in cell.pieces
    )
    return Text(text) if text else None


def _first_item_cell(template: Template, region: TableRegion, table: Table) -> CellTemplate | None:
    for (row, _), cell in sorted(template.cells.items()):
        if region.first <= row <= region.last and any(
            p.name.partition(".")[0] == table.item for p in cell.placeholders
        ):
            return cell
    return None


Box = tuple[int, int, int, int]  # top, left, bottom, right


def _final_merges(
    merged: Sequence[tuple[Box, str | None]], regions: Mapping[str, Region], rows: RowMap
) -> list[Box]:
    """Merged ranges where they end up: template rows' merges repeat per copy (each
    merge with the region it lies within, if any)."""
    result = []
    first = rows.first
    for (top, left, bottom, right), name in merged:
        if name is not None:
            region = regions[name]
            start = first(top)
            for copy in range(region.copies):
                shift = copy * region.height
                result.append((start + shift, left, start + shift + bottom - top, right))
        else:
            result.append((first(top), left, rows.last(bottom), right))
    return result


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _area(box: Box) -> int:
    return (box[2] - box[0] + 1) * (box[3] - box[1] + 1)


def _waste(a: Box, b: Box) -> int:
    """Cells a box over both `a` and `b` holds that neither holds."""
    return _area(_union(a, b)) - _area(a) - _area(b)


def _written_rows(
    spans: Mapping[tuple[str | None, int], tuple[int, int]],
    regions: Mapping[str, Region],
    first: Callable[[int], int],
) -> dict[int, tuple[int, int]]:
    """Each written row's first and last column: `spans` (by region and template row)
    at every copy of the row."""
    written: dict[int, tuple[int, int]] = {}
    for (name, row), (low, high) in spans.items():
        top = first(row)
        places = [top]
        if name is not None:
            region = regions[name]
            places = list(range(top, top + region.copies * region.height, region.height))
        for at in places:
            known = written.get(at)
            written[at] = (
                (low, high) if known is None else (min(known[0], low), max(known[1], high))
            )
    return written


def _blocks(
    cells: Mapping[tuple[int, int], CellValue],
    grown: Mapping[str, Mapping[int, Mapping[int, list[CellValue]]]],
    placed: Sequence[tuple[str, int, Region]],
    written: Mapping[int, tuple[int, int]],
    merged: Sequence[Box],
    max_blocks: int,
) -> list[WriteBlock]:
    """Group the writes (`written`: each row's first and last written column) into
    few rectangles, never cutting a merged range: `cells` outside regions, `grown`
    in the regions, `placed` in sheet order (each one's name, first row and copies)."""
    boxes: list[Box] = []
    start = previous = left = right = 0
    for row in sorted(written):  # runs of consecutive rows
        low, high = written[row]
        if boxes and previous == row - 1:
            left = min(left, low)
            right = max(right, high)
            boxes[-1] = (start, left, row, right)
        else:
            start, left, right = row, low, high
            boxes.append((start, left, row, right))
        previous = row
    # Merge the neighbours that waste least, until max_blocks are left; only the
    # costs next to a merge change.
    costs = [_waste(a, b) for a, b in pairwise(boxes)]
    while len(boxes) > max(1, max_blocks):
        i = costs.index(min(costs))
        boxes[i : i + 2] = [_union(boxes[i], boxes[i + 1])]
        del costs[i]
        if i > 0:
            costs[i - 1] = _waste(boxes[i - 1], boxes[i])
        if i < len(costs):
            costs[i] = _waste(boxes[i], boxes[i + 1])
    boxes = _around_merges(boxes, merged)
    made: dict[tuple[str, int, int], list[tuple[CellValue, ...]]] = {}
    blocks = []
    for box in boxes:
        values: list[tuple[CellValue, ...]] = []
        top, left, bottom, right = box
        row = top
        for name, start, region in placed:
            end = min(start + region.copies * region.height, bottom + 1)
            if end <= row:
                continue  # above the box, or met already
            if start > bottom:
                break  # below the box
            values.extend(_cell_rows(cells, row, start, left, right))  # rows above it
            key = (name, left, right)
            if key not in made:
                made[key] = _region_rows(grown[name], region, left, right)
            values.extend(made[key][max(row, start) - start : end - start])
            row = end
        values.extend(_cell_rows(cells, row, bottom + 1, left, right))
        blocks.append(WriteBlock(top, left, tuple(values)))
    return blocks


def _cell_rows(
    cells: Mapping[tuple[int, int], CellValue], top: int, end: int, left: int, right: int
) -> list[tuple[CellValue, ...]]:
    """Rows top..end-1, columns left..right, of `cells` (a gap: None)."""
    width = right - left + 1
    flat = list(map(cells.get, product(range(top, end), range(left, right + 1))))
    return [tuple(flat[i : i + width]) for i in range(0, len(flat), width)]


def _region_rows(
    columns: Mapping[int, Mapping[int, list[CellValue]]], region: Region, left: int, right: int
) -> list[tuple[CellValue, ...]]:
    """Every row of a grown region, columns left..right: its cells' values by template
    row and column (`columns`; a gap: None), turned into rows by `zip`."""
    none: list[CellValue] = [None] * region.copies
    by_row = []
    for row in range(region.first, region.last + 1):
        cells = columns.get(row, {})
        by_row.append(list(zip(*(cells.get(c, none) for c in range(left, right + 1)), strict=True)))
    if len(by_row) == 1:
        return by_row[0]
    return [row for copy in zip(*by_row, strict=True) for row in copy]


def _around_merges(boxes: list[Box], merged: Sequence[Box]) -> list[Box]:
    """Grow boxes over every merged range they touch; join boxes that then overlap."""
    changed = True
    while changed:
        changed = False
        for i, box in enumerate(boxes):
            top, left, bottom, right = box
            for m_top, m_left, m_bottom, m_right in merged:
                if m_top > bottom or top > m_bottom or m_left > right or left > m_right:
                    continue  # apart
                if top <= m_top and m_bottom <= bottom and left <= m_left and m_right <= right:
                    continue  # inside already
                top, left = min(top, m_top), min(left, m_left)
                bottom, right = max(bottom, m_bottom), max(right, m_right)
                changed = True
            boxes[i] = (top, left, bottom, right)
        joined: list[Box] = []
        for box in sorted(boxes):
            if joined and _overlaps(joined[-1], box):
                joined[-1] = _union(joined[-1], box)
                changed = True
            else:
                joined.append(box)
        boxes = joined
    return boxes
