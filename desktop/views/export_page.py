"""The Export page: the files of the close, listed from its output folder."""

from __future__ import annotations

from pathlib import Path

from desktop.presenters.distribution import SendPresenter, payment_files, payment_message
from desktop.presenters.export import ExportPresenter
from desktop.views.send_dialog import SendDialog
from desktop.views.widgets import (
    Banner,
    Page,
    TablePanel,
    button,
    hbox,
    label,
    open_url,
    show_error,
)


class ExportPage(Page):
    def __init__(self, presenter: ExportPresenter, sender: SendPresenter | None = None) -> None:
        super().__init__(
            "Export",
            "Statements, the close pack, the settlement lines and the journal, as written by "
            "the close. Double-click a file to open it.",
        )
        self.presenter = presenter
        self.send_presenter = sender
        self.dialog: SendDialog | None = None
        self.banner = Banner()
        self.body.addWidget(self.banner)
        self.folder = label("", "path")
        self.open_folder = button("Open output folder", presenter.open_folder, "primary")
        self.open_statements = button("Open statements folder", presenter.open_statements)
        self.reload = button("Refresh", presenter.refresh)
        self.body.addLayout(
            hbox(label("Output folder", "fieldLabel"), self.folder, 1, None, self.reload)
        )
        self.send_button = button(
            "Send statements…", self.send_statements, tip="E-mail each partner its statement"
        )
        self.payment_button = button(
            "Payment file…", self.open_payment_file, tip="The final close's payment files"
        )
        self.body.addLayout(
            hbox(
                self.open_folder,
                self.open_statements,
                None,
                self.send_button,
                self.payment_button,
            )
        )
        self.table = TablePanel(on_activate=presenter.open_row)
        self.body.addWidget(self.table, 1)
        presenter.bind(self)

    def refresh(self) -> None:
        p = self.presenter
        self.banner.set_message(p.headline(), "ok" if p.table.rows else "info")
        self.folder.setText(p.folder_text())
        self.open_folder.setEnabled(p.can_open_folder())
        self.open_statements.setEnabled(p.can_open_statements())
        self.open_statements.setToolTip(
            "" if p.can_open_statements() else "This close wrote no statements folder."
        )
        self.table.set_table(p.table)
        self.send_button.setEnabled(self.send_presenter is not None and p.session.is_open)
        self.payment_button.setEnabled(p.session.is_open)

    def send_statements(self) -> None:
        if self.send_presenter is None:
            return
        self.dialog = SendDialog(self.send_presenter, self)
        if self.send_presenter.preview():
            self.dialog.open()

    def open_payment_file(self) -> None:
        session = self.presenter.session
        files = payment_files(session)
        if not files:
            self.show_error("No payment file", payment_message(session))
            return
        for path in files:
            self.open_path(path)

    def open_path(self, path: Path) -> None:
        open_url(path)

    def show_error(self, title: str, text: str) -> None:
        show_error(self, title, text)
