"""`partnerclose send` against a real SMTP server on localhost (aiosmtpd), and as .eml files."""

from __future__ import annotations

import copy
import csv
import hashlib
from decimal import Decimal as D
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from partnerclose.cli import main
from partnerclose.core.period import Period
from partnerclose.ledger.location import ledger_location, open_ledger
from partnerclose.pipeline import Status, run_close
from tests.distribution.conftest import write_pdfs
from tests.workbook_files import P001, P002, PROGRAM, write_program

# the local test server takes a login without TLS (sending.py allows that to localhost only)
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

OCT = Period(2026, 10)
CC = "partner-finance@host.example"
EMAILS = {"P001": "ap@acme.example", "P002": "billing@beta.example; cfo@beta.example"}


def program_sheets(with_cc: bool = True) -> dict:
    sheets = copy.deepcopy(PROGRAM)
    if with_cc:
        sheets["Program"].append(["statement_cc", CC])
    sheets["Program"].append(["payment_terms_days", 30])
    sheets["Partners"] = [
        ["partner_id", "name", "plan", "status", "email"],
        ["P001", "Acme Analytics", "Gold", "active", EMAILS["P001"]],
        ["P002", "Beta Systems", "Gold", "active", EMAILS["P002"]],
        ["P003", "Gamma Labs", "Gold", "active", None],  # no address: an error of send
    ]
    sheets["Commitments"].append(["P003", "CRM", 100])
    return sheets


P003 = {
    "Partner": [["key", "value"], ["partner_id", "P003"], ["period", "2026-10"]],
    "Usage": [["pool_id", "units"], ["CRM", 50]],
}


def closed(tmp_path: Path, final: bool = True, pdfs: tuple[str, ...] = ("P001", "P002", "P003")):
    program = write_program(tmp_path, program_sheets(), {"P001": P001, "P002": P002, "P003": P003})
    outcome = run_close(program, OCT, final=final)
    assert outcome.status is Status.CLOSED, outcome.message
    assert outcome.output is not None
    return program, outcome.output, write_pdfs(outcome.output, list(pdfs))


def nets(folder: Path) -> dict[str, D]:
    """Each partner's net, summed from the close's own lines.csv."""
    found: dict[str, D] = {}
    with (folder / "lines.csv").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            found[row["partner_id"]] = found.get(row["partner_id"], D(0)) + D(
                row["settlement_amount"]
            )
    return found


def sends(program: Path):
    with open_ledger(ledger_location(program), program, read_only=True) as ledger:
        return ledger.sends(OCT)


def send(program: Path, *extra: str) -> int:
    return main(["send", str(program), "--period", "2026-10", *extra])


def attachment(message) -> tuple[str, bytes]:
    [part] = list(message.iter_attachments())
    return part.get_filename(), part.get_content()


def test_one_message_per_partner_to_its_address_with_its_pdf(tmp_path, smtp, capsys):
    program, folder, pdfs = closed(tmp_path)
    code = send(program, "--smtp", smtp.address, "--from", "finance@host.example")
    out, err = capsys.readouterr()
    assert code == 2  # P003 has no address; the others went
    assert "P003: error: no e-mail address in the Partners sheet" in out
    assert "program.xlsx, Partners!E4" in out  # the empty cell
    assert "1 partner not sent" in err
    by_to = {tuple(r.recipients): r for r in smtp.received}
    assert set(by_to) == {
        ("ap@acme.example", CC),
        ("billing@beta.example", "cfo@beta.example", CC),
    }
    net = nets(folder)
    for pid, recipients in (("P001", ("ap@acme.example", CC)), ("P002", by_to.keys())):
        received = next(r for r in smtp.received if r.message["To"].startswith(EMAILS[pid][:5]))
        message = received.message
        assert message["Cc"] == CC
        assert message["From"] == "finance@host.example"
        assert message["Subject"] == f"Test Program: statement {pid}-2026-10-1 for 2026-10"
        name, data = attachment(message)
        assert name == f"{pid}.pdf"
        assert hashlib.sha256(data).hexdigest() == hashlib.sha256(pdfs[pid]).hexdigest()
        body = message.get_body(("plain",)).get_content()
        shown = f"{abs(net[pid]):,.2f}"
        direction = "payable to you" if net[pid] >= 0 else "due from you"
        assert f"Net for the period: {shown} USD, {direction}." in body
        assert "Due date: 2026-11-30" in body  # 31 October + 30 days
        assert recipients
    records = [r for r in sends(program) if r.event == "sent"]
    assert [r.partner_id for r in records] == ["P001", "P002"]
    first = records[0]
    assert first.to == ("ap@acme.example",)
    assert first.cc == (CC,)
    assert first.statement == "P001-2026-10-1"
    assert first.attachments == (("P001.pdf", hashlib.sha256(pdfs["P001"]).hexdigest()),)
    sent_ids = {r.message["Message-ID"] for r in smtp.received}
    assert {r.message_id for r in records} == sent_ids
    assert first.via == f"smtp {smtp.address}"
    assert first.user
    assert first.at


def test_a_second_send_sends_nothing_and_resend_sends_again(tmp_path, smtp, capsys):
    program, _, _ = closed(tmp_path, pdfs=("P001", "P002"))
    args = ("--smtp", smtp.address, "--from", "finance@host.example")
    send(program, *args)
    assert len(smtp.received) == 2
    capsys.readouterr()
    send(program, *args)
    out, _ = capsys.readouterr()
    assert len(smtp.received) == 2  # nothing sent twice
    assert "P001: skipped: sent before" in out
    send(program, *args, "--resend")
    assert len(smtp.received) == 4
    assert [r.event for r in sends(program) if r.partner_id == "P001"] == [
        "attempt",
        "sent",
        "attempt",
        "sent",
    ]


def test_the_server_stopped_midway_leaves_the_sent_recorded_and_a_rerun_sends_the_rest(
    tmp_path, smtp
):
    from partnerclose.sending import Result, SmtpTarget, plan_send, send_smtp

    sheets = program_sheets()
    sheets["Partners"][3][4] = "ops@gamma.example"  # all three have an address
    program = write_program(tmp_path, sheets, {"P001": P001, "P002": P002, "P003": P003})
    outcome = run_close(program, OCT, final=True)
    write_pdfs(outcome.output, ["P001", "P002", "P003"])
    target = SmtpTarget.parse(smtp.address)

    def stop_after_first(done, total, partner):
        if done == 1:
            smtp.stop()  # the server goes away after the first message

    plan = plan_send(program, OCT, sender="finance@host.example")
    first = send_smtp(plan, target, progress=stop_after_first, environ={})
    assert [(r.partner_id, r.result) for r in first.results] == [
        ("P001", Result.SENT),
        ("P002", Result.ERROR),
        ("P003", Result.ERROR),
    ]
    assert "connection to the SMTP server was lost" in first.results[1].detail
    assert [(r.partner_id, r.event) for r in sends(program)] == [
        ("P001", "attempt"),
        ("P001", "sent"),
        ("P002", "attempt"),
        ("P002", "failed"),
    ]
    assert [r.message["To"] for r in smtp.received] == ["ap@acme.example"]
    smtp.start()  # the server is back
    second = send_smtp(plan_send(program, OCT, sender="finance@host.example"), target, environ={})
    assert [(r.partner_id, r.result) for r in second.results] == [
        ("P001", Result.SKIPPED),
        ("P002", Result.SENT),
        ("P003", Result.SENT),
    ]
    assert sorted(r.message["To"] for r in smtp.received) == [
        "ap@acme.example",
        "billing@beta.example, cfo@beta.example",
        "ops@gamma.example",
    ]  # each partner exactly once


def test_an_attempt_without_outcome_is_not_sent_again_without_resend(tmp_path, smtp):
    """A kill between handing a message to the server and recording it: the attempt is
    in the ledger, and a rerun does not send that partner twice."""
    from partnerclose.ledger.store import SendRecord
    from partnerclose.sending import Result, SmtpTarget, plan_send, send_smtp

    program, _, _ = closed(tmp_path, pdfs=("P001", "P002"))
    plan = plan_send(program, OCT, sender="finance@host.example")
    item = plan.messages[0]
    with open_ledger(ledger_location(program), program) as ledger:
        ledger.record_send(
            SendRecord(
                plan.run.run_id, "2026-10", item.partner_id, item.statement, "attempt",
                "smtp", item.to, item.cc, item.message_id, (),
            )
        )  # fmt: skip
    outcome = send_smtp(plan, SmtpTarget.parse(smtp.address), environ={})
    assert [(r.partner_id, r.result) for r in outcome.results] == [
        ("P001", Result.SKIPPED),
        ("P002", Result.SENT),
        ("P003", Result.ERROR),  # no address
    ]
    assert "may have arrived" in outcome.results[0].detail
    assert [r.message["To"] for r in smtp.received] == [EMAILS["P002"].replace(";", ",")]


def test_wrong_credentials_give_a_clear_error_and_the_password_appears_nowhere(
    tmp_path, smtp_with_login, capsys, monkeypatch
):
    program, _, _ = closed(tmp_path, pdfs=("P001", "P002"))
    monkeypatch.setenv("PARTNERCLOSE_SMTP_USER", "finance")
    monkeypatch.setenv("PARTNERCLOSE_SMTP_PASSWORD", "Wrong-Pa55word")
    code = send(program, "--smtp", smtp_with_login.address, "--from", "finance@host.example")
    out, err = capsys.readouterr()
    assert code == 1
    assert "refused the user name or password given in PARTNERCLOSE_SMTP_USER" in err
    assert "nothing was sent" in err
    assert smtp_with_login.received == []
    assert sends(program) == []
    ledger_bytes = ledger_location(program).read_bytes()
    for text in (out, err):
        assert "Wrong-Pa55word" not in text
    assert b"Wrong-Pa55word" not in ledger_bytes
    log = Path.home() / ".partnerclose" / "error.log"
    assert not log.exists() or "Wrong-Pa55word" not in log.read_text(encoding="utf-8")
    # the right password: sent, and it is not in the ledger either
    monkeypatch.setenv("PARTNERCLOSE_SMTP_PASSWORD", "s3cret-Pa55")
    assert send(program, "--smtp", smtp_with_login.address, "--from", "f@host.example") == 2
    assert len(smtp_with_login.received) == 2
    assert b"s3cret-Pa55" not in ledger_location(program).read_bytes()
    assert "s3cret-Pa55" not in "".join(capsys.readouterr())


def test_eml_files_parse_and_carry_the_attachment(tmp_path, capsys):
    program, folder, pdfs = closed(tmp_path, pdfs=("P001", "P002"))
    (folder / "statements" / "P003.pdf").unlink(missing_ok=True)
    assert send(program, "--with-xlsx") == 2  # P003: no address
    out, _ = capsys.readouterr()
    files = sorted((folder / "emails").glob("*.eml"))
    assert [f.name for f in files] == ["P001.eml", "P002.eml"]
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == "ap@acme.example"
    assert message["Cc"] == CC
    assert message["From"] is None  # the mail program fills in the sender
    parts = {p.get_filename(): p.get_content() for p in message.iter_attachments()}
    assert set(parts) == {"P001.pdf", "P001.xlsx"}
    assert parts["P001.pdf"] == pdfs["P001"]
    assert parts["P001.xlsx"] == (folder / "statements" / "P001.xlsx").read_bytes()
    assert [(r.partner_id, r.event, r.via) for r in sends(program)] == [
        ("P001", "written", "eml"),
        ("P002", "written", "eml"),
    ]
    assert f"to {folder / 'emails'}" in out


def test_a_partner_without_pdf_is_an_error_and_the_others_go(tmp_path, capsys):
    program, folder, _ = closed(tmp_path, pdfs=("P001",))
    (folder / "statements" / "P002.pdf").unlink(missing_ok=True)  # the close wrote one
    assert send(program) == 2
    out, _ = capsys.readouterr()
    assert "P002: error: no PDF statement at" in out
    assert "run the close of 2026-10 again" in out
    assert [f.name for f in (folder / "emails").glob("*.eml")] == ["P001.eml"]


def test_only_final_statements_unless_draft(tmp_path, capsys):
    program, folder, _ = closed(tmp_path, final=False, pdfs=("P001", "P002"))
    assert send(program) == 3
    assert "has no final close" in capsys.readouterr().err
    assert send(program, "--draft") == 2  # P003 has no address
    assert sorted(f.name for f in (folder / "emails").glob("*.eml")) == ["P001.eml", "P002.eml"]


def test_the_eml_folder_does_not_stop_a_later_close_of_the_period(tmp_path):
    program, folder, _ = closed(tmp_path, final=False, pdfs=("P001", "P002"))
    assert send(program, "--draft") == 2
    for pdf in (folder / "statements").glob("*.pdf"):
        pdf.unlink()  # this test's stand-ins; a close writes its own
    rerun = run_close(program, OCT)  # the draft again: it may replace the e-mails
    assert rerun.status is Status.CLOSED, rerun.message
    assert not (folder / "emails").exists()


def test_an_unknown_placeholder_is_a_located_template_problem(tmp_path, capsys, monkeypatch):
    from partnerclose.sending import plan_send

    program, _, _ = closed(tmp_path, pdfs=("P001", "P002"))
    template = tmp_path / "mail.txt"
    template.write_text("Subject: {period}\n\nDear {partner},\n", encoding="utf-8")
    plan = plan_send(program, OCT, template=template)
    assert plan.messages == ()
    [problem] = plan.problems
    assert problem.cell == "3"
    assert "{partner}, which is not a placeholder" in problem.message


def test_lines_csv_nets_are_what_the_ledger_holds(tmp_path):
    # the body's net (above) comes from the ledger's lines; lines.csv is the close's own
    program, folder, _ = closed(tmp_path)
    with open_ledger(ledger_location(program), program, read_only=True) as ledger:
        [run] = [r for r in ledger.history() if r.kind == "final"]
        totals: dict[str, D] = {}
        for line in ledger.lines(run.run_id):
            totals[line.partner_id] = totals.get(line.partner_id, D(0)) + line.amount
    assert nets(folder) == totals


def test_send_works_the_same_on_both_ledgers(tmp_path, ledger_at, smtp, monkeypatch, capsys):
    from partnerclose.ledger.location import ENVIRONMENT_VARIABLE

    if isinstance(ledger_at, str):
        monkeypatch.setenv(ENVIRONMENT_VARIABLE, ledger_at)  # a team's server
    program, _, _ = closed(tmp_path, pdfs=("P001", "P002"))
    args = ("--smtp", smtp.address, "--from", "finance@host.example")
    assert send(program, *args) == 2  # P003: no address
    assert send(program, *args) == 2
    assert len(smtp.received) == 2  # the second run sent nothing
    with open_ledger(ledger_location(program), program, read_only=True) as ledger:
        events = [(r.partner_id, r.event) for r in ledger.sends(OCT)]
        assert ledger.verify() == []
    assert events == [("P001", "attempt"), ("P001", "sent"), ("P002", "attempt"), ("P002", "sent")]
