"""`partnerclose doctor`: is this computer ready to close? Each check is a value.

The checks: the interpreter, the libraries the close imports, the templates, that
Python may start a process, whether Windows Defender's rule "Block all Office
applications from creating child processes" stops Excel from starting Python (the
add-in's button would show Error 70), that the currency data of ISO 4217 is there, and,
for a program workbook, its partner folder and its ledger (writable, readable, not in
a folder OneDrive or SharePoint syncs; a ledger server reachable).
A front end adds its own checks (the Excel add-in: the connection to Excel, the
add-in file). Each check says what it found and, when something is wrong, what to do.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from partnerclose import __version__, sync_folders
from partnerclose.ledger.errors import LedgerRefusedError
from partnerclose.ledger.location import Where, describe_ledger, ledger_location
from partnerclose.reading.fx import currency_codes
from partnerclose.resources import templates_folder

# Defender attack surface reduction: "Block all Office applications from creating child
# processes" (learn.microsoft.com, "Attack surface reduction rules reference").
ASR_OFFICE_CHILD_PROCESSES = "d4f940ab-401b-4efc-aadc-ad5f3c50688a"
ASR_KEYS = (
    r"SOFTWARE\Policies\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules",
    r"SOFTWARE\Microsoft\Windows Defender\Windows Defender Exploit Guard\ASR\Rules",
)
ASR_STATES = {0: "off", 1: "block", 2: "audit", 6: "warn"}
LIBRARIES = ("openpyxl", "python_calamine", "defusedxml", "babel", "psycopg")  # add-in: xlwings
# ISO 4217 minor units a close relies on (rules.md X): none, two and three decimals.
KNOWN_MINOR_UNITS = {"EUR": 2, "JPY": 0, "KWD": 3, "USD": 2}
TEMPLATE_FILES = ("statement.xlsx", "close_pack.xlsx")


class Verdict(StrEnum):
    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True, slots=True)
class Check:
    """One check: what was looked at, what was found, and what to do about it."""

    name: str
    verdict: Verdict
    found: str
    fix: str = ""


def check_interpreter() -> Check:
    version = platform.python_version()
    found = f"Python {version} at {sys.executable}"
    return Check("interpreter", Verdict.OK, found)  # 3.11 at least: the package needs it


def check_imports(libraries: Sequence[str] = LIBRARIES) -> Check:
    versions, missing = [], []
    for name in libraries:
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # any import failure is the finding
            missing.append(f"{name} ({type(exc).__name__}: {exc})")
            continue
        versions.append(f"{name} {getattr(module, '__version__', None) or _version(name)}")
    if missing:
        return Check(
            "imports",
            Verdict.PROBLEM,
            "cannot import " + "; ".join(missing),
            "reinstall PartnerClose (the installer, or pip install partnerclose) into "
            f"{sys.executable}",
        )
    return Check("imports", Verdict.OK, f"partnerclose {__version__}, " + ", ".join(versions))


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name.replace("_", "-"))
    except importlib.metadata.PackageNotFoundError:
        return "?"


def check_templates(folder: Path | None = None) -> Check:
    folder = folder or templates_folder()
    missing = [name for name in TEMPLATE_FILES if not (folder / name).is_file()]
    if missing:
        return Check(
            "templates",
            Verdict.PROBLEM,
            f"{', '.join(missing)} missing in {folder}",
            "reinstall PartnerClose: statements and the close pack are filled from these",
        )
    return Check("templates", Verdict.OK, f"statement and close-pack templates in {folder}")


def check_process() -> Check:
    """Python may start a process (statement workers, the add-in's own start)."""
    try:
        subprocess.run([sys.executable, "-c", "pass"], check=True, timeout=60, capture_output=True)
    except (OSError, subprocess.SubprocessError) as exc:
        return Check(
            "start a process",
            Verdict.PROBLEM,
            f"{sys.executable} could not start itself ({exc})",
            "ask IT to allow this interpreter (antivirus or application control)",
        )
    return Check("start a process", Verdict.OK, f"{Path(sys.executable).name} starts")


def read_asr_rule() -> int | None:
    """The Defender rule's state from the registry (None: not set, or not Windows)."""
    if sys.platform != "win32":
        return None
    import winreg

    for key in ASR_KEYS:
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key) as rules:
                for index in range(winreg.QueryInfoKey(rules)[1]):
                    name, value, _ = winreg.EnumValue(rules, index)
                    if name.lower() == ASR_OFFICE_CHILD_PROCESSES:
                        return int(value)
        except OSError:
            continue
    return None


def check_office_child_processes(read_rule: Callable[[], int | None] = read_asr_rule) -> Check:
    name = "Excel may start Python"
    state = read_rule()
    if state is None:
        return Check(name, Verdict.OK, "Defender's rule against Office child processes is not set")
    shown = ASR_STATES.get(state, f"state {state}")
    found = (
        f"Defender's rule 'Block all Office applications from creating child processes' is {shown}"
    )
    if state in (1, 6):
        return Check(
            name,
            Verdict.PROBLEM,
            found,
            "the Partner Close buttons fail (Error 70): ask IT for the exclusion in "
            "docs/excel-addin-it.md (the PartnerClose interpreter), or use the desktop app",
        )
    return Check(name, Verdict.OK, found)


def check_currency_data(minor_units: Mapping[str, int] | None = None) -> Check:
    """ISO 4217's codes and minor units, from Babel's CLDR data (rules.md X)."""
    name = "currency data"
    units = currency_codes().minor_units if minor_units is None else minor_units
    wrong = {code: units.get(code) for code, want in KNOWN_MINOR_UNITS.items()}
    wrong = {code: got for code, got in wrong.items() if got != KNOWN_MINOR_UNITS[code]}
    if wrong:
        found = ", ".join(
            f"{code} {'missing' if got is None else f'{got} decimals'}"
            for code, got in sorted(wrong.items())
        )
        return Check(
            name,
            Verdict.PROBLEM,
            f"ISO 4217 data is wrong: {found}",
            "reinstall PartnerClose: its currency data (the Babel library) is damaged",
        )
    shown = ", ".join(f"{code} {units[code]}" for code in ("USD", "JPY", "KWD"))
    return Check(
        name, Verdict.OK, f"{len(units)} ISO 4217 currencies from Babel (decimals: {shown})"
    )


def _writable(folder: Path) -> str | None:
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".partnerclose-doctor-"):
            return None
    except OSError as exc:
        return str(exc)


def check_program(
    program: Path,
    roots: Iterable[sync_folders.SyncRoot] | None = None,
    ledger: Where | None = None,
) -> list[Check]:
    """The program workbook's partner folder (by default next to it) and its ledger:
    `ledger`, else PARTNERCLOSE_LEDGER, else the file beside the program."""
    if not program.is_file():
        return [
            Check(
                "program",
                Verdict.PROBLEM,
                f"no file {program}",
                "give the program workbook's path (the folder with its partner folder)",
            )
        ]
    checks = [Check("program", Verdict.OK, str(program))]
    where = ledger_location(program, ledger)
    if isinstance(where, str):
        return [*checks, check_server_ledger(where, program)]
    folder = program.parent
    ledger_file = where
    problem = _writable(folder)
    if problem is not None:
        checks.append(
            Check(
                "ledger",
                Verdict.PROBLEM,
                f"cannot write in {folder} ({problem})",
                "move the program to a folder you may write in: the ledger and the close "
                "folder go next to it",
            )
        )
        return checks
    found = f"{ledger_file} ({'exists' if ledger_file.exists() else 'made at the first close'})"
    root = sync_folders.root_of(program, sync_folders.sync_roots() if roots is None else roots)
    if root is not None:
        checks.append(
            Check(
                "ledger",
                Verdict.WARNING,
                f"{found}, in {root}, a folder OneDrive or SharePoint syncs",
                "an SQLite ledger in a synced folder is safe for one person only (two "
                "people closing at once, or a sync conflict, can damage it); for a team, "
                "keep the ledger on a PostgreSQL server",
            )
        )
    else:
        checks.append(Check("ledger", Verdict.OK, found))
    return checks


def check_server_ledger(url: str, program: Path) -> Check:
    """Whether the ledger server answers, and holds this program's ledger yet."""
    shown = describe_ledger(url)
    try:
        from partnerclose.ledger.postgres import server_has_ledger  # psycopg only when used

        exists = server_has_ledger(url, program.name)
    except LedgerRefusedError as exc:
        return Check(
            "ledger",
            Verdict.PROBLEM,
            str(exc),
            "check the server's address in PARTNERCLOSE_LEDGER or --ledger, that the server "
            "runs, and that your database user may connect; your administrator can help",
        )
    if exists:
        return Check("ledger", Verdict.OK, f"{program.name}'s ledger on {shown}")
    return Check(
        "ledger",
        Verdict.OK,
        f"{shown} answers; it has no ledger for {program.name} yet (the first close, or "
        "`partnerclose ledger-setup` by an administrator, makes it)",
    )


def package_checks(program: Path | None = None, ledger: Where | None = None) -> list[Check]:
    """Every check of the package; the program's when a workbook is given."""
    checks = [
        check_interpreter(),
        check_imports(),
        check_currency_data(),
        check_templates(),
        check_process(),
        check_office_child_processes(),
    ]
    if program is not None:
        checks += check_program(program, ledger=ledger)
    return checks


def report(checks: Sequence[Check], title: str = "PartnerClose doctor") -> str:
    """The checks as text a user can read and send on."""
    problems = sum(check.verdict is Verdict.PROBLEM for check in checks)
    warnings = sum(check.verdict is Verdict.WARNING for check in checks)
    lines = [
        title,
        f"{platform.platform()} · Python {platform.python_version()} · partnerclose {__version__}",
        "",
    ]
    for check in checks:
        lines.append(f"[{check.verdict.value:<7}] {check.name}: {check.found}")
        if check.fix:
            lines.append(f"          what to do: {check.fix}")
    lines += [
        "",
        "Ready." if not problems else f"{problems} problem(s) to fix first.",
    ]
    if warnings:
        lines[-1] += f" {warnings} warning(s)."
    return "\n".join(lines) + "\n"


def healthy(checks: Iterable[Check]) -> bool:
    return all(check.verdict is not Verdict.PROBLEM for check in checks)


def environment_summary(environ: Mapping[str, str] | None = None) -> str:
    """Where OneDrive syncs on this computer (for a report)."""
    roots = sync_folders.sync_roots(os.environ if environ is None else environ)
    return ", ".join(str(root.folder) for root in roots) or "none"


def cmd_doctor(program: str | None, report_path: str | None, ledger: str | None = None) -> int:
    """`partnerclose doctor [PROGRAM] [--ledger PATH-or-URL] [--report FILE]`: 0 when
    ready, 1 otherwise."""
    checks = package_checks(Path(program) if program else None, ledger)
    text = report(checks)
    print(text, end="")
    if report_path:
        Path(report_path).write_text(text, encoding="utf-8")
        print(f"Report written to {report_path}")
    return 0 if healthy(checks) else 1
