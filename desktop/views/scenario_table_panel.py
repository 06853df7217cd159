"""The What-if page's "Terms and costs" tab: the scenario table, checked live, and the
comparison with a bar chart. Thin: the presenter decides, this draws."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.presenters.scenarios_table import ScenarioTablePresenter
from desktop.views.charts import BarChart
from desktop.views.widgets import Banner, TablePanel, button, hbox, label, show_error

PROBLEM_COLOR = QColor("#b3261e")


class ScenarioTablePanel(QWidget):
    """Rows like the Scenarios sheet's, a Run button, the comparison and its chart."""

    def __init__(self, presenter: ScenarioTablePresenter) -> None:
        super().__init__()
        self.presenter = presenter
        self.editor = QTableWidget(0, len(presenter.header) + 1)
        self.editor.setHorizontalHeaderLabels([*presenter.header, "problem"])
        self.editor.horizontalHeader().setSectionResizeMode(
            len(presenter.header), QHeaderView.ResizeMode.Stretch
        )
        self.editor.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.editor.itemChanged.connect(self._edited)
        self.add_button = button("Add row", self._add)
        self.remove_button = button("Remove row", self._remove)
        self.run_button = button("Run scenarios", presenter.run, "primary")
        self.status = label("", "muted")
        self.banner = Banner()
        self.comparison = TablePanel("Actual and scenarios, per participant and component")
        self.comparison.view.setSortingEnabled(False)
        self.chart = BarChart()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.editor, 2)
        layout.addLayout(
            hbox(self.add_button, self.remove_button, 12, self.run_button, 12, self.status, None)
        )
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.comparison)
        split.addWidget(self.chart)
        split.setChildrenCollapsible(False)
        split.setSizes([640, 460])
        layout.addWidget(split, 3)
        presenter.bind(self)

    def refresh(self) -> None:
        """Redraw from the presenter."""
        p = self.presenter
        table = p.edit_table()
        self.editor.blockSignals(True)
        self.editor.setRowCount(len(table.rows))
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                item = QTableWidgetItem(cell.text)
                if c == len(p.header):
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setForeground(QBrush(PROBLEM_COLOR))
                self.editor.setItem(r, c, item)
        self.editor.resizeColumnsToContents()
        self.editor.blockSignals(False)
        self.run_button.setEnabled(p.can_run())
        self.status.setText(p.status())
        self.comparison.set_table(p.comparison())
        self.chart.set_data(p.chart(), "Run the scenarios to compare them with the close.")

    def show_error(self, title: str, text: str) -> None:
        """A plain message box."""
        show_error(self, title, text)

    def _edited(self, item: QTableWidgetItem) -> None:
        if item.column() < len(self.presenter.header):
            self.presenter.set_cell(item.row(), self.presenter.header[item.column()], item.text())

    def _add(self) -> None:
        self.presenter.add_row()

    def _remove(self) -> None:
        row = self.editor.currentRow()
        if 0 <= row < len(self.presenter.rows):
            self.presenter.remove_row(row)
