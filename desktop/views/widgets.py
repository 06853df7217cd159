"""Building blocks every page uses: page header, cards, banners, bound tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models import TableModel, TableProxy
from desktop.presenters.table import DisplayTable
from desktop.views.style import STATE_COLORS, tabular_font

SPACING = 12
MARGIN = 20


def _desktop_open(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _message_box(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(f"<b>{_escape(title)}</b>")
    box.setInformativeText(_escape(text).replace("\n", "<br>"))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


# What opens files and shows errors; the tests put recorders here.
HOOKS: dict[str, Callable[..., object]] = {"open": _desktop_open, "error": _message_box}


def open_url(path: Path) -> bool:
    """Open a file or folder with the system's application (Excel, the file manager)."""
    return bool(HOOKS["open"](path))


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """A plain-language error dialog (details go to the log, never a traceback)."""
    HOOKS["error"](parent, title, text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def label(text: str = "", name: str = "", wrap: bool = False) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    return widget


def button(text: str, slot: Callable[[], object], name: str = "", tip: str = "") -> QPushButton:
    widget = QPushButton(text)
    if name:
        widget.setObjectName(name)
    if tip:
        widget.setToolTip(tip)
    widget.clicked.connect(lambda *_: slot())
    return widget


def card(layout: QLayout, margins: int = 14) -> QFrame:
    frame = QFrame()
    frame.setObjectName("card")
    layout.setContentsMargins(margins, margins, margins, margins)
    frame.setLayout(layout)
    return frame


def hbox(*items: QWidget | int | None, spacing: int = 8) -> QHBoxLayout:
    """A row: widgets, ints for fixed spacing, None for a stretch."""
    layout = QHBoxLayout()
    layout.setSpacing(spacing)
    layout.setContentsMargins(0, 0, 0, 0)
    for item in items:
        if item is None:
            layout.addStretch(1)
        elif isinstance(item, int):
            layout.addSpacing(item)
        else:
            layout.addWidget(item)
    return layout


class Page(QWidget):
    """A page of the main window: a title, a subtitle line, then its content."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        super().__init__()
        self.setObjectName("page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(MARGIN, MARGIN - 4, MARGIN, MARGIN - 4)
        self.body.setSpacing(SPACING)
        self.title = label(title, "pageTitle")
        self.subtitle = label(subtitle, "pageSubtitle", wrap=True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header = QVBoxLayout()
        header.setSpacing(2)
        header.addWidget(self.title)
        header.addWidget(self.subtitle)
        self.header = header
        self.body.addLayout(header)


class Banner(QFrame):
    """A coloured one-line message: ok, warning, error or info."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("banner")
        self.text = label("", wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.text)
        self.set_message("", "info")

    def set_message(self, text: str, state: str) -> None:
        background, color, border = STATE_COLORS.get(state, STATE_COLORS["info"])
        self.setStyleSheet(
            f"QFrame#banner {{ background: {background}; border: 1px solid {border}; "
            f"border-radius: 6px; }} QLabel {{ color: {color}; background: transparent; }}"
        )
        self.text.setText(text)
        self.setVisible(bool(text))


class _TableView(QTableView):
    """A QTableView that tells its panel when its width changes."""

    def __init__(self, on_resize: Callable[[], None]) -> None:
        super().__init__()
        self._on_resize = on_resize

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._on_resize()


MAX_COLUMN = 320
MAX_STRETCH_COLUMN = 560
MIN_COLUMN = 56


class TablePanel(QWidget):
    """A QTableView over a TableModel through a TableProxy (sortable, filterable).

    Columns take the width of their content (capped); the spare width goes to the
    table's stretch column, so a long description never squeezes the amounts.
    """

    def __init__(self, title: str = "", on_activate: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.model = TableModel(self)
        self.proxy = TableProxy(self.model, self)
        self.view = _TableView(self._spread)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the presenter's order first
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(False)
        self.view.setShowGrid(True)
        self.view.setWordWrap(False)
        self.view.setFont(tabular_font(self.view.font()))
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setMinimumSectionSize(MIN_COLUMN)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.title = label(title, "sectionTitle")
        self.title.setVisible(bool(title))
        layout.addWidget(self.title)
        layout.addWidget(self.view)
        self._natural: list[int] = []
        self._on_activate = on_activate
        self.view.doubleClicked.connect(self._activated)

    def set_table(self, table: DisplayTable) -> None:
        if table == self.model.table:
            return
        self.model.set_table(table)
        self._measure()

    def _measure(self) -> None:
        """Each column's natural width: its widest cell or header line, within bounds."""
        header = self.view.horizontalHeader()
        metrics = QFontMetrics(header.font())
        bold = QFont(header.font())
        bold.setBold(True)
        header_metrics = QFontMetrics(bold)
        self._natural = []
        for i, column in enumerate(self.model.table.columns):
            content = self.view.sizeHintForColumn(i) if self.model.rowCount() else 0
            title = max(
                (header_metrics.horizontalAdvance(line) for line in column.title.splitlines()),
                default=0,
            )
            title += 22 + metrics.horizontalAdvance("▲")  # padding and the sort arrow
            cap = MAX_STRETCH_COLUMN if column.stretch else MAX_COLUMN
            self._natural.append(min(max(content + 12, title, MIN_COLUMN), cap))
        self._spread()

    def _spread(self) -> None:
        columns = self.model.table.columns
        if not columns or len(self._natural) != len(columns):
            return
        spare = max(self.view.viewport().width() - sum(self._natural), 0)
        stretch = [i for i, c in enumerate(columns) if c.stretch] or [len(columns) - 1]
        header = self.view.horizontalHeader()
        for i, width in enumerate(self._natural):
            header.resizeSection(i, width + (spare if i == stretch[0] else 0))

    def source_row(self, proxy_row: int) -> int:
        return self.proxy.source_row(proxy_row)

    def _activated(self, index: QModelIndex) -> None:
        if self._on_activate is not None and index.isValid():
            self._on_activate(self.proxy.mapToSource(index).row())

    def fit_height(self, max_rows: int = 12) -> None:
        """Size the view to its rows (small tables in a column of cards)."""
        rows = min(self.model.rowCount(), max_rows)
        height = self.view.horizontalHeader().sizeHint().height() or 30
        self.view.setFixedHeight(height + rows * 26 + 4)
