"""The Review view: summary, one partner in detail, pools and reserve, exceptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from desktop.presenters.formatting import (
    money,
    number,
    participant_label,
)
from desktop.presenters.problems import problems_table
from desktop.presenters.review_tables import (
    figure_label,
    key_figures_table,
    lines_table,
    milestones_table,
    pools_table,
    reserve_accounts_table,
    reserve_table,
    scorecard_table,
    sections_table,
    summary_table,
)
from desktop.presenters.session import Change, Session
from desktop.presenters.table import (
    EMPTY_TABLE,
    DisplayTable,
    Tone,
)
from partnerclose.api import (
    HOST,
    CloseResult,
    Component,
)


class ReviewView(Protocol):
    """What the review presenter needs of its view."""

    def refresh(self) -> None:
        """Redraw the page from the presenter."""


@dataclass(frozen=True, slots=True)
class Subtotal:
    """One section's subtotal on a partner's page, with last period's and the change."""

    section: str
    amount: str
    negative: bool
    last: str = ""  # "last period -3,000.00, change -832.03"


@dataclass(frozen=True, slots=True)
class PartnerHeader:
    """The head of a partner's page: who, the net and its direction, score and flags."""

    title: str  # "P001 · Acme Analytics"
    net: str  # "32,845.00 USD"
    direction: str  # "Amount payable to the partner"
    negative: bool
    score: str  # "56.8 of 100" or ""
    flags: str  # "renegotiation window" or ""
    other: str = ""  # "= 2,740.00 USD at 1.1 USD per EUR" for a partner in another currency


class ReviewPresenter:
    """The Review page: the close's summary, each participant's lines, pools and reserve."""

    def __init__(self, session: Session) -> None:
        """Follow `session`; the page shows its last close."""
        self.session = session
        self.view: ReviewView | None = None
        self.selected: str = ""
        # partners in another currency show it (rules.md X2); the program currency on request
        self.in_program_currency = False
        session.subscribe(self._changed)

    def bind(self, view: ReviewView) -> None:
        """Attach the view and draw it."""
        self.view = view
        view.refresh()

    def _changed(self, change: Change) -> None:
        if change in (Change.CLOSE, Change.PROGRAM, Change.PERIOD):
            result = self.result()
            if result is None or self.selected not in result.participants:
                partners = [p for p in result.participants if p != HOST] if result else []
                self.selected = partners[0] if partners else (HOST if result else "")
            if self.view is not None:
                self.view.refresh()

    # --- the close being reviewed ----------------------------------------------------

    def result(self) -> CloseResult | None:
        """The last close's result (None before a close)."""
        outcome = self.session.closed
        return outcome.result if outcome is not None else None

    def decimals(self) -> int:
        """The currency's decimals, from the program."""
        return self.session.decimals()

    def currency(self) -> str:
        """The program currency ("" before a close)."""
        outcome = self.session.closed
        if outcome and outcome.inputs and outcome.inputs.program:
            return outcome.inputs.program.settings.currency
        return ""

    def show_program_currency(self, on: bool) -> None:
        """The toggle: every partner's amounts in the program currency, or each in its own."""
        if on != self.in_program_currency:
            self.in_program_currency = on
            if self.view is not None:
                self.view.refresh()

    def rates_note(self) -> str:
        """The closing rates the close settled partners at: "Closing rates: 1 EUR = 1.1 USD"."""
        result = self.result()
        if result is None:
            return ""
        program = self.currency()
        rates = {
            r.currency: r.rate
            for r in result.settlement.values()
            if r.currency and r.currency != program
        }
        if not rates:
            return ""
        shown = "; ".join(
            f"1 {code} = {rate.normalize():f} {program}" for code, rate in sorted(rates.items())
        )
        return f"Closing rates of {self.session.period}: {shown}."

    def headline(self) -> str:
        """What the page says over the summary, or what to do first."""
        outcome = self.session.closed
        if outcome is None or outcome.result is None:
            if self.session.is_open:
                return f"No close of {self.session.period} yet: run a draft close to review it."
            return "Open a program workbook and run a close to review it."
        return self.session.problems_note

    def amounts_note(self) -> str:
        """How to read the amounts: the currency and the sign."""
        currency = self.currency()
        sign = (
            "+ payable to the participant, − due from it; components without an amount are left out"
        )
        return f"Amounts in {currency}; {sign}." if currency else f"Amounts: {sign}."

    # --- tables --------------------------------------------------------------------------

    def summary(self) -> DisplayTable:
        """One row per participant: its net and a column per component."""
        result = self.result()
        if result is None:
            return EMPTY_TABLE
        return summary_table(result, self.session.partner_names(), self.decimals())

    def participants(self) -> list[tuple[str, str]]:
        """The participants of the close, with their labels, in participant order."""
        result = self.result()
        if result is None:
            return []
        names = self.session.partner_names()
        return [(p, participant_label(p, names)) for p in result.participants]

    def select(self, participant: str) -> None:
        """Show the page of `participant`."""
        if participant != self.selected:
            self.selected = participant
            if self.view is not None:
                self.view.refresh()

    def partner_header(self) -> PartnerHeader | None:
        """The head of the selected participant's page (None when none is selected)."""
        result = self.result()
        if result is None or not self.selected:
            return None
        pid = self.selected
        net = result.net(pid)
        currency = self.currency()
        text = money(abs(net), self.decimals()) + (f" {currency}" if currency else "")
        other = ""
        rate = result.settlement_of(pid)
        if rate is not None and currency and rate.currency != currency:
            settled = money(abs(result.settlement_net(pid)), rate.decimals) + f" {rate.currency}"
            at = f"at {rate.rate.normalize():f} {currency} per {rate.currency}"
            if self.in_program_currency:
                other = f"= {settled} {at}"
            else:
                text, other = settled, f"= {text} {at}"
        if pid == HOST:
            direction = "Host's net: its share of the pools" if net <= 0 else "Host's net"
        else:
            direction = (
                "Amount payable to the partner" if net >= 0 else "Amount due from the partner"
            )
        card = result.scorecards.scorecards.get(pid)
        score = ""
        flags = ""
        if card is not None:
            score = f"{number(card.score, 1)} of 100" if card.score is not None else "no score"
            flags = ", ".join(card.flags)
            if card.missing:
                missing = ", ".join(figure_label(m) for m in card.missing)
                flags = f"{flags}; " if flags else ""
                flags += f"missing: {missing}"
        return PartnerHeader(
            participant_label(pid, self.session.partner_names()),
            text,
            direction,
            net < 0,
            score,
            flags,
            other,
        )

    def partner_subtotals(self) -> list[Subtotal]:
        """The statement's sections for the selected participant, with their subtotals."""
        result = self.result()
        if result is None or not self.selected:
            return []
        table = sections_table(result, self.selected, self.decimals(), self.last_period())
        return [
            Subtotal(
                row.cells[0].text,
                row.cells[1].text,
                row.cells[1].tone is Tone.NEGATIVE,
                f"last period {row.cells[2].text}, change {row.cells[3].text}",
            )
            for row in table.rows
            if not row.total
        ]

    def partner_lines(self) -> DisplayTable:
        """The selected participant's lines."""
        result = self.result()
        return lines_table(result, self.selected, self.decimals()) if result else EMPTY_TABLE

    def last_period(self) -> Mapping[Component, Decimal]:
        """The selected participant's components in the previous period's final close."""
        outcome = self.session.closed
        return outcome.last_period.get(self.selected, {}) if outcome is not None else {}

    def partner_sections(self) -> DisplayTable:
        """The sections of the selected participant, last period beside this one."""
        result = self.result()
        if result is None:
            return EMPTY_TABLE
        return sections_table(result, self.selected, self.decimals(), self.last_period())

    def partner_milestones(self) -> DisplayTable:
        """M1–M7: the selected partner's milestones."""
        result = self.result()
        return milestones_table(result, self.selected, self.decimals()) if result else EMPTY_TABLE

    def partner_key_figures(self) -> DisplayTable:
        """K1: the selected partner's key figures."""
        result = self.result()
        return key_figures_table(result, self.selected, self.decimals()) if result else EMPTY_TABLE

    def partner_scorecard(self) -> DisplayTable:
        """S1: the selected partner's scorecard."""
        result = self.result()
        return scorecard_table(result, self.selected) if result else EMPTY_TABLE

    def pools(self) -> DisplayTable:
        """N1: one row per pool, whether it reconciles (Σ lines = −(amount − draw))."""
        result = self.result()
        return pools_table(result, self.decimals()) if result else EMPTY_TABLE

    def reserve(self) -> DisplayTable:
        """C8: the reserve's movement over the period."""
        result = self.result()
        return reserve_table(result, self.decimals()) if result else EMPTY_TABLE

    def reserve_accounts(self) -> DisplayTable:
        """C8: each participant's reserve contribution, refund and equity."""
        result = self.result()
        if result is None:
            return EMPTY_TABLE
        return reserve_accounts_table(result, self.session.partner_names(), self.decimals())

    def reserve_note(self) -> str:
        """N1: whether every pool reconciles, in one sentence."""
        result = self.result()
        if result is None:
            return ""
        ok = all(c.difference == 0 for c in result.pool_checks)
        return (
            "Every pool reconciles: Σ lines = −(amount − draw)."
            if ok
            else "A pool does not reconcile: see the Check column."
        )

    def exceptions(self) -> DisplayTable:
        """The close's problems, one row each."""
        outcome = self.session.closed
        return problems_table(outcome.problems) if outcome is not None else problems_table(())

    def counts_text(self) -> str:
        """How many participants and lines the close has."""
        result = self.result()
        if result is None:
            return ""
        return f"{len(result.participants)} participants · {len(result.lines)} lines"
