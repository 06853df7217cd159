"""Qt table models over the presenters' `DisplayTable` values.

`TableModel` shows any presenter table: text, right-aligned amounts, negatives
in red, bold totals rows. `TableProxy` sorts by each cell's exact sort key
(numbers as numbers), keeps totals rows at the bottom whatever the order, and
filters by text and by category (e.g. the severity of a problem).
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.presenters.table import EMPTY_TABLE, Align, Cell, DisplayTable, Row, Tone

AnyIndex = QModelIndex | QPersistentModelIndex

# Roles beyond Qt's own: the exact value as text, the row's key and category.
ValueRole = int(Qt.ItemDataRole.UserRole) + 1
KeyRole = int(Qt.ItemDataRole.UserRole) + 2
CategoryRole = int(Qt.ItemDataRole.UserRole) + 3
TotalRole = int(Qt.ItemDataRole.UserRole) + 4

TONE_COLORS = {
    Tone.NEGATIVE: QColor("#c62828"),
    Tone.MUTED: QColor("#6b7280"),
    Tone.ERROR: QColor("#c62828"),
    Tone.WARNING: QColor("#a15c00"),
    Tone.INFO: QColor("#1d5fa8"),
    Tone.GOOD: QColor("#1b7f3b"),
}
TOTAL_BACKGROUND = QColor("#eef1f5")

ALIGNMENTS = {
    Align.LEFT: Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
    Align.RIGHT: Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    Align.CENTER: Qt.AlignmentFlag.AlignCenter,
}


class TableModel(QAbstractTableModel):
    """A read-only model of one presenter `DisplayTable`; `set_table` swaps it whole."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table: DisplayTable = EMPTY_TABLE
        self._bold = QFont()
        self._bold.setBold(True)

    # --- the table -----------------------------------------------------------------

    @property
    def table(self) -> DisplayTable:
        return self._table

    def set_table(self, table: DisplayTable) -> None:
        if table == self._table:
            return
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def row_at(self, row: int) -> Row | None:
        rows = self._table.rows
        return rows[row] if 0 <= row < len(rows) else None

    def cell(self, index: AnyIndex) -> Cell | None:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or not 0 <= index.column() < len(row.cells):
            return None
        return row.cells[index.column()]

    # --- QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._table.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._table.columns)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        cell = self.cell(index)
        if cell is None:
            return None
        row = self._table.rows[index.row()]
        column = self._table.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(ALIGNMENTS[column.align].value)
        if role == Qt.ItemDataRole.ForegroundRole:
            color = TONE_COLORS.get(cell.tone)
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if row.total or column.strong else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(TOTAL_BACKGROUND) if row.total else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.tooltip or None
        if role == ValueRole:
            return str(cell.value) if cell.value is not None else None
        if role == KeyRole:
            return row.key
        if role == CategoryRole:
            return row.category
        if role == TotalRole:
            return row.total
        return None

    def headerData(  # noqa: N802
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        columns = self._table.columns
        if not 0 <= section < len(columns):
            return None
        column = columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(ALIGNMENTS[column.align].value)
        return None


class TableProxy(QSortFilterProxyModel):
    """Sorts by exact keys, keeps totals last, filters by text and category."""

    def __init__(self, source: TableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._categories: set[str] | None = None
        self.setSourceModel(source)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    @property
    def table_model(self) -> TableModel:
        return self._source

    def set_text_filter(self, text: str) -> None:
        self.setFilterFixedString(text)

    def set_categories(self, categories: set[str] | None) -> None:
        """Show only rows of these categories (None: every row)."""
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9
            self.beginFilterChange()
            self._categories = None if categories is None else set(categories)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._categories = None if categories is None else set(categories)
            self.invalidateFilter()

    def source_row(self, proxy_row: int) -> int:
        return self.mapToSource(self.index(proxy_row, 0)).row()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        row = self._source.row_at(source_row)
        if row is None:
            return False
        if row.total:
            return True
        if self._categories is not None and row.category and row.category not in self._categories:
            return False
        return super().filterAcceptsRow(source_row, source_parent)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:  # noqa: N802
        left_row = self._source.row_at(left.row())
        right_row = self._source.row_at(right.row())
        if left_row is None or right_row is None:
            return False
        descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
        if left_row.total != right_row.total:
            # Qt reverses the comparison for a descending sort: answer so totals stay last.
            return left_row.total == descending
        left_cell, right_cell = self._source.cell(left), self._source.cell(right)
        if left_cell is None or right_cell is None:
            return False
        if left_cell.sort_key[0] != right_cell.sort_key[0]:
            return left_cell.sort_key[0] < right_cell.sort_key[0]
        a, b = left_cell.sort_key[1], right_cell.sort_key[1]
        if a == b:
            return left.row() < right.row()  # stable: the presenter's order
        if isinstance(a, Decimal) and isinstance(b, Decimal):
            return a < b
        return str(a) < str(b)
