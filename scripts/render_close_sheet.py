"""Render the Excel add-in's Close sheet to pictures: docs/screenshots/close-sheet-*.png.

    .venv/bin/python scripts/render_close_sheet.py

Runs the demo program (seed 7, 12 partners, 2026-10) through the add-in on the test
suite's fake Excel (tests/excel_addin/fake_excel.py): the first click, then a draft
close, then a validate with a planted error. After each, the workbook's Close sheet is
saved alone, converted to PDF by LibreOffice (`soffice --headless`) and rasterised by
`pdftoppm`. Needs LibreOffice and poppler-utils (.ci/run installs them).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the packages importable
    sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402

from excel_addin.entry import run  # noqa: E402
from excel_addin.layout import Action  # noqa: E402
from partnerclose.api import Period  # noqa: E402
from partnerclose.demo import write_demo  # noqa: E402
from tests.excel_addin.fake_excel import install, uninstall  # noqa: E402

PERIOD = Period(2026, 10)
TODAY = date(2026, 11, 5)
OUT = ROOT / "docs" / "screenshots"


def _render(book_path: Path, name: str, work: Path) -> Path:
    """The Close sheet of a saved workbook, alone, as a PNG."""
    workbook = load_workbook(book_path)
    for sheet in list(workbook.worksheets):
        if sheet.title != "Close":
            workbook.remove(sheet)
    close = workbook["Close"]
    close.print_area = "A1:C26"
    close.page_setup.orientation = "landscape"
    close.page_setup.fitToWidth = 1
    close.page_setup.fitToHeight = 1
    close.sheet_properties.pageSetUpPr.fitToPage = True
    alone = work / f"{name}.xlsx"
    workbook.save(alone)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(alone)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    target = OUT / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-singlefile", str(work / f"{name}.pdf"), str(target)],
        check=True,
        timeout=60,
    )
    return target.with_suffix(".png")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        program = write_demo(work / "demo", partners=12, period=PERIOD, seed=7)
        fake = install()
        try:
            book = fake.open(program)
            run(book, today=TODAY)
            close = book.sheets["Close"]
            close["B4"].value = f"'{PERIOD}"
            close["B5"].value = Action.DRAFT.value
            run(book, today=TODAY)
            book.impl.wb.save(work / "closed.xlsx")
            print(_render(work / "closed.xlsx", "close-sheet-closed", work))
            pools = book.sheets["CostPools"]
            header = pools.range("A1:Z1").value
            pools.range((2, header.index("amount") + 1)).value = "a lot"
            close["B5"].value = Action.VALIDATE.value
            run(book, today=TODAY)
            book.impl.wb.save(work / "invalid.xlsx")
            print(_render(work / "invalid.xlsx", "close-sheet-invalid", work))
        finally:
            uninstall(fake)
    return 0


if __name__ == "__main__":
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        raise SystemExit("needs LibreOffice (soffice) and poppler-utils (pdftoppm)")
    raise SystemExit(main())
