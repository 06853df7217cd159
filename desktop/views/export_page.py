"""The Export page: the files of the close, listed from its output folder."""

from __future__ import annotations

from pathlib import Path

from desktop.presenters.export import ExportPresenter
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
    def __init__(self, presenter: ExportPresenter) -> None:
        super().__init__(
            "Export",
            "Statements, the close pack, the settlement lines and the journal, as written by "
            "the close. Double-click a file to open it.",
        )
        self.presenter = presenter
        self.banner = Banner()
        self.body.addWidget(self.banner)
        self.folder = label("", "path")
        self.open_folder = button("Open output folder", presenter.open_folder, "primary")
        self.open_statements = button("Open statements folder", presenter.open_statements)
        self.reload = button("Refresh", presenter.refresh)
        self.body.addLayout(
            hbox(label("Output folder", "fieldLabel"), self.folder, 1, None, self.reload)
        )
        self.body.addLayout(hbox(self.open_folder, self.open_statements, None))
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

    def open_path(self, path: Path) -> None:
        open_url(path)

    def show_error(self, title: str, text: str) -> None:
        show_error(self, title, text)
