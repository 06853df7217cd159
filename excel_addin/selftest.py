"""The self-test: `python -m excel_addin.selftest [--out DIR] [--report FILE]`, or the
ribbon's Self-test button.

On a computer with Excel it runs the demo program through the add-in, in Excel, as a
user would: the first click (the Close sheet is added), validate, draft close, the
statements checked against lines.csv, final close, history; then it writes a report
(the computer, the doctor's checks, each step with its outcome and time) that a user
can send to whoever supports PartnerClose. Nothing outside its own folder is touched.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import xlwings as xw

from excel_addin.checks import excel_checks
from excel_addin.control import Outcome, Status
from excel_addin.entry import run
from excel_addin.layout import CLOSE_SHEET, STATEMENT_PREFIX, Action
from partnerclose.api import (
    HOST,
    Ledger,
    Period,
    __version__,
    default_ledger,
    doctor_report,
    write_demo,
)

PARTNERS = 12
DEMO_WORKBOOK = "PartnerClose self-test.xlsx"
TITLE = "Partner Close"


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    passed: bool
    detail: str
    seconds: float


@dataclass(frozen=True, slots=True)
class SelfTest:
    steps: tuple[Step, ...]
    report: str

    @property
    def passed(self) -> bool:
        return all(step.passed for step in self.steps)


def _net_of_lines(lines_csv: Path) -> Decimal:
    with lines_csv.open(encoding="utf-8") as file:
        return sum(
            (Decimal(row["amount"]) for row in csv.DictReader(file) if row["partner_id"] != HOST),
            Decimal(0),
        )


def run_selftest(app: xw.App, folder: Path, today: date | None = None) -> SelfTest:
    """The demo through the add-in in `app`; the demo is written into `folder`."""
    today = today or datetime.now().astimezone().date()
    period = Period.of(today).shift(-1)
    program = write_demo(folder / "demo", partners=PARTNERS, period=period, seed=7)
    # Excel opens no two workbooks of one name, and the user's is often program.xlsx
    program = program.rename(program.with_name(DEMO_WORKBOOK))
    steps: list[Step] = []
    book = app.books.open(str(program))

    def step(name: str, act: Callable[[], Outcome], wanted: Status) -> Outcome:
        started = time.perf_counter()
        outcome = act()
        steps.append(
            Step(
                name,
                outcome.status is wanted,
                f"{outcome.status.value}: {outcome.message}",
                time.perf_counter() - started,
            )
        )
        return outcome

    try:
        step("first click: the Close sheet is added", lambda: run(book, today=today), Status.SET_UP)
        book.sheets[CLOSE_SHEET]["B4"].value = f"'{period}"
        step(
            Action.VALIDATE.value,
            lambda: run(book, action=Action.VALIDATE, today=today),
            Status.VALID,
        )
        outcome = step(
            Action.DRAFT.value, lambda: run(book, action=Action.DRAFT, today=today), Status.CLOSED
        )
        steps.append(_statements_step(book, program, period, outcome))
        step(
            Action.FINAL.value,
            lambda: run(book, action=Action.FINAL, today=today, confirmed=True),
            Status.CLOSED,
        )
        with Ledger(default_ledger(program)) as ledger:
            finals = ledger.final_periods()
        steps.append(
            Step("the ledger locks the period", finals == [str(period)], f"final: {finals}", 0.0)
        )
        step(
            Action.HISTORY.value,
            lambda: run(book, action=Action.HISTORY, today=today),
            Status.LISTED,
        )
    except Exception as exc:  # the report says where it stopped
        steps.append(Step("unexpected error", False, f"{type(exc).__name__}: {exc}", 0.0))
    finally:
        checks = excel_checks(app, book)
        try:
            book.close()
        except Exception as exc:  # the report is written all the same
            steps.append(Step("close the demo workbook", False, str(exc), 0.0))
    return SelfTest(tuple(steps), _report(app, folder, steps, doctor_report(checks, "Checks")))


def _statements_step(book: xw.Book, program: Path, period: Period, draft: Outcome) -> Step:
    folder = program.parent / f"close-{period}"
    files = sorted(path.stem for path in (folder / "statements").glob("*.xlsx"))
    sheets = sorted(
        sheet.name.removeprefix(STATEMENT_PREFIX)
        for sheet in book.sheets
        if sheet.name.startswith(STATEMENT_PREFIX)
    )
    net = _net_of_lines(folder / "lines.csv")
    shown = draft.net.quantize(Decimal("0.01")) if draft.net is not None else None
    passed = bool(files) and files == sheets and draft.statements == len(files) and shown == net
    return Step(
        "statements: one sheet and one file per partner, net as in lines.csv",
        passed,
        f"{len(sheets)} sheets, {len(files)} files, net {shown} (lines.csv {net})",
        0.0,
    )


def _report(app: xw.App, folder: Path, steps: Sequence[Step], checks: str) -> str:
    try:
        excel = f"Excel {app.version}"
    except Exception:  # the report says it could not tell
        excel = "Excel (version unknown)"
    lines = [
        "PartnerClose self-test",
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %z} · {platform.platform()} · {excel}",
        f"Python {platform.python_version()} ({sys.executable}) · partnerclose {__version__} "
        f"· xlwings {xw.__version__}",
        f"Demo written to {folder}",
        "",
    ]
    for item in steps:
        mark = "PASS" if item.passed else "FAIL"
        lines.append(f"[{mark}] {item.name} ({item.seconds:.1f} s): {item.detail}")
    passed = all(item.passed for item in steps)
    lines += ["", "All steps passed." if passed else "Some steps failed: send this report.", ""]
    return "\n".join(lines) + checks


def run_in_excel(book: xw.Book | None = None) -> Path:
    """The Self-test button: in the Excel that called, the report shown and kept."""
    app = (book if book is not None else xw.Book.caller()).app
    folder = Path(tempfile.mkdtemp(prefix="partnerclose-selftest-"))
    result = run_selftest(app, folder)
    path = folder / "selftest-report.txt"
    path.write_text(result.report, encoding="utf-8")
    verdict = "passed" if result.passed else "FAILED"
    app.alert(
        f"The self-test {verdict}. The report is in {path}: send it to whoever supports "
        "PartnerClose.",
        title=TITLE,
        mode="info" if result.passed else "critical",
    )
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m excel_addin.selftest",
        description="Run the demo through the Excel add-in in Excel and write a report.",
    )
    parser.add_argument("--out", type=Path, help="folder for the demo (default: a new temp one)")
    parser.add_argument("--report", type=Path, help="report file (default: in the folder)")
    args = parser.parse_args(argv)
    folder = args.out or Path(tempfile.mkdtemp(prefix="partnerclose-selftest-"))
    folder.mkdir(parents=True, exist_ok=True)
    app = xw.App(visible=False, add_book=False)
    try:
        result = run_selftest(app, folder)
    finally:
        with contextlib.suppress(Exception):  # an Excel that will not quit: the report matters
            app.quit()
    path = args.report or folder / "selftest-report.txt"
    path.write_text(result.report, encoding="utf-8")
    print(result.report, end="")
    print(f"Report written to {path}")
    return 0 if result.passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
