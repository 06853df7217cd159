"""Hostile workbooks: a far cell, lying dimensions and zip sizes, UTF-16 parts,
padded DTDs, cached errors, prefixed elements, odd file names. Each is refused or
read correctly with a located problem, and never costs more than the limits allow."""

from __future__ import annotations

import copy
import os
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from partnerclose.cli import main
from partnerclose.reading.sheet_xml import _parsed, scan_sheet
from partnerclose.reading.xlsx import Limits, load_workbook
from tests.reading.test_security import rewrite_part
from tests.workbook_files import P001, P002, write_program, write_workbook

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
USAGE_PART = "xl/worksheets/sheet2.xml"  # P002.xlsx: Partner, Usage


def sheet(rows: str, *, dimension: str = "A1:B2", ns: str = NS, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}>'
        f'<{p}dimension ref="{dimension}"/><{p}sheetData>{rows}</{p}sheetData></{p}worksheet>'
    ).encode()


@pytest.fixture
def program(tmp_path: Path) -> Path:
    return write_program(tmp_path)


def partner_file(program: Path, name: str = "P002.xlsx") -> Path:
    return program.parent / "partners" / name


def replace_usage(program: Path, xml: bytes) -> Path:
    """P002's Usage sheet replaced by `xml` (P002.xlsx rewritten in place)."""
    source = partner_file(program)
    target = source.with_name("P002.new.xlsx")
    rewrite_part(source, target, USAGE_PART, xml)
    target.replace(source)
    return source


def validate(program: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["validate", str(program), "--period", "2026-10"])
    err = capsys.readouterr().err
    assert "unexpected error" not in err
    return code, err


USAGE_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>pool_id</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>units</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>CRM</t></is></c><c r="B2"><v>200</v></c></row>'
)


# --- 2: a far cell ---------------------------------------------------------------------


def test_a_far_cell_is_refused_before_calamine_builds_the_sheet(program, capsys):
    far = USAGE_ROWS + '<row r="200000"><c r="XFD200000"><v>1</v></c></row>'
    path = replace_usage(program, sheet(far))
    assert path.stat().st_size < 10_000  # a 9.6 KB file asked for 100 GB
    code, err = validate(program, capsys)
    assert code == 2
    assert (
        "P002.xlsx: refused: sheet Usage reaches cell XFD200000 (200,000 rows × 16,384 "
        "columns = 3,276,800,000 cells), over the limit of 20,000,000 cells"
    ) in err


def test_a_far_cell_in_many_partner_files_read_by_workers_is_a_problem_not_a_crash(
    tmp_path, capsys
):
    copies = {f"P{n:03d}": P002 for n in range(2, 20)}  # 19 files: read by worker processes
    program = write_program(tmp_path, partners={"P001": P001, **copies})
    far = USAGE_ROWS + '<row r="10000"><c r="XFD10000"><v>1</v></c></row>'
    replace_usage(program, sheet(far))
    code, err = validate(program, capsys)
    assert code == 2  # not 1, "unexpected error (BrokenProcessPool…)"
    assert "P002.xlsx: refused: sheet Usage reaches cell XFD10000" in err


def test_cells_without_references_are_placed_as_calamine_places_them():
    # Row 3 has no r: it follows row 2; its cells follow each other from A.
    xml = sheet(
        '<row r="2"><c r="C2"><v>1</v></c></row>'
        "<row><c><v>1</v></c><c/><c><v>2</v></c></row>"
        '<row r="7"><c r="B7"/><c><v>1</v></c></row>'
    )
    scan = scan_sheet(xml)
    assert (scan.rows, scan.columns) == (7, 3)  # C2, then A3:C3, then B7 and C7


# --- 3: lying dimensions, prefixed rows ---------------------------------------------------


def test_rows_are_counted_not_taken_from_the_dimension(program, capsys):
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(3, 2_100_001))
    replace_usage(program, sheet(USAGE_ROWS + rows, dimension="A1:J2"))
    code, err = validate(program, capsys)
    assert code == 2
    assert "P002.xlsx: refused: sheet Usage has 2,100,000 rows, over the limit of 2,000,000" in err
    assert len(err.splitlines()) < 10  # one problem, not millions


def test_prefixed_rows_and_cells_count(tmp_path):
    rows = "".join(
        f'<x:row r="{r}"><x:c r="A{r}"><x:v>{r}</x:v></x:c></x:row>' for r in range(1, 151)
    )
    xml = sheet(rows, dimension="A1:A2", prefix="x", ns=NS.replace("xmlns=", "xmlns:x="))
    path = rewrite_part(
        write_workbook(tmp_path / "a.xlsx", {"Usage": [["pool_id"], ["CRM"]]}),
        tmp_path / "b.xlsx",
        "xl/worksheets/sheet1.xml",
        xml,
    )
    loaded, problems = load_workbook(path, limits=Limits(max_rows_per_sheet=100))
    assert loaded is None
    assert [str(p) for p in problems] == [
        "b.xlsx: refused: sheet Usage has 150 rows, over the limit of 100"
    ]


def test_problems_per_file_are_capped_with_a_summary(tmp_path, capsys):
    p002 = copy.deepcopy(P002)
    p002["Usage"] += [["CRM", "lots"]] * 1500  # 1,500 bad cells
    program = write_program(tmp_path, partners={"P001": P001, "P002": p002})
    code, err = validate(program, capsys)
    assert code == 2
    lines = err.splitlines()
    assert sum('units must be a number ≥ 0, got "lots"' in line for line in lines) == 1000
    assert (
        "P002.xlsx: 500 more problems in this file are not listed (the first 1,000 are); "
        "correct those and check the file again"
    ) in lines


# --- 4: UTF-16 parts -------------------------------------------------------------------------


def utf16(xml: bytes, bom: bool = True) -> bytes:
    text = xml.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return text.encode("utf-16" if bom else "utf-16-le")


@pytest.mark.parametrize("bom", [True, False])
def test_utf16_sheets_are_read_with_every_row(program, capsys, bom):
    """P001's Deals sheet in UTF-16: its deal is paid, not dropped in silence."""
    source = partner_file(program, "P001.xlsx")
    with zipfile.ZipFile(source) as book:
        names = book.namelist()
        parts = {n: book.read(n) for n in names}
    recoded = program.parent / "P001.utf16.xlsx"
    with zipfile.ZipFile(recoded, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            data = parts[name]
            target.writestr(name, utf16(data, bom) if name.endswith(".xml") else data)
    recoded.replace(source)
    capsys.readouterr()
    assert main(["close", str(program), "--period", "2026-10"]) == 0
    lines = (program.parent / "close-2026-10" / "lines.csv").read_text()
    assert '2026-10,P001,revenue_share,D1,"Core, sourced",30000,0.1,3000.00,,R3' in lines
    assert "P001,cost_share,CRM,CRM licences (CRM): usage basis,300" in lines


def test_an_unknown_encoding_is_refused_with_its_place(program, capsys):
    xml = sheet(USAGE_ROWS).replace(b'encoding="UTF-8"', b'encoding="X-MAC-KLINGON"')
    replace_usage(program, xml)
    code, err = validate(program, capsys)
    assert code == 2
    assert "P002.xlsx: refused: an XML part is in an encoding PartnerClose cannot read" in err


def test_bytes_that_are_not_utf16_are_refused(program, capsys):
    replace_usage(program, b"\xff\xfe<\x00?\x00\x00\xd8")  # a lone surrogate
    code, err = validate(program, capsys)
    assert code == 2
    assert "P002.xlsx: refused: xl/worksheets/sheet2.xml is not valid UTF-16 text" in err


# --- 8: lying zip sizes, the file's own size ----------------------------------------------


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip `data` with `member`'s uncompressed size declared as `size`."""
    patched = bytearray(data)
    name = member.encode()
    at = 0
    while (at := patched.find(b"PK\x01\x02", at)) >= 0:  # central directory entries
        length = struct.unpack_from("<H", patched, at + 28)[0]
        if patched[at + 46 : at + 46 + length] == name:
            struct.pack_into("<I", patched, at + 24, size)
            offset = struct.unpack_from("<I", patched, at + 42)[0]
            struct.pack_into("<I", patched, offset + 22, size)  # its local header
        at += 4
    return bytes(patched)


def test_a_part_that_declares_less_than_it_holds_is_refused_at_the_limit(tmp_path):
    """40 MB of sheet declared as 8 KB: refused once the limit (10 MB) is inflated,
    with memory bounded by the limit, not by the part."""
    base = write_workbook(tmp_path / "a.xlsx", {"Usage": [["pool_id", "units"], ["CRM", 1]]})
    row = b'<row r="2"><c r="A2"><v>1</v></c></row>'
    big = sheet(USAGE_ROWS).replace(b"</sheetData>", row * 1_000_000 + b"</sheetData>")
    assert len(big) > 35_000_000
    packed = rewrite_part(base, tmp_path / "b.xlsx", "xl/worksheets/sheet1.xml", big)
    packed.write_bytes(declare_size(packed.read_bytes(), "xl/worksheets/sheet1.xml", 8192))
    tracemalloc.start()
    loaded, problems = load_workbook(packed, limits=Limits(max_uncompressed_bytes=10 * 2**20))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert loaded is None
    assert str(problems[0]) == (
        "b.xlsx: refused: the workbook unpacks to more than the limit of 10 MB "
        "(xl/worksheets/sheet1.xml declares 8,192 bytes and holds more)"
    )
    assert peak < 2 * 10 * 2**20 + packed.stat().st_size  # the limit, twice at most


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.xlsx"
    with huge.open("wb") as stream:  # 3 GB, sparse: nothing is written
        stream.write(b"PK\x03\x04")
        stream.truncate(3 * 2**30)
    tracemalloc.start()
    loaded, problems = load_workbook(huge)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert loaded is None
    assert str(problems[0]) == "huge.xlsx: refused: the file is 3,072 MB, over the limit of 200 MB"
    assert peak < 10 * 2**20


# --- 12: DTDs anywhere, cached errors, prefixed formulas -------------------------------------


@pytest.mark.parametrize("part", ["[Content_Types].xml", "docProps/core.xml", "xl/styles.xml"])
@pytest.mark.parametrize("shape", ["padded", "utf16"])
def test_a_dtd_is_refused_in_every_part_however_it_is_hidden(tmp_path, part, shape):
    source = write_workbook(tmp_path / "a.xlsx", P002)
    original = zipfile.ZipFile(source).read(part)
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    if shape == "padded":
        data = b'<?xml version="1.0"?>' + b" " * 5000 + b'<!DOCTYPE x [<!ENTITY e "x">]>' + body
    else:
        data = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "x">]>').encode(
            "utf-16"
        ) + body.decode().encode("utf-16-le")
    bad = rewrite_part(source, tmp_path / "b.xlsx", part, data)
    loaded, problems = load_workbook(bad)
    assert loaded is None
    assert [str(p) for p in problems] == [f"b.xlsx: refused: {part} declares XML entities or a DTD"]


def test_a_cached_error_is_reported_as_an_error_not_as_missing(program, capsys):
    source = partner_file(program, "P001.xlsx")
    xml = zipfile.ZipFile(source).read("xl/worksheets/sheet3.xml")  # Deals
    broken = xml.replace(
        b'<c r="F2" t="n"><v>30000</v></c>', b'<c r="F2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    )
    assert broken != xml
    target = source.with_name("x.xlsx")
    rewrite_part(source, target, "xl/worksheets/sheet3.xml", broken)
    target.replace(source)
    code, err = validate(program, capsys)
    assert code == 2
    assert (
        "P001.xlsx:Deals!F2: amount: the cell holds an error (#DIV/0!); correct its formula in "
        "Excel and save"
    ) in err
    assert "amount is required" not in err


def test_a_prefixed_formula_without_a_saved_value_is_a_formula(tmp_path):
    rows = (
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>pool_id</x:t></x:is></x:c>'
        '<x:c r="B1" t="inlineStr"><x:is><x:t>units</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>CRM</x:t></x:is></x:c>'
        '<x:c r="B2"><x:f>SUM(C1:C9)</x:f></x:c></x:row>'
    )
    xml = sheet(rows, prefix="x", ns=NS.replace("xmlns=", "xmlns:x="))
    assert scan_sheet(xml).uncached == frozenset({(1, 1)})
    assert _parsed(xml).uncached == frozenset({(1, 1)})


def test_the_fast_and_the_exact_pass_agree_on_regular_sheets(tmp_path):
    source = write_workbook(tmp_path / "a.xlsx", P001)
    for name in zipfile.ZipFile(source).namelist():
        if name.startswith("xl/worksheets/"):
            xml = zipfile.ZipFile(source).read(name)
            fast, exact = scan_sheet(xml), _parsed(xml)
            assert (fast.rows, fast.columns) == (exact.rows, exact.columns)


# --- 9: file names that are not text -----------------------------------------------------------


@pytest.mark.skipif(os.name == "nt" or os.uname().sysname == "Darwin", reason="byte file names")
def test_a_partner_file_named_with_bytes_that_are_not_utf8_is_a_warning(program, capsys):
    name = os.fsdecode(b"Acme r\xe9sultats.xlsx")  # é in Latin-1: not UTF-8
    (program.parent / "partners" / name).write_bytes(partner_file(program).read_bytes())
    code, err = validate(program, capsys)
    assert code == 0
    assert (
        "b'Acme r\\xe9sultats.xlsx': warning: the file name is not valid text (bytes that are "
        "not UTF-8); the workbook is not read: rename it"
    ) in err
    capsys.readouterr()
    assert main(["close", str(program), "--period", "2026-10"]) == 0
