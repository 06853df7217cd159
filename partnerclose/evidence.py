"""Evidence of a close (rules.md P0 and P3, outputs.md "Evidence"): its kept inputs
written back out, and a final close recomputed from them and compared line by line.

`export_inputs` writes a run's kept workbooks into a folder laid out as the close
read them: the program workbook at the top, the partner workbooks in the folder
they were in relative to it (else `partners/`), the add-in's workbook as saved in
`saved/`. `verify_period` exports them to a temporary folder, reads and validates
them with the product's reader, computes the period from the ledger's state before
it, and compares every line with the recorded ones.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePath, PureWindowsPath

from partnerclose.collector import collector_paused
from partnerclose.core.close import compute_close
from partnerclose.core.lines import Line
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, has_errors
from partnerclose.ledger.state_codec import load_close_state
from partnerclose.ledger.store import KeptInput, Ledger, LedgerRefusedError, RunInfo
from partnerclose.reading.inputs import read_inputs, validate_inputs

SAVED_FOLDER = "saved"  # the add-in's workbook as saved, beside the values it closed from
PARTNERS_FOLDER = "partners"  # partner workbooks that were not below the program's folder


@dataclass(frozen=True, slots=True)
class Exported:
    """Where `export_inputs` put a run's workbooks."""

    program: Path
    partner_folder: Path
    files: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class LineDifference:
    """One (partner, component, item) whose recorded and recomputed lines differ;
    an amount is None when that side has no such line."""

    partner_id: str
    component: str
    item: str
    recorded: Decimal | None
    recomputed: Decimal | None
    detail: str = ""  # what else differs when the amounts agree (rate, description, …)


@dataclass(frozen=True, slots=True)
class Verification:
    """What `verify --period` found: the run, and its differences ([]: identical)."""

    run: RunInfo
    lines: int
    differences: tuple[LineDifference, ...]
    problems: tuple[Problem, ...] = ()  # the kept inputs no longer read as valid

    @property
    def identical(self) -> bool:
        return not self.differences and not has_errors(self.problems)


def _name(path: str) -> str:
    """A file name from a path recorded on any system."""
    return PureWindowsPath(path).name if "\\" in path else PurePath(path).name


def choose_run(ledger: Ledger, period: Period, run_id: int | None) -> RunInfo:
    """The run `inputs` writes out: `run_id` (of that period), else the period's final
    close, else its latest draft."""
    runs = [run for run in ledger.history() if run.period == str(period)]
    if run_id is not None:
        for run in runs:
            if run.run_id == run_id:
                return run
        raise LedgerRefusedError(
            f"run {run_id} is not a run of {period}; see: partnerclose history"
        )
    if not runs:
        raise LedgerRefusedError(f"{period} has no run in the ledger; see: partnerclose history")
    current = [run for run in runs if run.status == "current"]
    finals = [run for run in current if run.kind == "final"]
    return (finals or current or runs)[-1]


def export_inputs(ledger: Ledger, run: RunInfo, folder: Path) -> Exported:
    """Write the kept workbooks of `run` into `folder` (which must be new or empty):
    the exact bytes the run read. Refused when a byte is not kept, or a file exists."""
    kept = ledger.run_inputs(run.run_id)
    missing = [_name(k.path) for k in kept if not k.kept]
    if missing:
        raise LedgerRefusedError(
            f"run {run.run_id} keeps no bytes of {', '.join(missing)}: it was recorded "
            "before the ledger kept inputs"
        )
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise LedgerRefusedError(
            f"cannot write the inputs to {folder}: it exists and is not an empty folder "
            "(nothing is overwritten); choose a new folder with --out"
        )
    program = next((k for k in kept if k.role == "program"), None)
    program_dir = Path(program.path).parent if program is not None else None
    places = [(k, _place(k, program_dir, folder)) for k in kept]
    targets = [target for _, target in places]
    if len(set(targets)) != len(targets):
        raise LedgerRefusedError(f"run {run.run_id} names two inputs with the same file name")
    folder.mkdir(parents=True, exist_ok=True)
    for entry, target in places:
        content = ledger.input_content(entry.sha256)
        if content is None:  # pragma: no cover - the join above found it
            raise LedgerRefusedError(f"the ledger lost the bytes of {_name(entry.path)}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as stream:  # never overwrites
            stream.write(content)
    program_path = folder / (_name(program.path) if program else "program.xlsx")
    partner_dirs = {target.parent for entry, target in places if entry.role == "partner"}
    partner_folder = partner_dirs.pop() if len(partner_dirs) == 1 else folder / PARTNERS_FOLDER
    return Exported(program_path, partner_folder, tuple(targets))


def _place(entry: KeptInput, program_dir: Path | None, folder: Path) -> Path:
    name = _name(entry.path)
    if entry.role == "program":
        return folder / name
    if entry.role == "program-saved":
        return folder / SAVED_FOLDER / name
    if program_dir is not None:
        try:
            relative = Path(entry.path).parent.relative_to(program_dir)
        except ValueError:
            relative = None
        # a source file may lie beside the program workbook; a partner workbook may not
        beside = entry.role == "source"
        if relative is not None and (relative.parts or beside) and ".." not in relative.parts:
            return folder / relative / name
    return folder / PARTNERS_FOLDER / name


def verify_period(ledger: Ledger, period: Period) -> Verification:
    """Recompute the final close of `period` from its kept inputs and the ledger's state
    before it (rules.md P3), and compare every line with what was recorded."""
    finals = [r for r in ledger.final_runs(period) if r.status == "current"]
    if not finals:
        raise LedgerRefusedError(
            f"{period} has no final close to verify; see: partnerclose history"
        )
    run = finals[-1]
    recorded = ledger.lines(run.run_id)
    with tempfile.TemporaryDirectory(prefix="partnerclose-verify-") as scratch:
        exported = export_inputs(ledger, run, Path(scratch) / "inputs")
        exported.partner_folder.mkdir(parents=True, exist_ok=True)
        with collector_paused():
            raw = read_inputs(exported.program, period, partner_folder=exported.partner_folder)
            inputs = validate_inputs(raw, allow_empty=True)
    if not inputs.ok or inputs.program is None:
        return Verification(run, len(recorded), (), tuple(inputs.problems))
    with collector_paused():
        prior = load_close_state(ledger.load_state(period))
        result = compute_close(inputs.program, period, inputs.data, prior)
    return Verification(run, len(recorded), compare_lines(recorded, result.lines))


def compare_lines(
    recorded: Sequence[Line], recomputed: Sequence[Line]
) -> tuple[LineDifference, ...]:
    """Every (partner, component, item) whose lines differ, in the recorded order."""

    def grouped(lines: Sequence[Line]) -> dict[tuple[str, str, str], list[Line]]:
        groups: dict[tuple[str, str, str], list[Line]] = {}
        for line in lines:
            groups.setdefault((line.partner_id, str(line.component), line.item), []).append(line)
        return groups

    before, after = grouped(recorded), grouped(recomputed)
    differences = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key, []), after.get(key, [])
        if old == new:
            continue
        old_amount = sum((line.amount for line in old), Decimal(0)) if old else None
        new_amount = sum((line.amount for line in new), Decimal(0)) if new else None
        detail = "" if old_amount != new_amount else _detail(old, new)
        differences.append(LineDifference(*key, old_amount, new_amount, detail))
    return tuple(differences)


def _detail(old: Sequence[Line], new: Sequence[Line]) -> str:
    if len(old) != len(new):
        return f"{len(old)} lines recorded, {len(new)} recomputed"
    fields = ("description", "quantity", "rate", "status", "rule", "period")
    changed = sorted(
        {
            name
            for a, b in zip(old, new, strict=True)
            for name in fields
            if getattr(a, name) != getattr(b, name)
        }
    )
    return f"{', '.join(changed)} differ" if changed else "the lines differ"
