"""Dialogs: the reason for a reopen."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class ReopenDialog(QDialog):
    """Asks why a final period is reopened; OK only with a reason."""

    def __init__(self, period: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Reopen {period}")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        intro = QLabel(
            f"<b>Reopen {period}?</b><br>The final close of {period} is unlocked so that "
            "it can be closed again. Its lines are kept as history, and your reason is "
            "recorded in the ledger's audit trail."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(QLabel("Reason (required):"))
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("e.g. P004's usage for October was restated by the partner")
        self.reason.setFixedHeight(90)
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(f"Reopen {period}")
        ok.setEnabled(False)
        self.reason.textChanged.connect(
            lambda: ok.setEnabled(bool(self.reason.toPlainText().strip()))
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def text(self) -> str:
        return self.reason.toPlainText().strip()
