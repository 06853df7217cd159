"""The "Send statements…" dialog: the first message previewed, the count, then the
progress and the result per partner (SendPresenter does the work)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from desktop.presenters.distribution import Preview, SendPresenter
from desktop.presenters.table import DisplayTable
from desktop.views.widgets import TablePanel, button, hbox, label, show_error


class SendDialog(QDialog):
    def __init__(self, presenter: SendPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.setWindowTitle("Send statements")
        self.setMinimumSize(720, 640)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        layout.addWidget(label("First message", "fieldLabel"))
        self.preview_text = QPlainTextEdit()
        self.preview_text.setReadOnly(True)
        layout.addWidget(self.preview_text, 2)
        self.cannot = QLabel("")
        self.cannot.setWordWrap(True)
        layout.addWidget(self.cannot)
        self.smtp = QLineEdit()
        self.smtp.setPlaceholderText(
            "blank: write .eml files into the close folder; or HOST[:PORT] to send"
        )
        self.resend = QCheckBox("Send again to partners sent before")
        layout.addLayout(hbox(label("SMTP server", "fieldLabel"), self.smtp, self.resend))
        self.send_button = button("Send", self._send, "primary")
        self.close_button = button("Close", self.reject)
        layout.addLayout(hbox(None, self.send_button, self.close_button))
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.outcome_label = QLabel("")
        layout.addWidget(self.outcome_label)
        self.results = TablePanel()
        layout.addWidget(self.results, 2)
        presenter.bind(self)

    def _send(self) -> None:
        self.send_button.setEnabled(False)
        self.progress.setVisible(True)
        self.presenter.send(self.smtp.text(), resend=self.resend.isChecked())

    # --- SendView ---------------------------------------------------------------------

    def show_preview(self, preview: Preview) -> None:
        self.headline.setText(preview.headline)
        self.preview_text.setPlainText(preview.first)
        self.cannot.setText("\n".join(preview.cannot))
        self.send_button.setEnabled(preview.count > 0)
        self.send_button.setText(f"Send {preview.count}")

    def show_progress(self, done: int, total: int, partner: str) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done} / {total}  {partner}")

    def show_results(self, headline: str, table: DisplayTable) -> None:
        self.progress.setVisible(False)
        self.outcome_label.setText(headline)
        self.results.set_table(table)
        self.send_button.setEnabled(True)

    def show_error(self, title: str, text: str) -> None:
        self.progress.setVisible(False)
        self.send_button.setEnabled(True)
        show_error(self, title, text)
