"""The add-in's doctor: the package's checks (`partnerclose.doctor`) and Excel's own.

Excel's checks: the connection to Excel (its version and open workbooks), the
xlwings version the add-in's VBA was built for, and the add-in file in Excel's
start-up folder. The ribbon's Check button shows the report in Excel and writes it
to a file the user can send.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import xlwings as xw

from excel_addin.location import LocationError, locate
from partnerclose.api import Check, Verdict, package_checks
from partnerclose.api import doctor_report as report

XLWINGS_VERSION = "0.37.8"  # the add-in's VBA calls its AppleScript file on macOS
REPORT_FILE = Path(tempfile.gettempdir()) / "partnerclose-doctor.txt"
TITLE = "Partner Close"


def check_excel(app: xw.App) -> Check:
    """Excel answers: the COM (Windows) or AppleScript (macOS) connection works."""
    try:
        version = app.version
        books = [book.name for book in app.books]
    except Exception as exc:  # the failure is the finding
        return Check(
            "connection to Excel",
            Verdict.PROBLEM,
            f"Excel did not answer ({type(exc).__name__}: {exc})",
            "close dialogs in Excel and try again; if it persists, restart Excel",
        )
    shown = ", ".join(books) if books else "no workbook open"
    return Check("connection to Excel", Verdict.OK, f"Excel {version}; {shown}")


def check_xlwings_version() -> Check:
    found = xw.__version__
    if found != XLWINGS_VERSION:
        return Check(
            "xlwings",
            Verdict.PROBLEM,
            f"xlwings {found}; the add-in was built for {XLWINGS_VERSION}",
            f"pip install xlwings=={XLWINGS_VERSION} into {sys.executable}",
        )
    return Check("xlwings", Verdict.OK, f"xlwings {found}, as the add-in expects")


def startup_folder() -> Path | None:
    """Excel's user start-up folder, where the installer puts the add-in."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", "")) / "Microsoft" / "Excel" / "XLSTART"
    if sys.platform == "darwin":
        office = Path.home() / "Library/Group Containers/UBF8T346G9.Office"
        return office / "User Content.localized/Startup.localized/Excel"
    return None


def check_addin_file(folder: Path | None = None) -> Check:
    folder = folder or startup_folder()
    if folder is None:
        return Check("add-in file", Verdict.OK, "not a Windows or macOS computer: not looked for")
    addin = folder / "partnerclose_addin.xlam"
    if not addin.is_file():
        return Check(
            "add-in file",
            Verdict.WARNING,
            f"no {addin.name} in {folder}",
            "run the PartnerClose installer again, or install the add-in by hand "
            "(docs/excel-addin.md)",
        )
    return Check("add-in file", Verdict.OK, str(addin))


def excel_checks(app: xw.App, book: xw.Book | None) -> list[Check]:
    """The package's checks (for `book`'s folder when it is known) and Excel's."""
    program: Path | None = None
    checks: list[Check] = []
    if book is not None:
        try:
            program = locate(book).path
        except LocationError as exc:
            checks.append(Check("workbook folder", Verdict.PROBLEM, book.name, str(exc)))
    return [
        *package_checks(program),
        *checks,
        check_excel(app),
        check_xlwings_version(),
        check_addin_file(),
    ]


def show_doctor(book: xw.Book | None = None) -> Path:
    """The Check button: the report in an alert and in REPORT_FILE."""
    book = book if book is not None else xw.Book.caller()
    checks = excel_checks(book.app, book)
    text = report(checks, "PartnerClose check")
    REPORT_FILE.write_text(text, encoding="utf-8")
    bad = [check for check in checks if check.verdict is not Verdict.OK]
    summary = (
        "\n".join(f"{check.name}: {check.found}. {check.fix}" for check in bad)
        or "Everything PartnerClose needs is in place."
    )
    book.app.alert(
        f"{summary}\n\nThe full report is in {REPORT_FILE}.",
        title=TITLE,
        mode="critical" if any(c.verdict is Verdict.PROBLEM for c in bad) else "info",
    )
    return REPORT_FILE
