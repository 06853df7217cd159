"""The pre-compressed zip writer writes what zipfile writes, and a statement package
reuses the parts it compressed only while their content is the same."""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import datetime

import pytest

from partnerclose.statements.data import index_close, statement_fill
from partnerclose.statements.package import DEFAULT_LEVEL, fill_package, load_package
from partnerclose.statements.writers import STATEMENT_TEMPLATE, statement_partners
from partnerclose.statements.zipparts import deflate, write_zip
from tests.statements.conftest import DemoClose
from tests.statements.test_xlsx import data, template_bytes

DATE_TIME = (2026, 11, 2, 9, 30, 0)


def zipfile_bytes(parts: dict[str, bytes], level: int, date_time: tuple[int, ...]) -> bytes:
    """The same parts written the ordinary way, as the XML backend wrote them before."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for name, content in parts.items():
            entry = zipfile.ZipInfo(name, date_time=date_time)  # type: ignore[arg-type]
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content, compresslevel=level)
    return out.getvalue()


PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
    "xl/worksheets/sheet1.xml": b"<worksheet>" + b"<row/>" * 5000 + b"</worksheet>",
    "xl/media/empty.bin": b"",
    "docs/caf\u00e9 \u00fcber.txt": "d\u00e9j\u00e0 vu".encode(),  # a name zip flags as UTF-8
}


@pytest.mark.parametrize("level", [1, 3, 9])
def test_the_archive_is_byte_for_byte_what_zipfile_writes(level: int) -> None:
    written = write_zip([(n, deflate(c, level)) for n, c in PARTS.items()], DATE_TIME)
    assert written == zipfile_bytes(PARTS, level, DATE_TIME)


def test_the_archive_opens_with_zipfile_and_gives_every_part_back() -> None:
    written = write_zip([(n, deflate(c, 3)) for n, c in PARTS.items()], (1980, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert archive.testzip() is None  # every CRC checks
        assert archive.namelist() == list(PARTS)
        for name, content in PARTS.items():
            assert archive.read(name) == content
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.file_size == 11 + 6 * 5000 + 12
        assert info.compress_size < 200  # 5,000 identical rows deflate to almost nothing
        assert info.external_attr == 0o600 << 16


def test_a_deflated_part_is_zlibs_raw_stream_with_the_contents_crc() -> None:
    part = deflate(b"hello hello hello", 6)
    assert part.size == 17
    assert part.crc == zlib.crc32(b"hello hello hello")
    assert zlib.decompress(part.data, -15) == b"hello hello hello"


def test_an_empty_archive_is_an_end_record_alone() -> None:
    assert write_zip([], DATE_TIME) == b"PK\005\006" + bytes(18)
    assert zipfile.ZipFile(io.BytesIO(write_zip([], DATE_TIME))).namelist() == []


# --- a statement package -----------------------------------------------------------------

PRODUCED = datetime(2026, 11, 2, 9, 30)


def test_a_statement_is_the_zip_of_its_parts_as_zipfile_writes_it(demo: DemoClose) -> None:
    template = STATEMENT_TEMPLATE.read_bytes()
    [pid, *_] = statement_partners(demo.context)
    fill = statement_fill(demo.context, pid, index_close(demo.context.result))
    written, _ = fill_package(load_package(template), fill, produced=PRODUCED)
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
        assert archive.testzip() is None
    assert written == zipfile_bytes(parts, DEFAULT_LEVEL, (2026, 11, 2, 9, 30, 0))


def test_parts_are_compressed_again_only_when_their_content_changes() -> None:
    package = load_package(template_bytes())
    sheet = package.sheets[0].part
    fill_package(package, data(2), produced=PRODUCED)
    first = package.deflated[sheet, DEFAULT_LEVEL]
    styles = package.deflated[package.styles_part, DEFAULT_LEVEL]
    fill_package(package, data(2), produced=PRODUCED)  # the same statement again
    assert package.deflated[sheet, DEFAULT_LEVEL][1] is first[1]
    fill_package(package, data(5), produced=PRODUCED)  # three more lines
    again = package.deflated[sheet, DEFAULT_LEVEL]
    assert again[1] is not first[1]
    assert zlib.decompress(again[1].data, -15) == again[0]
    assert again[0].count(b"<row ") == first[0].count(b"<row ") + 3
    # styles.xml is the same in every statement of the same currency: compressed once
    assert package.deflated[package.styles_part, DEFAULT_LEVEL][1] is styles[1]


def test_a_changed_template_is_parsed_and_compressed_anew() -> None:
    template = template_bytes()
    package = load_package(template)
    assert load_package(template) is package  # once per process
    with zipfile.ZipFile(io.BytesIO(template)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = package.sheets[0].part
    assert parts[sheet].count(b"{{ title }}") == 1
    parts[sheet] = parts[sheet].replace(b"{{ title }}", b"Title: {{ title }}")
    other = load_package(zipfile_bytes(parts, 6, DATE_TIME))
    assert other is not package
    edited, _ = fill_package(other, data(1), produced=PRODUCED)
    original, _ = fill_package(package, data(1), produced=PRODUCED)
    with zipfile.ZipFile(io.BytesIO(edited)) as archive:
        assert b"<t>Title: =1+1</t>" in archive.read(sheet)
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        assert b"<t>=1+1</t>" in archive.read(sheet)
        assert b"Title:" not in archive.read(sheet)
