"""`partnerclose prepare`: next month's partner workbooks, read back by the product's own
reader; never overwritten; request e-mails as .eml and over a local SMTP server."""

from __future__ import annotations

import copy
from email import message_from_bytes, policy

from openpyxl import load_workbook

from partnerclose.cli import main
from partnerclose.core import schema
from partnerclose.core.period import Period
from partnerclose.reading.inputs import load_inputs
from tests.distribution.test_send import EMAILS, program_sheets
from tests.workbook_files import write_program

NOV = Period(2026, 11)


def program(tmp_path):
    sheets = program_sheets()
    sheets["CostPools"].append(["LAB", "Lab hours", 500, "equal"])
    sheets["Partners"].append(["P004", "Delta Ltd", "Gold", "exited", None])
    sheets["Partners"][0] += ["exit_date"]
    sheets["Partners"][4] += ["2026-06-30"]
    return write_program(tmp_path, copy.deepcopy(sheets), {})


def test_prepare_writes_valid_workbooks_without_example_rows(tmp_path, capsys):
    path = program(tmp_path)
    assert main(["prepare", str(path), "--period", "2026-11"]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "partners"
    names = sorted(p.name for p in folder.glob("*.xlsx"))
    assert names == ["P001_2026-11.xlsx", "P002_2026-11.xlsx", "P003_2026-11.xlsx"]  # P004 exited
    assert "Prepared 2026-11: 3 workbooks written, 0 kept" in out
    book = load_workbook(folder / "P001_2026-11.xlsx")
    keys = {row[0]: row[1] for row in book["Partner"].iter_rows(min_row=2, values_only=True)}
    assert keys["partner_id"] == "P001"
    assert keys["period"] == "2026-11"
    for spec in schema.DATA_SHEETS:
        if spec.name in book.sheetnames:
            assert book[spec.name].max_row == 1, f"{spec.name} keeps an example row"
    lists = {str(v.sqref): v.formula1 for v in book["Usage"].data_validations.dataValidation}
    assert lists == {"A2:A1000": '"CRM"'}  # P001's commitments name CRM only
    products = [v.formula1 for v in book["Deals"].data_validations.dataValidation]
    assert '"Analytics,Core"' in products
    # the product's reader takes them: valid for November, one workbook per partner
    inputs = load_inputs(path, NOV, allow_empty=True)
    errors = [p for p in inputs.problems if p.severity.value == "error"]
    assert errors == []
    assert sorted(s.partner_id for s in inputs.data.submissions) == ["P001", "P002", "P003"]
    assert not any("EXAMPLE-" in p.message for p in inputs.problems)


def test_prepare_never_overwrites(tmp_path, capsys):
    path = program(tmp_path)
    filled = tmp_path / "partners" / "P002_2026-11.xlsx"
    filled.parent.mkdir(parents=True)
    filled.write_bytes(b"the partner's own work")
    assert main(["prepare", str(path), "--period", "2026-11"]) == 0
    assert filled.read_bytes() == b"the partner's own work"
    out = capsys.readouterr().out
    assert "P002: " in out
    assert "kept (it exists; never overwritten)" in out
    assert "2 workbooks written, 1 kept" in out


def test_mail_writes_request_emails_with_the_workbook(tmp_path, capsys):
    path = program(tmp_path)
    assert main(["prepare", str(path), "--period", "2026-11", "--mail"]) == 1  # P003: no address
    out = capsys.readouterr().out
    assert "P003: " in out
    assert "not sent: no e-mail address" in out
    files = sorted((tmp_path / "requests-2026-11").glob("*.eml"))
    assert [f.name for f in files] == ["P001.eml", "P002.eml"]
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == EMAILS["P001"]
    assert message["Subject"] == "Test Program: your partner workbook for 2026-11"
    [part] = list(message.iter_attachments())
    assert part.get_filename() == "P001_2026-11.xlsx"
    assert part.get_content() == (tmp_path / "partners" / "P001_2026-11.xlsx").read_bytes()
    assert "Dear Acme Analytics," in message.get_body(("plain",)).get_content()


def test_mail_over_smtp(tmp_path, smtp, capsys):
    path = program(tmp_path)
    code = main(
        [
            "prepare",
            str(path),
            "--period",
            "2026-11",
            "--smtp",
            smtp.address,
            "--from",
            "f@h.example",
        ]
    )
    assert code == 1  # P003 has no address
    assert sorted(r.message["To"] for r in smtp.received) == [
        "ap@acme.example",
        "billing@beta.example, cfo@beta.example",
    ]
    # a second run writes nothing new and requests nothing again
    assert main(["prepare", str(path), "--period", "2026-11", "--smtp", smtp.address]) == 0
    assert len(smtp.received) == 2


def test_prepare_writes_for_every_partner_taking_part_also_exiting_ones(tmp_path):
    from partnerclose.core.period import Period
    from partnerclose.demo import write_demo
    from partnerclose.preparing import prepare

    program = write_demo(tmp_path / "demo", period=Period(2026, 10))
    for old in (tmp_path / "demo" / "partners").iterdir():
        old.unlink()
    outcome = prepare(program, Period(2026, 11))
    written = sorted(item.partner_id for item in outcome.prepared if item.written)
    # P008 exited in October and winds down for two months (its usage is still shared),
    # P011 exits in November; P012 exited months ago and takes no part
    assert written == [f"P{i:03d}" for i in range(1, 12)]
