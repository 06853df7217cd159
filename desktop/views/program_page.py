"""The Program page: the workbook, its period and folders, and the close buttons."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.presenters.distribution import PreparePresenter
from desktop.presenters.main import MainPresenter
from desktop.presenters.table import DisplayTable
from desktop.presenters.validation import ValidationPresenter
from desktop.views.widgets import Banner, Page, button, card, hbox, label, show_error
from partnerclose.api import Period

TERMS_COLUMNS = ("Row", "For", "Valid", "This period")


class ProgramPage(Page):
    def __init__(
        self,
        main: MainPresenter,
        validation: ValidationPresenter,
        preparer: PreparePresenter | None = None,
    ) -> None:
        super().__init__(
            "Program",
            "Open the program workbook, choose the period, validate, then close. "
            "You can also drop a workbook anywhere on this window.",
        )
        self.main = main
        self.validation = validation

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        grid.setColumnStretch(1, 1)
        self.workbook = self._path_label()
        self.period = QDateEdit()
        self.period.setDisplayFormat("yyyy-MM  (MMMM yyyy)")
        self.period.setCalendarPopup(False)
        self.period.setMinimumWidth(200)
        self.period.setToolTip("The month to close; by default last month")
        self.period.dateChanged.connect(self._period_changed)
        # Where the period stands in the ledger (not closed, draft, final), before any action.
        self.period_state = label("", "muted", wrap=True)
        # The draft's approval by a second person, with what can be done about it.
        self.approval = label("", "muted", wrap=True)
        self.approve_button = button("Approve", main.approve, tip="Approve the period's draft")
        self.reject_button = button("Reject…", main.reject, tip="Reject the draft, with a reason")
        self.partner_folder = self._path_label()
        self.output = self._path_label()
        self.ledger = self._path_label()
        self.open_button = button("Open…", main.choose_program)
        self.partner_change = button("Change…", main.change_partner_folder)
        self.partner_reset = button("Use the workbook's", main.reset_partner_folder)
        self.output_change = button("Change…", main.change_output_root)
        self.output_reset = button("Default", main.reset_output_root)
        self.ledger_change = button("Change…", main.change_ledger)
        self.ledger_server = button(
            "Server…", main.use_ledger_server, tip="A team's ledger on a PostgreSQL server"
        )
        self.ledger_reset = button("Default", main.reset_ledger)
        rows: list[tuple[str, QWidget, list[QPushButton]]] = [
            ("Program workbook", self.workbook, [self.open_button]),
            ("Period", self.period, []),
            ("Approval", self.approval, [self.approve_button, self.reject_button]),
            ("Partner workbooks", self.partner_folder, [self.partner_change, self.partner_reset]),
            ("Output folder", self.output, [self.output_change, self.output_reset]),
            ("Ledger", self.ledger, [self.ledger_change, self.ledger_server, self.ledger_reset]),
        ]
        for i, (title, widget, buttons) in enumerate(rows):
            grid.addWidget(label(title, "fieldLabel"), i, 0)
            if isinstance(widget, QDateEdit):
                grid.addLayout(hbox(widget, self.period_state, None), i, 1)
            else:
                grid.addWidget(widget, i, 1)
            grid.addLayout(hbox(*buttons, None), i, 2)
        details = QVBoxLayout()
        details.setSpacing(12)
        details.addWidget(label("Close settings", "sectionTitle"))
        details.addLayout(grid)
        self.banner = Banner()
        details.addWidget(self.banner)
        self.validate_button = button("Validate", main.validate, tip="Check the inputs (F5)")
        self.draft_button = button(
            "Close draft",
            lambda: main.close(final=False),
            "primary",
            "Compute the period and write the outputs; a draft can be rerun (Ctrl+R)",
        )
        self.final_button = button(
            "Close final…",
            lambda: main.close(final=True),
            "danger",
            "Compute, write and lock the period in the ledger",
        )
        self.preparer = preparer
        self.prepare_button = button(
            "Prepare next month…",
            self.prepare_next_month,
            tip="Write next month's partner workbooks into the partner folder (existing "
            "ones are kept)",
        )
        details.addLayout(
            hbox(
                self.validate_button,
                self.draft_button,
                self.final_button,
                None,
                self.prepare_button,
            )
        )
        self.body.addWidget(card(details, 18))

        # The program at a glance, or an invitation to open one.
        overview = QVBoxLayout()
        overview.setSpacing(8)
        overview.addWidget(label("Program overview", "sectionTitle"))
        self.facts = QGridLayout()
        self.facts.setHorizontalSpacing(18)
        self.facts.setVerticalSpacing(6)
        self.facts.setColumnStretch(1, 1)
        overview.addLayout(self.facts)
        # Terms over time (rules.md E1): which dated rows the chosen period uses.
        self.terms_title = label("Terms in force", "sectionTitle")
        self.terms_text = label("", "muted", wrap=True)
        self.terms = QTableWidget(0, len(TERMS_COLUMNS))
        self.terms.setObjectName("terms")
        self.terms.setHorizontalHeaderLabels(list(TERMS_COLUMNS))
        self.terms.verticalHeader().setVisible(False)
        self.terms.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.terms.horizontalHeader().setStretchLastSection(True)
        for widget in (self.terms_title, self.terms_text, self.terms):
            overview.addWidget(widget)
        self.empty = QWidget()
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.setContentsMargins(0, 24, 0, 0)
        empty_layout.setSpacing(10)
        empty_layout.addWidget(label("No program open", "emptyTitle"))
        empty_layout.addWidget(
            label(
                "Open the program workbook of your partner program: its partner workbooks "
                "are read from the folder the workbook names, and the period defaults to "
                "last month.",
                "muted",
                wrap=True,
            )
        )
        self.empty_open = button("Open a program workbook…", main.choose_program, "primary")
        self.empty_open.setObjectName("primary")
        empty_layout.addLayout(hbox(self.empty_open, None))
        empty_layout.addWidget(label("or drop an .xlsx file anywhere on this window", "muted"))
        overview.addWidget(self.empty)
        overview.addStretch(1)

        recent_layout = QVBoxLayout()
        recent_layout.setSpacing(6)
        recent_layout.addWidget(label("Recent program workbooks", "sectionTitle"))
        self.recent = QListWidget()
        self.recent.setObjectName("recent")
        self.recent.itemActivated.connect(self._recent_activated)
        self.recent.itemClicked.connect(self._recent_activated)
        self.recent_empty = label("No recent workbooks yet.", "muted")
        recent_layout.addWidget(self.recent, 1)
        recent_layout.addWidget(self.recent_empty)
        recent_layout.addStretch(0)
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(card(overview, 18), 1)
        bottom.addWidget(card(recent_layout, 18), 1)
        self.body.addLayout(bottom, 1)

    @staticmethod
    def _path_label() -> QLabel:
        widget = label("", "path")
        widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        widget.setMinimumWidth(200)
        return widget

    def prepare_next_month(self) -> None:
        if self.preparer is not None:
            self.preparer.bind(self)
            self.preparer.prepare()

    def show_prepared(self, headline: str, table: DisplayTable) -> None:
        """PrepareView: the outcome in the banner, each workbook in its tooltip."""
        self.banner.set_message(f"Prepared {headline}", "ok")
        self.banner.setToolTip(
            "\n".join(f"{row.cells[0].text}: {row.cells[2].text}" for row in table.rows)
        )

    def show_error(self, title: str, text: str) -> None:
        show_error(self, title, text)

    def refresh(self) -> None:
        m = self.main
        s = m.session
        actions = m.actions()
        self.workbook.setText(str(s.program_path) if s.program_path else "No workbook open")
        self.partner_folder.setText(m.partner_folder_text())
        self.output.setText(m.output_text())
        self.ledger.setText(m.ledger_text())
        self.partner_change.setToolTip(m.partner_folder_tooltip())
        self.partner_folder.setToolTip(m.partner_folder_tooltip())
        self.open_button.setEnabled(actions.open)
        self.prepare_button.setEnabled(self.preparer is not None and s.is_open)
        self.partner_change.setEnabled(actions.change_partner_folder)
        self.partner_reset.setVisible(s.partner_folder_override is not None)
        for widget in (self.output_change, self.ledger_change, self.ledger_server):
            widget.setEnabled(actions.change_folders)
        program = s.program_path
        self.output_reset.setEnabled(
            actions.change_folders
            and program is not None
            and s.settings.output_root(program) is not None
        )
        self.ledger_reset.setEnabled(
            actions.change_folders
            and program is not None
            and s.settings.ledger_path(program) is not None
        )
        self.validate_button.setEnabled(actions.validate)
        self.draft_button.setEnabled(actions.close)
        self.final_button.setEnabled(actions.close)
        self.period.setEnabled(not s.busy)
        date = QDate(s.period.year, s.period.month, 1)
        if self.period.date() != date:
            self.period.blockSignals(True)
            self.period.setDate(date)
            self.period.blockSignals(False)
        self.period_state.setText(m.period_status_text())
        self.approval.setText(m.approval_text() or "No draft to approve.")
        self.approve_button.setEnabled(actions.decide)
        self.reject_button.setEnabled(actions.decide)
        if s.is_open:
            self.banner.set_message(self.validation.headline(), self.validation.state())
        else:
            self.banner.set_message("", "info")
        self._refresh_facts()
        self._refresh_terms()
        self._refresh_recent()

    def _refresh_terms(self) -> None:
        text, rows = self.main.terms_in_force()
        self.terms_text.setText(text)
        self.terms.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.terms.setItem(r, c, QTableWidgetItem(value))
        self.terms_title.setVisible(bool(text))
        self.terms_text.setVisible(bool(text))
        self.terms.setVisible(bool(rows))

    def _refresh_facts(self) -> None:
        while self.facts.count():
            item = self.facts.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        facts = self.main.program_facts()
        for row, (name, value) in enumerate(facts):
            self.facts.addWidget(label(name, "factName"), row, 0)
            self.facts.addWidget(label(value, "factValue"), row, 1)
        self.empty.setVisible(not self.main.session.is_open)
        self.empty_open.setEnabled(self.main.actions().open)

    def _refresh_recent(self) -> None:
        self.recent.clear()
        paths = self.main.recent_files()
        for path in paths:
            item = QListWidgetItem(f"{path.name}\n{path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.recent.addItem(item)
        self.recent.setVisible(bool(paths))
        self.recent_empty.setVisible(not paths)
        self.recent.setEnabled(not self.main.session.busy)

    def _recent_activated(self, item: QListWidgetItem) -> None:
        self.main.open_program(Path(str(item.data(Qt.ItemDataRole.UserRole))))

    def _period_changed(self, date: QDate) -> None:
        self.main.set_period(Period(date.year(), date.month()))
