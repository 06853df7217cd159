"""`partnerclose prepare`: next month's partner workbooks, and the e-mails that request them.

For every partner expected to report for the period (active and taking part), its
workbook `<partner folder>/<partner_id>_<YYYY-MM>.xlsx` from the partner template:
the Partner sheet filled in (partner id, period), the example rows removed, and
drop-downs listing its pools (those it has commitments in; all pools when it has
none), the program's products and its milestones' metrics. A file that exists is
never overwritten. With `mail`, a request e-mail per workbook written by this run
(templates/request_email.txt), as `.eml` into `<program folder>/requests-<period>/`
or over SMTP, as `send` does.
"""

from __future__ import annotations

import io
import os
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.core import schema
from partnerclose.core.messages import REQUEST_FIELDS, render
from partnerclose.core.participation import participation
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, has_errors
from partnerclose.core.records import Partner, Program
from partnerclose.reading.inputs import read_program_file
from partnerclose.resources import templates_folder
from partnerclose.sending import (
    PASSWORD_VARIABLE,
    USER_VARIABLE,
    Attachment,
    Connected,
    SendError,
    SmtpTarget,
    addresses,
    build_message,
)

PARTNER_TEMPLATE = "partner_template.xlsx"
REQUEST_TEMPLATE = "request_email.txt"
LAST_ROW = 1000  # drop-downs cover the rows a partner fills in, as in the template
_LIST_LIMIT = 255  # Excel's limit for a drop-down's inline list


@dataclass(frozen=True, slots=True)
class Prepared:
    partner_id: str
    path: Path
    written: bool  # False: the file existed and was kept
    mail: str = ""  # "written <file>", "sent to …", or why not


@dataclass(frozen=True, slots=True)
class PrepareOutcome:
    prepared: tuple[Prepared, ...]
    problems: tuple[Problem, ...] = ()
    requests: Path | None = None  # the folder of request .eml files

    @property
    def exit_code(self) -> int:
        if has_errors(self.problems):
            return 2
        return 1 if any(p.mail.startswith("not sent") for p in self.prepared) else 0


def workbook_name(partner_id: str, period: Period) -> str:
    """The suggested name of a partner workbook (the template's Read me)."""
    return f"{partner_id}_{period}.xlsx"


def _drop_down(sheet: Worksheet, column: str, values: Sequence[str]) -> None:
    header = [cell.value for cell in sheet[1]]
    if column not in header or not values:
        return
    letter = get_column_letter(header.index(column) + 1)
    listed = ",".join(values)
    if len(listed) + 2 > _LIST_LIMIT or any(('"' in v or "," in v) for v in values):
        return  # too long for an inline list: the column is typed in, the reader checks it
    validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
    validation.error = f"Choose one of: {listed}"
    validation.errorTitle = column
    validation.add(f"{letter}2:{letter}{LAST_ROW}")
    sheet.add_data_validation(validation)


def partner_workbook(template: Path, program: Program, partner: Partner, period: Period) -> bytes:
    """The partner's workbook for the period, from the template, as file bytes."""
    book = load_workbook(template)
    keys = book[schema.PARTNER_KEYS.name]
    for row in keys.iter_rows(min_row=2):
        if row[0].value == "partner_id":
            row[1].value = partner.partner_id
        elif row[0].value == "period":
            row[1].value = str(period)
    own = sorted({c.pool_id for c in program.commitments if c.partner_id == partner.partner_id})
    pools = own or sorted(p.pool_id for p in program.pools)
    products = sorted(p.product for p in program.products or ())
    metrics = sorted({m.metric for m in program.milestones if m.partner_id == partner.partner_id})
    for spec in schema.DATA_SHEETS:
        if spec.name not in book.sheetnames:
            continue
        sheet = book[spec.name]
        if sheet.max_row > 1:
            sheet.delete_rows(2, sheet.max_row - 1)  # the example rows
        _drop_down(sheet, "pool_id", pools)
        _drop_down(sheet, "product", products)
        _drop_down(sheet, "metric", metrics)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


Progress = Callable[[int, int, str], None]


def prepare(
    program_path: Path,
    period: Period,
    *,
    mail: bool = False,
    smtp: SmtpTarget | None = None,
    sender: str = "",
    template: Path | None = None,
    progress: Progress | None = None,
) -> PrepareOutcome:
    """Write the period's partner workbooks that do not exist yet; with `mail`, request them."""
    program, problems = read_program_file(program_path)
    if program is None or has_errors(problems):
        return PrepareOutcome((), tuple(problems))
    template = template or templates_folder() / PARTNER_TEMPLATE
    folder = program_path.parent / program.settings.partner_folder
    folder.mkdir(parents=True, exist_ok=True)
    prepared: list[Prepared] = []
    # every partner taking part (outputs.md), also one exiting or winding down: its
    # usage is still shared (rules.md C1)
    partners = [p for p in program.partners if participation(p, period).takes_part]
    for done, partner in enumerate(partners, start=1):
        path = folder / workbook_name(partner.partner_id, period)
        if path.exists():
            prepared.append(Prepared(partner.partner_id, path, written=False))
        else:
            partial = path.with_name(path.name + ".partial")
            partial.write_bytes(partner_workbook(template, program, partner, period))
            try:
                os.link(partial, path)  # never replaces a file that appeared meanwhile
            except FileExistsError:
                prepared.append(Prepared(partner.partner_id, path, written=False))
            else:
                prepared.append(Prepared(partner.partner_id, path, written=True))
            finally:
                partial.unlink(missing_ok=True)
        if progress is not None:
            progress(done, len(partners), partner.partner_id)
    if not mail:
        return PrepareOutcome(tuple(prepared), tuple(problems))
    return _request(program_path, program, period, prepared, smtp, sender, tuple(problems))


def _request(
    program_path: Path,
    program: Program,
    period: Period,
    prepared: list[Prepared],
    smtp: SmtpTarget | None,
    sender: str,
    problems: tuple[Problem, ...],
) -> PrepareOutcome:
    template = templates_folder() / REQUEST_TEMPLATE
    text = template.read_text(encoding="utf-8")
    partners = {p.partner_id: p for p in program.partners}
    requests = program_path.parent / f"requests-{period}"
    messages = []
    results: list[Prepared] = []
    for item in prepared:
        partner = partners[item.partner_id]
        to = addresses(partner.email)
        if not item.written:
            results.append(_with(item, "not requested: the workbook existed before this run"))
            continue
        if not to:
            results.append(_with(item, "not sent: no e-mail address in the Partners sheet"))
            continue
        values = {
            "partner_id": partner.partner_id,
            "partner_name": partner.name,
            "program_name": program.settings.program_name,
            "period": str(period),
            "workbook": item.path.name,
        }
        assert tuple(values) == REQUEST_FIELDS
        filled, found = render(text, values, str(template))
        if found:
            return PrepareOutcome(tuple(prepared), problems + tuple(found))
        attachment = Attachment(item.path.name, item.path.read_bytes())
        cc = tuple(a for a in addresses(program.settings.statement_cc) if a not in to)
        messages.append((item, build_message(filled, sender, to, cc, [attachment])))
    if smtp is None:
        requests.mkdir(parents=True, exist_ok=True)
        for item, message in messages:
            path = requests / f"{item.partner_id}.eml"
            path.write_bytes(message.as_bytes())
            results.append(_with(item, f"written {path}"))
    elif messages:
        if not sender:
            raise SendError("no sender address: give --from (or PARTNERCLOSE_SMTP_FROM)", 2)
        env = os.environ
        with Connected(smtp, env.get(USER_VARIABLE, ""), env.get(PASSWORD_VARIABLE, "")) as server:
            for item, message in messages:
                try:
                    server.send_message(message)
                except (smtplib.SMTPException, OSError) as exc:  # reported per partner
                    results.append(_with(item, f"not sent: {type(exc).__name__}"))
                else:
                    results.append(_with(item, f"sent to {message['To']}"))
    order = {p.partner_id: n for n, p in enumerate(prepared)}
    results.sort(key=lambda p: order[p.partner_id])
    return PrepareOutcome(tuple(results), problems, requests if smtp is None else None)


def _with(item: Prepared, mail: str) -> Prepared:
    return Prepared(item.partner_id, item.path, item.written, mail)
