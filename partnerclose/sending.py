"""`partnerclose send`: one e-mail per partner with its statement (outputs.md, revision 2).

The messages are built with the standard library's `email` (EmailMessage) from
`templates/statement_email.txt`, for the period's final close (its latest draft
with `draft`), and either written as `.eml` files into `<close folder>/emails/`
or sent over SMTP (`smtplib`: STARTTLS when the server offers it, or implicit TLS).

Every message is recorded in the ledger as it goes (ledger schema 7): an
`attempt` is committed before a message is handed to the server, and its `sent` or
`failed` after it (together with the next message's attempt: one commit a message).
A partner whose statement of that run was sent, or whose
attempt has no outcome (a kill between handing over and recording), is not sent
again without `resend`; a run that stopped midway is simply run again.

SMTP credentials come only from PARTNERCLOSE_SMTP_USER and PARTNERCLOSE_SMTP_PASSWORD;
they are never printed, logged, recorded or put into an error message, and never sent
over a connection without TLS except to this computer (localhost).
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid
from enum import StrEnum
from pathlib import Path

from partnerclose.core.currency import settlement_rates
from partnerclose.core.messages import STATEMENT_FIELDS, MessageText, render
from partnerclose.core.money import round_money
from partnerclose.core.payment import due_date, statement_number
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, has_errors
from partnerclose.core.records import HOST, Partner, Program
from partnerclose.ledger.location import ledger_exists, ledger_location, open_ledger
from partnerclose.ledger.store import Ledger, LedgerRefusedError, RunInfo, SendRecord
from partnerclose.output_folder import EMAILS_FOLDER
from partnerclose.reading.inputs import read_program_file
from partnerclose.resources import templates_folder

USER_VARIABLE = "PARTNERCLOSE_SMTP_USER"
PASSWORD_VARIABLE = "PARTNERCLOSE_SMTP_PASSWORD"
SENDER_VARIABLE = "PARTNERCLOSE_SMTP_FROM"
STATEMENT_TEMPLATE = "statement_email.txt"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
SMTP_TIMEOUT = 60.0


class SendError(Exception):
    """The whole run cannot go on (no close to send, a server that refuses us)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Result(StrEnum):
    SENT = "sent"
    WRITTEN = "written"  # an .eml file
    SKIPPED = "skipped"  # sent before (use resend)
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class PartnerResult:
    partner_id: str
    result: Result
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One partner's message, built and not yet sent."""

    partner_id: str
    statement: str
    message: EmailMessage
    to: tuple[str, ...]
    cc: tuple[str, ...]
    attachments: tuple[Attachment, ...]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass(frozen=True, slots=True)
class SendPlan:
    """What a send would do: the messages, and the partners that cannot be sent."""

    period: Period
    run: RunInfo
    ledger: Path | str
    folder: Path  # the close's output folder
    messages: tuple[Outgoing, ...]
    errors: tuple[PartnerResult, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def draft(self) -> bool:
        return self.run.kind == "draft"


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool = False  # --smtp-ssl (port 465)

    @classmethod
    def parse(cls, text: str, implicit_tls: bool = False) -> SmtpTarget:
        """HOST[:PORT]; the port defaults to 465 with implicit TLS, else 587."""
        host, port = text.split(":") if text.count(":") == 1 else (text, "")
        if not host:
            raise SendError(f'--smtp "{text}": give HOST or HOST:PORT', 2)
        if port and not port.isdigit():
            raise SendError(f'--smtp "{text}": the port must be a number', 2)
        return cls(host, int(port) if port else (465 if implicit_tls else 587), implicit_tls)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class SendOutcome:
    results: tuple[PartnerResult, ...]
    emails: Path | None = None  # the folder of .eml files
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    def count(self, result: Result) -> int:
        return sum(r.result is result for r in self.results)

    @property
    def exit_code(self) -> int:
        """0: all sent or written (or skipped); 2: partners without address or PDF only;
        1: a message failed to go."""
        errors = [r for r in self.results if r.result is Result.ERROR]
        if not errors:
            return 0
        return 2 if all(r.detail.startswith(_INPUT_ERRORS) for r in errors) else 1


_NO_EMAIL = "no e-mail address"
_NO_PDF = "no PDF statement"
_NO_XLSX = "no statement workbook"
_INPUT_ERRORS = (_NO_EMAIL, _NO_PDF, _NO_XLSX)

Progress = Callable[[int, int, str], None]  # (done, total, partner_id)


# --- planning ----------------------------------------------------------------------


def closed_run(ledger: Ledger, period: Period, draft: bool) -> RunInfo:
    """The run whose statements go out: the final close, or with `draft` the latest draft."""
    run = ledger.current_run(period, "final")
    if run is None and draft:
        run = ledger.current_run(period, "draft")
    if run is None:
        what = "no close" if draft else "no final close"
        hint = (
            "close it first"
            if draft
            else "close it with --final first, or send the draft statements with --draft"
        )
        raise SendError(f"period {period} has {what} in the ledger; {hint}", 3)
    return run


def plan_send(
    program_path: Path,
    period: Period,
    *,
    draft: bool = False,
    with_xlsx: bool = False,
    ledger_path: Path | str | None = None,
    sender: str = "",
    template: Path | None = None,
) -> SendPlan:
    """Build every partner's message of the period's close (nothing is sent or written)."""
    where = ledger_location(program_path, ledger_path)
    if not ledger_exists(where, program_path):
        raise SendError(f"period {period} has no close yet (no ledger); close it first", 3)
    try:
        with open_ledger(where, program_path, read_only=True) as ledger:
            run = closed_run(ledger, period, draft)
            lines = ledger.lines(run.run_id)
            # the statement's version: its run's place among the period's final closes
            finals = [r.run_id for r in ledger.final_runs(period)]
            version = finals.index(run.run_id) + 1 if run.run_id in finals else len(finals) + 1
    except LedgerRefusedError as exc:
        raise SendError(str(exc), 3) from exc
    program, problems = read_program_file(program_path)
    template = template or templates_folder() / STATEMENT_TEMPLATE
    if program is None or has_errors(problems):
        return SendPlan(period, run, where, Path(run.output), (), (), tuple(problems))
    try:
        template_text = template.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SendError(f"cannot read the e-mail template {template}: {exc}", 2) from exc
    nets: dict[str, Decimal] = {}
    rates = settlement_rates(program, period)
    for line in lines:
        if line.partner_id != HOST:
            rate = rates.get(line.partner_id)
            amount = line.amount if rate is None else rate.settle(line.amount)
            nets[line.partner_id] = nets.get(line.partner_id, Decimal(0)) + amount
    partners = {p.partner_id: p for p in program.partners}
    folder = Path(run.output)
    messages: list[Outgoing] = []
    errors: list[PartnerResult] = []
    for pid in sorted(nets):
        partner = partners.get(pid)
        if partner is None:
            errors.append(PartnerResult(pid, Result.ERROR, "not in the Partners sheet any more"))
            continue
        built = _outgoing(
            program,
            partner,
            period,
            nets[pid],
            folder,
            with_xlsx,
            sender,
            template_text,
            template,
            version,
        )
        if isinstance(built, PartnerResult):
            errors.append(built)
        elif isinstance(built, list):
            problems += built
            break  # the template is wrong: every message would be
        else:
            messages.append(built)
    if has_errors(problems):
        messages = []
    return SendPlan(period, run, where, folder, tuple(messages), tuple(errors), tuple(problems))


def addresses(text: str) -> tuple[str, ...]:
    """The addresses of a cell: one, or several separated by commas or semicolons."""
    return tuple(addr for _, addr in getaddresses([text.replace(";", ",")]) if "@" in addr)


def _outgoing(
    program: Program,
    partner: Partner,
    period: Period,
    net: Decimal,
    folder: Path,
    with_xlsx: bool,
    sender: str,
    template_text: str,
    template: Path,
    version: int = 1,
) -> Outgoing | PartnerResult | list[Problem]:
    pid = partner.partner_id
    to = addresses(partner.email)
    if not to:
        loc = partner.loc
        where = f" ({loc.file}, {loc.sheet}!{loc.cell('email')})" if loc.file else ""
        return PartnerResult(pid, Result.ERROR, f"{_NO_EMAIL} in the Partners sheet{where}")
    statements = folder / "statements"
    files = [(statements / f"{pid}.pdf", _NO_PDF, "pdf")]
    if with_xlsx:
        files.append((statements / f"{pid}.xlsx", _NO_XLSX, "xlsx"))
    attachments = []
    for path, missing, _ in files:
        try:
            attachments.append(Attachment(path.name, path.read_bytes()))
        except OSError:
            return PartnerResult(
                pid, Result.ERROR, f"{missing} at {path}; run the close of {period} again"
            )
    settings = program.settings
    decimals = settings.decimals
    currency = partner.currency or settings.currency
    due = due_date(period, settings.payment_terms_days)
    number = statement_number(pid, period, version)
    values = {
        "partner_id": pid,
        "partner_name": partner.name,
        "program_name": settings.program_name,
        "period": str(period),
        "net": f"{round_money(abs(net), decimals):,.{decimals}f}",
        "currency": currency,
        "direction": "payable to you" if net >= 0 else "due from you",
        "statement_number": number,
        "due_date": due.isoformat() if due else "",
    }
    assert tuple(values) == STATEMENT_FIELDS
    text, problems = render(template_text, values, str(template))
    if problems:
        return problems
    cc = tuple(a for a in addresses(settings.statement_cc) if a not in to)
    message = build_message(text, sender, to, cc, attachments)
    return Outgoing(pid, number, message, to, cc, tuple(attachments))


_XLSX = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_message(
    text: MessageText,
    sender: str,
    to: Sequence[str],
    cc: Sequence[str],
    attachments: Sequence[Attachment],
) -> EmailMessage:
    """A MIME message from the standard library: text body, files attached."""
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = text.subject
    message["Date"] = formatdate(localtime=True)
    domain = sender.rpartition("@")[2] if "@" in sender else "partnerclose.invalid"
    message["Message-ID"] = make_msgid("statement", domain=domain)
    message.set_content(text.body)
    for item in attachments:
        maintype, subtype = (
            ("application", _XLSX) if item.name.endswith(".xlsx") else ("application", "pdf")
        )
        message.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.name)
    return message


# --- delivering --------------------------------------------------------------------


def _record(plan: SendPlan, item: Outgoing, event: str, via: str, detail: str = "") -> SendRecord:
    return SendRecord(
        plan.run.run_id,
        str(plan.period),
        item.partner_id,
        item.statement,
        event,
        via,
        item.to,
        item.cc,
        item.message_id,
        tuple((a.name, a.sha256) for a in item.attachments),
        detail=detail,
    )


def write_emails(plan: SendPlan, progress: Progress | None = None) -> SendOutcome:
    """Every message as `<close folder>/emails/<partner>.eml` (recorded as 'written')."""
    folder = plan.folder / EMAILS_FOLDER
    results = list(plan.errors)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SendError(f"cannot write the e-mails to {folder}: {exc}") from exc
    with open_ledger(plan.ledger, Path(plan.run.program)) as ledger:
        for done, item in enumerate(plan.messages, start=1):
            path = folder / f"{item.partner_id}.eml"
            partial = path.with_name(path.name + ".partial")
            partial.write_bytes(item.message.as_bytes())
            partial.replace(path)
            ledger.record_send(_record(plan, item, "written", "eml", path.name))
            results.append(PartnerResult(item.partner_id, Result.WRITTEN, str(path)))
            if progress is not None:
                progress(done, len(plan.messages), item.partner_id)
    return SendOutcome(tuple(sorted(results, key=_by_partner)), folder, plan.problems)


def _by_partner(result: PartnerResult) -> str:
    return result.partner_id


def _already(records: Sequence[SendRecord], run_id: int) -> dict[str, SendRecord]:
    """partner -> the last SMTP event of the run's statement (written files do not count)."""
    last: dict[str, SendRecord] = {}
    for found in records:
        if found.run_id == run_id and found.event != "written":
            last[found.partner_id] = found
    return last


def send_smtp(
    plan: SendPlan,
    target: SmtpTarget,
    *,
    resend: bool = False,
    progress: Progress | None = None,
    environ: dict[str, str] | None = None,
) -> SendOutcome:
    """Send the plan's messages over SMTP, recording each as it goes."""
    env = os.environ if environ is None else environ
    user, password = env.get(USER_VARIABLE, ""), env.get(PASSWORD_VARIABLE, "")
    via = f"smtp {target}"
    results = list(plan.errors)
    with open_ledger(plan.ledger, Path(plan.run.program)) as ledger:
        last = _already(ledger.sends(plan.period), plan.run.run_id)
        due: list[Outgoing] = []
        for item in plan.messages:
            before = last.get(item.partner_id)
            if before is not None and not resend and before.event in ("sent", "attempt"):
                results.append(PartnerResult(item.partner_id, Result.SKIPPED, _skip_why(before)))
            else:
                due.append(item)
        if due:
            with Connected(target, user, password) as server:
                results += _deliver(plan, due, server, ledger, via, progress)
    return SendOutcome(tuple(sorted(results, key=_by_partner)), None, plan.problems)


def _skip_why(before: SendRecord) -> str:
    if before.event == "sent":
        return f"sent before ({before.at} by {before.user}); --resend sends it again"
    return (
        f"a send at {before.at} was interrupted while the message was with the server: it "
        "may have arrived; check with the partner, then --resend sends it again"
    )


def _deliver(
    plan: SendPlan,
    due: Sequence[Outgoing],
    server: smtplib.SMTP,
    ledger: Ledger,
    via: str,
    progress: Progress | None,
) -> list[PartnerResult]:
    """Send each message: its attempt is committed before it goes, and its outcome with
    the next message's attempt (one commit per message), or at the end."""
    results: list[PartnerResult] = []
    outcome: list[SendRecord] = []  # the last message's outcome, not yet committed
    try:
        for done, item in enumerate(due, start=1):
            if not item.message["From"]:
                raise SendError(
                    f"no sender address: give --from, or set {SENDER_VARIABLE} (or a "
                    f"{USER_VARIABLE} that is an address)",
                    2,
                )
            ledger.record_send(*outcome, _record(plan, item, "attempt", via))
            outcome = []
            try:
                server.send_message(item.message)
            except smtplib.SMTPRecipientsRefused as exc:  # this message, not the others
                why = "; ".join(
                    f"{addr}: {_server_said(code, text)}"
                    for addr, (code, text) in exc.recipients.items()
                )
                outcome = [_record(plan, item, "failed", via, why)]
                results.append(PartnerResult(item.partner_id, Result.ERROR, f"refused: {why}"))
                continue
            except smtplib.SMTPResponseException as exc:
                why = _server_said(exc.smtp_code, exc.smtp_error)
                outcome = [_record(plan, item, "failed", via, why)]
                results.append(PartnerResult(item.partner_id, Result.ERROR, f"refused: {why}"))
                if exc.smtp_code == 421:  # the server is closing the connection
                    results += _not_sent(due[done:], "the SMTP server closed the connection")
                    return results
                continue
            except (smtplib.SMTPException, OSError) as exc:  # the connection is gone
                why = f"the connection to the SMTP server was lost ({type(exc).__name__})"
                outcome = [_record(plan, item, "failed", via, why)]
                results.append(PartnerResult(item.partner_id, Result.ERROR, f"not sent: {why}"))
                results += _not_sent(due[done:], why)
                return results
            outcome = [_record(plan, item, "sent", via)]
            results.append(PartnerResult(item.partner_id, Result.SENT, ", ".join(item.to)))
            if progress is not None:
                progress(done, len(due), item.partner_id)
    finally:
        if outcome:
            ledger.record_send(*outcome)
    return results


def _not_sent(rest: Sequence[Outgoing], why: str) -> list[PartnerResult]:
    return [
        PartnerResult(item.partner_id, Result.ERROR, f"not sent: {why}; run send again")
        for item in rest
    ]


def _server_said(code: int, text: bytes | str) -> str:
    said = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {said}".strip()


class Connected:
    """An SMTP connection: TLS (implicit, or STARTTLS when offered), then the login."""

    def __init__(self, target: SmtpTarget, user: str, password: str) -> None:
        self.target, self.user, self.password = target, user, password
        self.server: smtplib.SMTP | None = None

    def __enter__(self) -> smtplib.SMTP:
        target = self.target
        context = ssl.create_default_context()
        try:
            if target.implicit_tls:
                server: smtplib.SMTP = smtplib.SMTP_SSL(
                    target.host, target.port, timeout=SMTP_TIMEOUT, context=context
                )
            else:
                server = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT)
            self.server = server
            if server.sock is not None:  # commands are small: do not wait to batch them
                server.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            server.ehlo()
            encrypted = target.implicit_tls
            if not encrypted and server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
                encrypted = True
            if self.user:
                if not encrypted and target.host not in LOCAL_HOSTS:
                    raise SendError(
                        f"the SMTP server {target} offers no STARTTLS: the password would go "
                        "unencrypted; use --smtp-ssl (port 465) or a server that offers TLS"
                    )
                server.login(self.user, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            self._close()
            raise SendError(
                f"the SMTP server {target} refused the user name or password given in "
                f"{USER_VARIABLE} and {PASSWORD_VARIABLE} "
                f"({_server_said(exc.smtp_code, exc.smtp_error)}); nothing was sent"
            ) from None
        except smtplib.SMTPNotSupportedError:
            self._close()
            raise SendError(
                f"the SMTP server {target} does not take a login; unset {USER_VARIABLE} "
                "to send without one"
            ) from None
        except ssl.SSLError as exc:
            self._close()
            raise SendError(
                f"no secure connection to the SMTP server {target} ({exc.reason}); nothing was sent"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._close()
            raise SendError(
                f"cannot connect to the SMTP server {target} ({type(exc).__name__}: "
                f"{exc}); nothing was sent"
            ) from None
        except SendError:
            self._close()
            raise
        return server

    def _close(self) -> None:
        if self.server is not None:
            with suppress(OSError):
                self.server.close()
            self.server = None

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            try:
                self.server.quit()
            except (smtplib.SMTPException, OSError):
                self.server.close()
        self.server = None


def default_sender(environ: dict[str, str] | None = None) -> str:
    """The From address when none is given: PARTNERCLOSE_SMTP_FROM, else an SMTP user
    name that is an address; "" (an .eml file then has no From: the mail program adds it)."""
    env = os.environ if environ is None else environ
    if env.get(SENDER_VARIABLE):
        return env[SENDER_VARIABLE]
    user = env.get(USER_VARIABLE, "")
    return user if "@" in user else ""


def describe(outcome: SendOutcome) -> list[str]:
    """One line per partner, for the command line and the front ends."""
    return [
        f"{r.partner_id}: {r.result.value}{': ' + r.detail if r.detail else ''}"
        for r in outcome.results
    ]
