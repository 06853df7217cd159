"""Send statements, the payment file and next month's workbooks, without Qt.

`SendPresenter` (Export page, "Send statements…"): builds the period's messages
first and shows the first one with the count and the partners that cannot be
sent; then writes the .eml files, or sends over SMTP, off the UI thread with
progress, and lists the result per partner. `payment_files` finds what the final
close wrote for the bank (Export page, "Payment file…"). `PreparePresenter`
(Program page, "Prepare next month…") writes next month's partner workbooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from desktop.presenters.formatting import plural
from desktop.presenters.jobs import CancelToken, Job, JobRunner, Report
from desktop.presenters.session import Session
from desktop.presenters.table import Column, DisplayTable, Row, Tone, text_cell
from partnerclose.api import (
    LedgerRefusedError,
    Period,
    PrepareOutcome,
    ProgressEvent,
    SendError,
    SendOutcome,
    SendPlan,
    SendResult,
    SmtpTarget,
    Stage,
    default_sender,
    plan_send,
    prepare,
    send_smtp,
    write_emails,
)

RESULT_COLUMNS = (Column("Partner"), Column("Result"), Column("Detail", stretch=True))
_TONES = {
    SendResult.SENT: Tone.GOOD,
    SendResult.WRITTEN: Tone.GOOD,
    SendResult.SKIPPED: Tone.MUTED,
    SendResult.ERROR: Tone.ERROR,
}
PAYMENT_FILES = ("payments-sepa.xml", "payments.csv")


class SendView(Protocol):
    """What the send presenter needs of its view."""

    def show_preview(self, preview: Preview) -> None:
        """Show what a send would do before anything goes."""

    def show_progress(self, done: int, total: int, partner: str) -> None:
        """Show how many statement e-mails are done, and the partner being sent."""

    def show_results(self, headline: str, table: DisplayTable) -> None:
        """Show the outcome of the send: a sentence and one row per partner."""

    def show_error(self, title: str, text: str) -> None:
        """Show an error message with its title."""


@dataclass(frozen=True, slots=True)
class Preview:
    """What a send would do: the first message in full, and the counts."""

    count: int  # messages that would go
    kind: str  # "final" or "draft"
    first: str  # the first message: headers, body and attachments, as text
    cannot: tuple[str, ...]  # partners that cannot be sent, and why

    @property
    def headline(self) -> str:
        """The sentence over the preview: how many e-mails, and how many cannot be sent."""
        errors = f"; {plural(len(self.cannot), 'partner')} cannot be sent" if self.cannot else ""
        return f"{plural(self.count, 'statement e-mail')} of the {self.kind} close{errors}."


def message_text(plan: SendPlan) -> str:
    """The first message as a reader sees it (headers, body, attached files)."""
    if not plan.messages:
        return ""
    item = plan.messages[0]
    message = item.message
    lines = [
        f"{name}: {message[name]}" for name in ("From", "To", "Cc", "Subject") if message[name]
    ]
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    files = ", ".join(f"{a.name} ({len(a.data):,} bytes)" for a in item.attachments)
    return "\n".join([*lines, f"Attached: {files}", "", text.rstrip()])


def results_table(outcome: SendOutcome) -> DisplayTable:
    """One row per partner: what became of its statement e-mail, and the detail."""
    return DisplayTable(
        RESULT_COLUMNS,
        tuple(
            Row(
                (
                    text_cell(r.partner_id),
                    text_cell(r.result.value, _TONES[r.result]),
                    text_cell(r.detail),
                ),
                key=r.partner_id,
            )
            for r in outcome.results
        ),
    )


def results_headline(outcome: SendOutcome) -> str:
    """The sentence over the send results: counts by result, and the folder of .eml files."""
    parts = [
        f"{outcome.count(result)} {result.value}" for result in SendResult if outcome.count(result)
    ]
    where = f" ({outcome.emails})" if outcome.emails else ""
    return f"{', '.join(parts) or 'nothing to send'}{where}."


class SendPresenter:
    """Sending the period's statements by e-mail, or writing them as .eml files."""

    def __init__(self, session: Session, runner: JobRunner) -> None:
        """Follow `session`; jobs run through `runner`, off the UI thread in the app."""
        self.session = session
        self.runner = runner
        self.view: SendView | None = None
        self.plan: SendPlan | None = None
        self.outcome: SendOutcome | None = None
        self.busy = False

    def bind(self, view: SendView) -> None:
        """Attach the view."""
        self.view = view

    def preview(self, *, draft: bool = False, with_xlsx: bool = False, sender: str = "") -> bool:
        """Build the messages (nothing is sent); False, with the reason shown, when none."""
        program = self.session.program_path
        if program is None or self.view is None:
            return False
        try:
            self.plan = plan_send(
                program,
                self.session.period,
                draft=draft,
                with_xlsx=with_xlsx,
                ledger_path=self.session.ledger_path(),
                sender=sender or default_sender(),
            )
        except (SendError, LedgerRefusedError) as exc:
            self.view.show_error("Cannot send the statements", str(exc))
            return False
        plan = self.plan
        cannot = tuple(f"{r.partner_id}: {r.detail}" for r in plan.errors) + tuple(
            str(p) for p in plan.problems
        )
        self.view.show_preview(
            Preview(len(plan.messages), plan.run.kind, message_text(plan), cannot)
        )
        return bool(plan.messages)

    def send(self, smtp: str = "", *, smtp_ssl: bool = False, resend: bool = False) -> None:
        """Write the .eml files (no `smtp`) or send over SMTP, off the UI thread."""
        plan = self.plan
        if plan is None or self.busy:
            return
        try:
            target = SmtpTarget.parse(smtp, smtp_ssl) if smtp.strip() else None
        except SendError as exc:
            if self.view is not None:
                self.view.show_error("SMTP server", str(exc))
            return

        def work(report: Report, cancelled: CancelToken) -> SendOutcome:
            def progress(done: int, total: int, partner: str) -> None:
                report(ProgressEvent(Stage.WRITE, done, total, partner))

            if target is None:
                return write_emails(plan, progress)
            return send_smtp(plan, target, resend=resend, progress=progress)

        self.busy = True
        self.runner.start(
            Job("send statements", work, self._done, self._failed, self._progress),
            CancelToken(),
        )

    def _progress(self, event: ProgressEvent) -> None:
        if self.view is not None:
            self.view.show_progress(event.done, event.total, event.partner)

    def _done(self, outcome: Any) -> None:
        self.busy = False
        self.outcome = outcome
        if self.view is not None:
            self.view.show_results(results_headline(outcome), results_table(outcome))

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        if self.view is not None:
            self.view.show_error("The statements were not sent", str(exc))


def payment_files(session: Session) -> list[Path]:
    """The payment files of the period's close folder (a final close writes them)."""
    outcome = session.closed
    folder = outcome.output if outcome is not None and outcome.output else session.output_folder()
    if folder is None:
        return []
    return [folder / name for name in PAYMENT_FILES if (folder / name).is_file()]


def payment_message(session: Session) -> str:
    """Why there is no payment file, or "" when there is one."""
    if payment_files(session):
        return ""
    return (
        f"No payment file for {session.period}: the final close writes payments.csv, and "
        "the SEPA file for EUR payments when the Program names the paying account "
        "(debtor_name, debtor_iban)."
    )


class PrepareView(Protocol):
    """What the prepare presenter needs of its view."""

    def show_prepared(self, headline: str, table: DisplayTable) -> None:
        """Show the partner workbooks prepared: a sentence and one row per partner."""

    def show_error(self, title: str, text: str) -> None:
        """Show an error message with its title."""


PREPARED_COLUMNS = (Column("Partner"), Column("Workbook", stretch=True), Column("Result"))


class PreparePresenter:
    """Next month's partner workbooks (and, with mail, the request .eml files)."""

    def __init__(self, session: Session) -> None:
        """Follow `session`, whose program and period say which workbooks to prepare."""
        self.session = session
        self.view: PrepareView | None = None
        self.outcome: PrepareOutcome | None = None

    def bind(self, view: PrepareView) -> None:
        """Attach the view."""
        self.view = view

    def next_period(self) -> Period:
        """The period the workbooks are prepared for: the month after the chosen one."""
        return self.session.period.shift(1)

    def prepare(self, *, mail: bool = False) -> None:
        """Write next month's partner workbooks (and with `mail`, the request e-mails)."""
        program = self.session.program_path
        if program is None or self.view is None:
            return
        period = self.next_period()
        try:
            outcome = prepare(program, period, mail=mail, sender=default_sender())
        except (SendError, OSError) as exc:
            self.view.show_error("Cannot prepare the workbooks", str(exc))
            return
        self.outcome = outcome
        if outcome.problems:
            self.view.show_error(
                "Cannot prepare the workbooks", "\n".join(str(p) for p in outcome.problems)
            )
            return
        rows = tuple(
            Row(
                (
                    text_cell(item.partner_id),
                    text_cell(str(item.path)),
                    text_cell(
                        ("written" if item.written else "kept (it exists)")
                        + (f"; {item.mail}" if item.mail else ""),
                        Tone.GOOD if item.written else Tone.MUTED,
                    ),
                ),
                key=item.partner_id,
            )
            for item in outcome.prepared
        )
        written = sum(item.written for item in outcome.prepared)
        headline = (
            f"{period}: {plural(written, 'workbook')} written, "
            f"{len(outcome.prepared) - written} kept."
        )
        self.view.show_prepared(headline, DisplayTable(PREPARED_COLUMNS, rows))
