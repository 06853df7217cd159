"""The Review page: summary, partner, pools and reserve, exceptions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.presenters.review import ReviewPresenter
from desktop.views.style import NEGATIVE, POSITIVE, tabular_font
from desktop.views.widgets import Banner, Page, TablePanel, card, hbox, label


def _tab(*widgets: QWidget, stretch_last: bool = True) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 12, 0, 0)
    layout.setSpacing(12)
    for i, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if stretch_last and i == len(widgets) - 1 else 0)
    return page


class ReviewPage(Page):
    def __init__(self, presenter: ReviewPresenter) -> None:
        super().__init__("Review", "")
        self.presenter = presenter
        self.banner = Banner()
        self.body.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.body.addWidget(self.tabs, 1)

        # Summary
        self.summary = TablePanel(on_activate=self._summary_activated)
        self.summary_note = label("", "muted")
        self.tabs.addTab(_tab(self.summary_note, self.summary), "Summary")

        # Partner
        self.participant = QComboBox()
        self.participant.setMinimumWidth(300)
        self.participant.currentIndexChanged.connect(self._participant_changed)
        self.partner_title = label("", "partnerTitle")
        self.direction = label("", "muted")
        self.net = label("", "bigAmount")
        self.net.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.other = label("", "muted")
        self.in_program_currency = QCheckBox("Amounts in the program currency")
        self.in_program_currency.toggled.connect(self.presenter.show_program_currency)
        self.score = label("", "")
        self.flags = label("", "muted", wrap=True)
        head = QHBoxLayout()
        head.setSpacing(24)
        who = QVBoxLayout()
        who.setSpacing(4)
        who.addWidget(self.partner_title)
        who.addWidget(self.score)
        who.addWidget(self.flags)
        who.addStretch(1)
        amount = QVBoxLayout()
        amount.setSpacing(2)
        amount.addWidget(self.direction, 0, Qt.AlignmentFlag.AlignRight)
        amount.addWidget(self.net, 0, Qt.AlignmentFlag.AlignRight)
        amount.addWidget(self.other, 0, Qt.AlignmentFlag.AlignRight)
        amount.addStretch(1)
        self.strip = QHBoxLayout()
        self.strip.setSpacing(26)
        head.addLayout(who, 1)
        head.addLayout(self.strip)
        head.addSpacing(12)
        head.addLayout(amount)
        header_card = card(head, 14)
        self.lines = TablePanel("Settlement lines")
        self.milestones = TablePanel()
        self.figures = TablePanel()
        self.scorecard = TablePanel()
        details = QTabWidget()
        details.addTab(self.milestones, "Milestones: held and deferred")
        details.addTab(self.figures, "Key figures")
        details.addTab(self.scorecard, "Scorecard")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.lines)
        split.addWidget(details)
        split.setChildrenCollapsible(False)
        split.setSizes([380, 200])
        partner = QWidget()
        partner_layout = QVBoxLayout(partner)
        partner_layout.setContentsMargins(0, 12, 0, 0)
        partner_layout.setSpacing(12)
        partner_layout.addLayout(
            hbox(
                label("Participant", "fieldLabel"),
                self.participant,
                self.in_program_currency,
                None,
            )
        )
        partner_layout.addWidget(header_card)
        partner_layout.addWidget(split, 1)
        self.tabs.addTab(partner, "Partner")

        # Pools and reserve
        self.pools = TablePanel("Pool reconciliation")
        self.pools_note = label("", "muted")
        self.reserve = TablePanel("Reserve fund movement")
        self.reserve.view.setSortingEnabled(False)
        self.reserve.setFixedWidth(340)
        self.accounts = TablePanel("Reserve accounts")
        lower = QHBoxLayout()
        lower.setSpacing(12)
        lower.addWidget(self.reserve, 0, Qt.AlignmentFlag.AlignTop)
        lower.addWidget(self.accounts, 1)
        lower_widget = QWidget()
        lower_widget.setLayout(lower)
        lower.setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(_tab(self.pools_note, self.pools, lower_widget), "Pools and reserve")

        # Exceptions
        self.exceptions = TablePanel()
        self.exceptions_note = label(
            "Warnings and notes of the close, with where they were found.", "muted"
        )
        self.tabs.addTab(_tab(self.exceptions_note, self.exceptions), "Exceptions")
        presenter.bind(self)

    # --- ReviewView --------------------------------------------------------------------

    def refresh(self) -> None:
        p = self.presenter
        result = p.result()
        self.subtitle.setText(
            "The close's numbers: every participant, one partner in detail, the pools and the "
            "reserve, and the exceptions. Click a column header to sort."
        )
        self.banner.set_message(p.headline(), "ok" if result is not None else "info")
        self.tabs.setEnabled(result is not None)
        self.summary_note.setText(
            f"{p.amounts_note()}  {p.rates_note()}  {p.counts_text()}".replace("    ", "  ").strip()
        )
        self.summary.set_table(p.summary())
        self._refresh_participants()
        self._refresh_partner()
        self.pools.set_table(p.pools())
        self.pools.fit_height(14)
        self.pools_note.setText(p.reserve_note())
        self.reserve.set_table(p.reserve())
        self.reserve.fit_height(8)
        self.accounts.set_table(p.reserve_accounts())
        self.exceptions.set_table(p.exceptions())

    def _refresh_participants(self) -> None:
        entries = self.presenter.participants()
        current = [self.participant.itemData(i) for i in range(self.participant.count())]
        self.participant.blockSignals(True)
        if current != [pid for pid, _ in entries]:
            self.participant.clear()
            for pid, text in entries:
                self.participant.addItem(text, pid)
        index = self.participant.findData(self.presenter.selected)
        self.participant.setCurrentIndex(max(index, 0) if entries else -1)
        self.participant.blockSignals(False)

    def _refresh_partner(self) -> None:
        p = self.presenter
        header = p.partner_header()
        if header is None:
            for widget in (
                self.partner_title,
                self.direction,
                self.net,
                self.other,
                self.score,
                self.flags,
            ):
                widget.setText("")
        else:
            self.partner_title.setText(header.title)
            self.direction.setText(header.direction)
            self.net.setText(header.net)
            self.other.setText(header.other)
            color = NEGATIVE if header.negative else POSITIVE
            self.net.setStyleSheet(f"color: {color};")
            self.score.setText(f"Scorecard: {header.score}" if header.score else "")
            self.flags.setText(f"Flags: {header.flags}" if header.flags else "No flags")
        self._refresh_strip()
        self.lines.set_table(p.partner_lines())
        self.milestones.set_table(p.partner_milestones())
        self.figures.set_table(p.partner_key_figures())
        self.scorecard.set_table(p.partner_scorecard())

    def _refresh_strip(self) -> None:
        """The statement's sections and their subtotals, as a row of key numbers."""
        while self.strip.count():
            item = self.strip.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        for subtotal in self.presenter.partner_subtotals():
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(2)
            name = label(subtotal.section, "kpiLabel")
            value = label(subtotal.amount, "kpiValue")
            value.setFont(tabular_font(value.font()))
            value.setStyleSheet(f"color: {NEGATIVE};" if subtotal.negative else "")
            name.setAlignment(Qt.AlignmentFlag.AlignRight)
            value.setAlignment(Qt.AlignmentFlag.AlignRight)
            layout.addWidget(name)
            layout.addWidget(value)
            if subtotal.last:  # last period beside this one
                last = label(subtotal.last, "kpiLabel")
                last.setAlignment(Qt.AlignmentFlag.AlignRight)
                layout.addWidget(last)
            layout.addStretch(1)
            self.strip.addWidget(box)

    def _participant_changed(self, index: int) -> None:
        pid = self.participant.itemData(index)
        if isinstance(pid, str):
            self.presenter.select(pid)

    def _summary_activated(self, row: int) -> None:
        """Double-click a participant in the summary: open its partner view."""
        table = self.presenter.summary()
        if 0 <= row < len(table.rows) and table.rows[row].key:
            self.presenter.select(table.rows[row].key)
            self.tabs.setCurrentIndex(1)
