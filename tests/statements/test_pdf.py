"""PDF statements (outputs.md, "PDF"): written beside the workbooks by every close,
the same amounts in the same order of sections, embedded fonts, page "x of y" and
a DRAFT watermark on drafts only. Read back with poppler's pdftotext/pdffonts."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.core.records import HOST
from partnerclose.pipeline import NO_PDF_WRITERS, Status, run_close
from partnerclose.statements.data import statement_fill
from partnerclose.statements.pdf import amount_text, render_pdf
from partnerclose.statements.writers import render_statements
from tests.statements.conftest import PERIOD, DemoClose

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, "-raw", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def workbook_amounts(path: Path) -> list[str]:
    """The net, then every number of the amount column (K), top to bottom, as printed."""
    ws = load_workbook(path)["Statement"]
    assert isinstance(ws, Worksheet)
    found = [amount_text(Decimal(str(ws["G10"].value)))]
    for row in range(11, ws.max_row + 1):
        value = ws[f"K{row}"].value
        if isinstance(value, int | float) and not isinstance(value, bool):
            found.append(amount_text(Decimal(str(value))))
    return found


@pytest.fixture(scope="module")
def written(demo: DemoClose, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    render_statements(demo.context, out, workers=1)
    return out


def test_every_pdf_has_every_amount_of_its_workbook_in_the_same_order(
    demo: DemoClose, written: Path
) -> None:
    partners = [p for p in demo.context.result.participants if p != HOST]
    assert len(partners) == 11
    for pid in partners:
        text = pdf_text(written / f"{pid}.pdf")
        amounts = workbook_amounts(written / f"{pid}.xlsx")
        assert len(amounts) > 10, pid
        position = 0
        for amount in amounts:
            found = text.find(amount, position)
            assert found >= 0, (pid, amount, text[position : position + 400])
            position = found + len(amount)
    p001 = pdf_text(written / "P001.pdf")
    assert "USD 32,845.00" in p001
    assert "12,000.00 × 245 ÷ 1,641.6 seats" in p001  # real text: it can be copied
    assert "We will pay USD 32,845.00 to your account ending 1900 by 30 November 2026." in p001


def test_a_draft_has_a_watermark_and_pages_are_numbered(written: Path) -> None:
    path = written / "P001.pdf"
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert pages >= 2
    for page in range(1, pages + 1):
        text = pdf_text(path, "-f", str(page), "-l", str(page))
        assert f"Page {page} of {pages}" in text
        assert "DRAFT" in text.replace("D R A F T", "DRAFT")
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows
    assert all(row.split()[-5] == "yes" for row in rows), fonts.stdout  # every font embedded


def test_a_final_statement_has_no_watermark(demo: DemoClose, tmp_path: Path) -> None:
    final = dataclasses.replace(demo.context, final=True)
    path = tmp_path / "P001.pdf"
    path.write_bytes(render_pdf(statement_fill(final, "P001")))
    text = pdf_text(path)
    assert "FINAL" in text
    assert "DRAFT" not in text
    assert "Page 1 of" in text


def test_a_logo_is_placed_when_the_program_names_one(demo: DemoClose, tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (240, 72), (31, 56, 100)).save(logo)
    fill = statement_fill(demo.context, "P001")
    with_logo, without = render_pdf(fill, logo), render_pdf(fill)
    assert b"/Subtype /Image" in with_logo
    assert b"/Subtype /Image" not in without


def test_no_pdf_writes_workbooks_only(demo: DemoClose, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    shutil.copytree(demo.folder, folder, ignore=shutil.ignore_patterns("close-*", "*.sqlite*"))
    program = next(folder.glob("*.xlsx"))
    outcome = run_close(program, PERIOD, out=tmp_path / "out", writers=NO_PDF_WRITERS)
    assert outcome.status is Status.CLOSED, outcome.message
    names = {p.suffix for p in (tmp_path / "out" / "statements").iterdir()}
    assert names == {".xlsx"}


def test_a_font_subset_built_once_embeds_the_same_bytes_as_reportlab_s_own(
    demo: DemoClose,
) -> None:
    """The subsets are built once per process (pdf.py `_cache_subsets`); a statement
    drawn with them is byte for byte the one ReportLab's own subsetting gives."""
    from partnerclose.statements import pdf

    fills = [statement_fill(demo.context, pid) for pid in ("P001", "P004", "P006")]
    cached = [render_pdf(fill) for fill in fills]
    faces = [font.face for font in pdf._FONT_OBJECTS.values()]
    kept = [face.makeSubset for face in faces]
    try:
        for face in faces:
            del face.makeSubset  # ReportLab's method again
        assert [render_pdf(fill) for fill in fills] == cached
    finally:
        for face, make in zip(faces, kept, strict=True):
            face.makeSubset = make
