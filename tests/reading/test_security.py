"""Untrusted workbooks are refused before parsing, with a clear message."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import pytest

from partnerclose.cli import main
from partnerclose.core.period import Period
from partnerclose.reading.xlsx import Limits, load_workbook
from tests.workbook_files import P002, write_program, write_workbook

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""


def rewrite_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, data if info.filename == part else old.read(info))
    return target


@pytest.fixture
def program(tmp_path: Path) -> Path:
    return write_program(tmp_path)


def validate_with_bad_partner_file(
    program: Path, name: str, data: bytes, capsys
) -> tuple[int, str]:
    (program.parent / "partners" / name).write_bytes(data)
    code = main(["validate", str(program), "--period", "2026-10"])
    return code, capsys.readouterr().err


def test_billion_laughs_is_refused(program, capsys):
    sheet = program.parent / "partners" / "P002.xlsx"
    bomb = rewrite_part(
        sheet, program.parent / "bomb.xlsx", "xl/worksheets/sheet1.xml", BILLION_LAUGHS
    )
    code, err = validate_with_bad_partner_file(program, "P003.xlsx", bomb.read_bytes(), capsys)
    assert code == 2
    assert "P003.xlsx: refused: xl/worksheets/sheet1.xml declares XML entities or a DTD" in err


def test_entities_in_the_workbook_part_are_refused_by_defusedxml(tmp_path):
    source = write_workbook(tmp_path / "a.xlsx", P002)
    original = zipfile.ZipFile(source).read("xl/workbook.xml")
    # A DTD placed after the prolog bytes we scan still meets defusedxml.
    assert not original.startswith(b"<?xml")
    padded = b" " * 5000 + b'<!DOCTYPE x [<!ENTITY e "boom">]>' + original
    bad = rewrite_part(source, tmp_path / "b.xlsx", "xl/workbook.xml", padded)
    loaded, problems = load_workbook(bad)
    assert loaded is None
    assert [str(p) for p in problems] == [
        "b.xlsx: refused: xl/workbook.xml declares XML entities or a DTD"
    ]


def test_too_many_rows_is_refused_before_parsing(program, capsys):
    sheet = program.parent / "partners" / "P002.xlsx"
    data = zipfile.ZipFile(sheet).read("xl/worksheets/sheet2.xml")
    claims = data.replace(b'<dimension ref="A1:B2"', b'<dimension ref="A1:B3000000"')
    assert claims != data
    big = rewrite_part(sheet, program.parent / "big.xlsx", "xl/worksheets/sheet2.xml", claims)
    code, err = validate_with_bad_partner_file(program, "P003.xlsx", big.read_bytes(), capsys)
    assert code == 2
    assert "P003.xlsx: refused: sheet Usage has 3,000,000 rows, over the limit of 2,000,000" in err


def test_over_size_workbook_is_refused(program, capsys):
    sheet = program.parent / "partners" / "P002.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(sheet) as old, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
        new.writestr("xl/media/padding.bin", b"\0" * (201 * 1024 * 1024))
    code, err = validate_with_bad_partner_file(program, "P003.xlsx", buffer.getvalue(), capsys)
    assert code == 2
    assert "P003.xlsx: refused: the workbook unpacks to 201 MB, over the limit of 200 MB" in err


def test_limits_are_configurable(tmp_path):
    path = write_workbook(
        tmp_path / "rows.xlsx", {"Usage": [["pool_id", "units"]] + [["CRM", i] for i in range(10)]}
    )
    loaded, problems = load_workbook(path, limits=Limits(max_rows_per_sheet=5))
    assert loaded is None
    assert "over the limit of 5" in str(problems[0])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (os.urandom(4096), "P003.xlsx: not a readable workbook (not an .xlsx/.xlsm file)"),
        (b"", "P003.xlsx: the file is empty, not a workbook"),
        (b"PK\x03\x04" + os.urandom(200), "P003.xlsx: not a readable workbook (damaged file"),
    ],
)
def test_random_empty_and_damaged_files_are_refused(program, capsys, data, message):
    code, err = validate_with_bad_partner_file(program, "P003.xlsx", data, capsys)
    assert code == 2
    assert message in err


def test_truncated_workbook_is_refused(program, capsys):
    whole = (program.parent / "partners" / "P002.xlsx").read_bytes()
    code, err = validate_with_bad_partner_file(
        program, "P003.xlsx", whole[: len(whole) // 2], capsys
    )
    assert code == 2
    assert "P003.xlsx: not a readable workbook" in err


def test_encrypted_workbook_is_refused(program, capsys):
    plain = program.parent / "partners" / "P002.xlsx"
    encrypted = io.BytesIO()
    with plain.open("rb") as source:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("secret", encrypted)
    code, err = validate_with_bad_partner_file(program, "P003.xlsx", encrypted.getvalue(), capsys)
    assert code == 2
    assert (
        "P003.xlsx: the workbook is password-protected; remove the password in Excel and save again"
    ) in err


def test_encrypted_program_workbook_is_refused(program, capsys):
    encrypted = io.BytesIO()
    with program.open("rb") as source:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("secret", encrypted)
    program.write_bytes(encrypted.getvalue())
    assert main(["validate", str(program), "--period", "2026-10"]) == 2
    assert "program.xlsx: the workbook is password-protected" in capsys.readouterr().err


def test_input_workbooks_are_not_modified(program):
    before = {p: p.read_bytes() for p in program.parent.rglob("*.xlsx")}
    assert main(["validate", str(program), "--period", str(Period(2026, 10))]) == 0
    assert {p: p.read_bytes() for p in program.parent.rglob("*.xlsx")} == before


def test_a_value_that_makes_calamine_panic_is_refused_not_raised(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Usage"
    sheet.append(["pool_id", "units", "date"])
    sheet.append(["CRM", 1, -(10**15)])
    sheet["C2"].number_format = "yyyy-mm-dd"  # a date out of any calendar's range
    book.save(tmp_path / "panic.xlsx")
    loaded, problems = load_workbook(tmp_path / "panic.xlsx")
    assert loaded is None
    assert "panic.xlsx: not a readable workbook (PanicException" in str(problems[0])
