"""An in-memory `Sheet`: a second backend, to show the engine is backend-neutral.

It keeps values, number formats and merged ranges in dicts, counts every call
(each would be one range operation in Excel), and implements insertion the way
Excel does: everything at or below an insertion point moves down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from partnerclose.statements.sheet import RowInsert, SheetContent
from partnerclose.statements.template import replace_in_format
from partnerclose.statements.values import CellValue

Box = tuple[int, int, int, int]


@dataclass
class GridSheet:
    title: str
    cells: dict[tuple[int, int], CellValue]
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    merged: list[Box] = field(default_factory=list)
    print_area: str | None = None
    print_title_rows: str | None = None
    charts: list[list[str]] = field(default_factory=list)
    fitted: list[tuple[int, int]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def read(self) -> SheetContent:
        self.calls.append("read")
        return SheetContent(
            title=self.title,
            cells=dict(self.cells),
            print_area=self.print_area,
            print_title_rows=self.print_title_rows,
            chart_references=tuple(tuple(refs) for refs in self.charts),
            merged=tuple(self.merged),
        )

    def replace_in_number_formats(self, placeholder: str, text: str, decimals: int = 2) -> None:
        self.calls.append("formats")
        self.formats = {
            k: replace_in_format(v, placeholder, text, decimals) for k, v in self.formats.items()
        }

    def insert_rows(self, inserts: Sequence[RowInsert]) -> None:
        self.calls.append("insert")

        def moved(row: int) -> int:
            return row + sum(i.count for i in inserts if i.before <= row)

        self.cells = {(moved(r), c): v for (r, c), v in self.cells.items()}
        self.formats = {(moved(r), c): v for (r, c), v in self.formats.items()}
        self.merged = [(moved(t), left, moved(b), right) for t, left, b, right in self.merged]

    def copy_row_formats(self, source: tuple[int, int], target: tuple[int, int]) -> None:
        self.calls.append("copy formats")
        first, last = source
        height = last - first + 1
        for row in range(target[0], target[1] + 1):
            origin = first + (row - target[0]) % height
            for (r, c), fmt in list(self.formats.items()):
                if r == origin:
                    self.formats[row, c] = fmt
        for shift in range(target[0] - first, target[1] - first + 1, height):
            self.merged += [
                (t + shift, left, b + shift, right)
                for t, left, b, right in list(self.merged)
                if first <= t and b <= last
            ]

    def write_block(self, top: int, left: int, values: Sequence[Sequence[CellValue]]) -> None:
        self.calls.append("write")
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                at = (top + i, left + j)
                if any(
                    t <= at[0] <= b and lft <= at[1] <= rgt and (t, lft) != at
                    for t, lft, b, rgt in self.merged
                ):
                    assert value is None, f"a value written into a merged range at {at}"
                if value is None:
                    self.cells.pop(at, None)
                else:
                    self.cells[at] = value

    def fit_row_heights(self, rows: Sequence[tuple[int, int]]) -> None:
        self.calls.append("fit")
        self.fitted = list(rows)

    def set_print_area(self, area: str | None, title_rows: str | None) -> None:
        self.calls.append("print area")
        self.print_area, self.print_title_rows = area, title_rows

    def set_chart_references(self, chart: int, references: Mapping[str, str]) -> None:
        self.calls.append("chart")
        self.charts[chart] = [references.get(ref, ref) for ref in self.charts[chart]]
