"""The History page: the ledger's closes and audit trail; reopen with a reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QSplitter

from desktop.presenters.history import HistoryPresenter
from desktop.views.dialogs import ReopenDialog
from desktop.views.widgets import Banner, Page, TablePanel, button, hbox, show_error


class HistoryPage(Page):
    def __init__(self, presenter: HistoryPresenter) -> None:
        super().__init__(
            "History",
            "Every close recorded in the ledger, newest first, and the audit trail. A final "
            "close locks its period; reopening it needs a reason, and closing it final again "
            "issues the next version of its statements, keeping the earlier ones.",
        )
        self.presenter = presenter
        self.banner = Banner()
        self.body.addWidget(self.banner)
        self.reopen_button = button("Reopen…", presenter.reopen, "danger")
        self.reload = button("Refresh", presenter.refresh)
        self.body.addLayout(hbox(self.reopen_button, None, self.reload))
        self.runs = TablePanel("Closes")
        self.runs.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.audit = TablePanel("Audit trail")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.runs)
        split.addWidget(self.audit)
        split.setChildrenCollapsible(False)
        split.setSizes([360, 220])
        self.body.addWidget(split, 1)
        presenter.bind(self)

    def refresh(self) -> None:
        p = self.presenter
        self.banner.set_message(p.headline(), "info")
        period = p.reopen_period()
        self.reopen_button.setText(f"Reopen {period}…" if period else "Reopen…")
        self.reopen_button.setEnabled(p.can_reopen())
        self.reopen_button.setToolTip(
            f"Unlock the final close of {period}" if period else "No final close to reopen"
        )
        self.runs.set_table(p.runs_table())
        self.audit.set_table(p.audit_table())

    def ask_reason(self, period: str) -> str | None:
        dialog = ReopenDialog(period, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.text()

    def show_error(self, title: str, text: str) -> None:
        show_error(self, title, text)

    def show_status(self, text: str) -> None:
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 15_000)
