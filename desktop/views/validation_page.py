"""The Validation page: problems in a sortable, filterable table."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit, QPushButton

from desktop.presenters.validation import ValidationPresenter
from desktop.views.widgets import Banner, Page, TablePanel, hbox, label, open_url, show_error
from partnerclose.api import Severity


class ValidationPage(Page):
    def __init__(self, presenter: ValidationPresenter) -> None:
        super().__init__(
            "Validation",
            "Every problem found in the program and partner workbooks. Errors stop the close; "
            "warnings and notes do not. Double-click a problem to open its workbook.",
        )
        self.presenter = presenter
        self.banner = Banner()
        self.body.addWidget(self.banner)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter by file, sheet, cell or message…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.textChanged.connect(self._filter_changed)
        self.toggles: dict[Severity, QPushButton] = {}
        for severity in Severity:
            toggle = QPushButton()
            toggle.setObjectName("filter")
            toggle.setCheckable(True)
            toggle.setChecked(True)
            toggle.toggled.connect(lambda on, s=severity: self._toggled(s, on))
            self.toggles[severity] = toggle
        self.count = label("", "muted")
        self.body.addLayout(
            hbox(self.search, 12, *self.toggles.values(), None, self.count, spacing=6)
        )
        self.table = TablePanel(on_activate=presenter.activate)
        self.body.addWidget(self.table, 1)
        presenter.bind(self)

    # --- ValidationView -----------------------------------------------------------------

    def refresh(self) -> None:
        p = self.presenter
        self.banner.set_message(p.headline(), p.state() if p.session.problems_note else "info")
        for severity, text in p.filter_labels():
            self.toggles[severity].setText(text)
        self.table.set_table(p.table)
        self._update_count()

    def open_path(self, path: Path) -> None:
        open_url(path)

    def show_error(self, title: str, text: str) -> None:
        show_error(self, title, text)

    # --- filters --------------------------------------------------------------------------

    def _toggled(self, severity: Severity, on: bool) -> None:
        self.presenter.set_shown(severity, on)
        self.table.proxy.set_categories(self.presenter.shown_categories())
        self._update_count()

    def _filter_changed(self, text: str) -> None:
        self.presenter.set_filter_text(text)
        self.table.proxy.set_text_filter(text)
        self._update_count()

    def _update_count(self) -> None:
        shown = self.table.proxy.rowCount()
        total = self.table.model.rowCount()
        self.count.setText(f"{shown} of {total} shown" if total else "")
