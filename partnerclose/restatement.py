"""Restatement of final periods (rules.md P3) and the recomputation of a final close
from its kept inputs, which `verify` (evidence.py) uses too.

`export_inputs` writes a run's kept workbooks into a folder laid out as the close
read them: the program workbook at the top, the partner workbooks in the folder
they were in relative to it (else `partners/`), the add-in's workbook as saved in
`saved/`. `recompute_run` exports them to a temporary folder (a corrected file
replacing its kept namesake), reads and validates them with the product's reader,
and computes the period from a given state.

`replay` restates periods Q (with the corrected files of a folder) and every final
period after them up to the one before P, each from the restated state of the one
before, and turns the differences (restated − recorded, per partner, period and
component) into `prior_period_adjustment` lines for P, described by their cause.
Nothing here writes the ledger: the pipeline records the restated versions with P.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePath, PureWindowsPath

from partnerclose.collector import collector_paused
from partnerclose.core.close import CloseResult, CloseState, compute_close
from partnerclose.core.lines import Component, Line
from partnerclose.core.money import round_money
from partnerclose.core.opening import starting_state
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, has_errors
from partnerclose.core.records import Program
from partnerclose.ledger.state_codec import load_close_state
from partnerclose.ledger.store import KeptInput, Ledger, LedgerRefusedError, RunInfo
from partnerclose.reading.inputs import Inputs, read_inputs, validate_inputs
from partnerclose.reading.xlsx import WorkbookRefusedError, grids_from_bytes

RULE = "P3"

SAVED_FOLDER = "saved"  # the add-in's workbook as saved, beside the values it closed from
PARTNERS_FOLDER = "partners"  # partner workbooks that were not below the program's folder
CORRECTIONS_FOLDER = "corrections"  # a restatement's corrected workbooks (P3)
CORRECTION = "correction"  # their role among a run's kept inputs


@dataclass(frozen=True, slots=True)
class Exported:
    """Where `export_inputs` put a run's workbooks."""

    program: Path
    partner_folder: Path
    files: tuple[Path, ...]


def _name(path: str) -> str:
    """A file name from a path recorded on any system."""
    return PureWindowsPath(path).name if "\\" in path else PurePath(path).name


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
    if entry.role == CORRECTION:  # never among the partner workbooks of the period
        recorded = entry.path
        where = PureWindowsPath(recorded) if "\\" in recorded else PurePath(recorded)
        within = where.parent.name  # the <period>/ folder of the corrections, if any
        return folder / CORRECTIONS_FOLDER / (within if _is_period(within) else "") / name
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


def _is_period(text: str) -> bool:
    try:
        Period.parse(text)
    except ValueError:
        return False
    return True


def final_run(ledger: Ledger, period: Period) -> RunInfo | None:
    """The period's current final close; None when it has none."""
    finals = [r for r in ledger.final_runs(period) if r.status == "current"]
    return finals[-1] if finals else None


@dataclass(frozen=True, slots=True)
class Recomputed:
    """A final close computed again from its kept inputs; `result` None when they do
    not read as valid (`inputs.problems` say why)."""

    inputs: Inputs
    result: CloseResult | None
    prior: CloseState


def carried_corrections(recorded: Sequence[Line]) -> list[Line]:
    """The recorded lines a recomputation takes as they are: the prior-period
    adjustments the close settled, which came from restating an earlier period."""
    return [line for line in recorded if line.component is Component.PRIOR_PERIOD_ADJUSTMENT]


def recompute_run(
    ledger: Ledger,
    run: RunInfo,
    period: Period,
    prior: CloseState | None = None,
    replacements: Mapping[str, bytes] | None = None,
) -> Recomputed:
    """Compute `period` again from the kept inputs of `run` (files named in
    `replacements` take the given bytes instead) and from `prior` (default: the
    ledger's state before the period), with the prior-period adjustments it settled."""
    replacements = replacements or {}
    with tempfile.TemporaryDirectory(prefix="partnerclose-recompute-") as scratch:
        exported = export_inputs(ledger, run, Path(scratch) / "inputs")
        for target in exported.files:
            if target.name in replacements:
                target.write_bytes(replacements[target.name])
        exported.partner_folder.mkdir(parents=True, exist_ok=True)
        with collector_paused():
            raw = read_inputs(exported.program, period, partner_folder=exported.partner_folder)
            inputs = validate_inputs(raw, allow_empty=True)
    if prior is None:
        with collector_paused():
            prior = load_close_state(ledger.load_state(period))
    if not inputs.ok or inputs.program is None:
        return Recomputed(inputs, None, prior)
    before = [p for p in ledger.final_periods() if p < str(period)]
    start, _ = starting_state(inputs.program, period, prior, before[-1] if before else None)
    with collector_paused():
        result = compute_close(
            inputs.program,
            period,
            inputs.data,
            start,
            carried_corrections(ledger.lines(run.run_id)),
        )
    return Recomputed(inputs, result, start)


@dataclass(frozen=True, slots=True)
class RestatedPeriod:
    """One period of a replay: the final close it restates and its new lines."""

    period: Period
    program: Program  # its program workbook's terms, as read for the restatement
    replaced: RunInfo
    recorded: tuple[Line, ...]
    result: CloseResult
    prior: CloseState  # the (restated) state it started from
    inputs: tuple[tuple[str, str, str], ...]  # (path, role, SHA-256) of its inputs
    contents: Mapping[str, bytes]  # SHA-256 -> bytes of the corrected files
    cause: str  # what changed, e.g. "Usage corrected in P001_2026-09.xlsx"


@dataclass(frozen=True, slots=True)
class Replay:
    """What restating some final periods before P gives P (rules.md P3)."""

    periods: tuple[RestatedPeriod, ...] = ()
    state: CloseState | None = None  # the restated state P starts from
    adjustments: tuple[Line, ...] = ()  # P's prior_period_adjustment lines
    problems: tuple[Problem, ...] = ()
    restated: tuple[Period, ...] = ()  # the periods asked for
    # (path, role "correction", SHA-256) of each corrected file the replay used: kept
    # with the close of P, so that its approval covers the restatement too
    corrections: tuple[tuple[str, str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not has_errors(self.problems) and self.state is not None


def corrections_of(folder: Path, periods: Sequence[Period]) -> dict[Period, dict[str, bytes]]:
    """The corrected files for each restated period: those of `folder/<period>/` when
    that folder exists, else the workbooks at the top of `folder`."""
    if not folder.is_dir():
        raise LedgerRefusedError(f"the corrections folder {folder} does not exist")

    def workbooks(where: Path) -> dict[str, bytes]:
        return {
            f.name: f.read_bytes()
            for f in sorted(where.iterdir())
            if f.is_file()
            and f.suffix.lower() in (".xlsx", ".xlsm")
            and not f.name.startswith("~$")
        }

    top = workbooks(folder)
    return {
        q: workbooks(folder / str(q)) if (folder / str(q)).is_dir() else dict(top) for q in periods
    }


def replay(
    ledger: Ledger,
    period: Period,
    restate: Sequence[Period],
    corrections: Path,
    decimals: int,
) -> Replay:
    """Restate the final periods `restate` with the files of `corrections` and every
    final period after the first of them up to the one before `period`, in one replay
    (rules.md P3); refused (LedgerRefusedError) when a period is not a final close
    before `period` or a corrected file replaces no kept input."""
    wanted = sorted(set(restate))
    finals = ledger.final_periods()
    for q in wanted:
        if q >= period:
            raise LedgerRefusedError(
                f"--restate {q}: only a period before {period}, the one being closed, can be "
                "restated"
            )
        if str(q) not in finals:
            raise LedgerRefusedError(
                f"--restate {q}: {q} has no final close to restate; see: partnerclose history"
            )
    files = corrections_of(corrections, wanted)
    chain = [Period.parse(p) for p in finals if wanted[0] <= Period.parse(p) < period]
    prior: CloseState | None = None
    done: list[RestatedPeriod] = []
    problems: list[Problem] = []
    causes: dict[Period, str] = {}
    for q in chain:
        run = final_run(ledger, q)
        if run is None:  # pragma: no cover - final_periods named it
            raise LedgerRefusedError(f"{q} has no final close")
        kept = ledger.run_inputs(run.run_id)
        replacements = files.get(q, {})
        if q in files:
            _check_replacements(q, replacements, kept, corrections, several=len(wanted) > 1)
        recomputed = recompute_run(ledger, run, q, prior, replacements)
        if recomputed.result is None:
            problems += recomputed.inputs.problems
            return Replay(problems=tuple(problems), restated=tuple(wanted))
        if has_errors(recomputed.result.problems):
            problems += recomputed.result.problems
            return Replay(problems=tuple(problems), restated=tuple(wanted))
        entries, contents = _restated_inputs(kept, replacements)
        if q in files:
            causes[q] = _cause(ledger, kept, replacements) or f"the corrected files of {q}"
        else:
            causes[q] = f"follows from {' and '.join(str(p) for p in causes)} restated"
        done.append(
            RestatedPeriod(
                q,
                recomputed.inputs.program,  # type: ignore[arg-type]  # result is not None
                run,
                tuple(ledger.lines(run.run_id)),
                recomputed.result,
                recomputed.prior,
                entries,
                contents,
                causes[q],
            )
        )
        prior = recomputed.result.next_state
    state = prior if prior is not None else load_close_state(ledger.load_state(period))
    return Replay(
        tuple(done),
        state,
        tuple(adjustment_lines(period, done, decimals)),
        (),
        tuple(wanted),
        _correction_entries(corrections, files),
    )


def _correction_entries(
    folder: Path, files: Mapping[Period, Mapping[str, bytes]]
) -> tuple[tuple[str, str, str], ...]:
    """The corrected files of a replay (`corrections_of`, already read) as kept inputs
    (role `correction`), once each."""
    seen: dict[str, tuple[str, str, str]] = {}
    for q, named in files.items():
        where = folder / str(q) if (folder / str(q)).is_dir() else folder
        for name, content in sorted(named.items()):
            path = str(where / name)
            seen.setdefault(path, (path, CORRECTION, hashlib.sha256(content).hexdigest()))
    return tuple(seen.values())


def _check_replacements(
    period: Period,
    replacements: Mapping[str, bytes],
    kept: Sequence[KeptInput],
    folder: Path,
    *,
    several: bool,
) -> None:
    names = {_name(k.path) for k in kept}
    if several and not (folder / str(period)).is_dir():
        return  # files at the top serve every restated period that has them
    unknown = sorted(set(replacements) - names)
    if unknown:
        raise LedgerRefusedError(
            f"the corrected file {unknown[0]} in {folder} is not an input of the final close "
            f"of {period}; a corrected file replaces the kept input of the same name "
            f"({', '.join(sorted(names))}); see: partnerclose inputs --period {period}"
        )
    if not replacements:
        raise LedgerRefusedError(
            f"{folder} holds no corrected workbook for {period} (.xlsx files named as the "
            "inputs they replace)"
        )


def _restated_inputs(
    kept: Sequence[KeptInput], replacements: Mapping[str, bytes]
) -> tuple[tuple[tuple[str, str, str], ...], dict[str, bytes]]:
    """The restated close's inputs: the kept ones, a corrected file's SHA-256 in place of
    its namesake's (same path and role, so it is exported where the original was)."""
    entries = []
    contents: dict[str, bytes] = {}
    for k in kept:
        new = replacements.get(_name(k.path))
        if new is None:
            entries.append((k.path, k.role, k.sha256))
            continue
        digest = hashlib.sha256(new).hexdigest()
        contents[digest] = new
        entries.append((k.path, k.role, digest))
    return tuple(entries), contents


def _cause(ledger: Ledger, kept: Sequence[KeptInput], replacements: Mapping[str, bytes]) -> str:
    """What the corrected files change: "Usage corrected in P001_2026-09.xlsx";
    for the program workbook, its rows: "CostPools row 2 corrected in program.xlsx"."""
    parts = []
    for k in kept:
        name = _name(k.path)
        new = replacements.get(name)
        if new is None or k.role == "program-saved":
            continue
        old = ledger.input_content(k.sha256) or b""
        if hashlib.sha256(new).hexdigest() == k.sha256:
            continue
        parts.append(_changed(name, old, new, program=k.role == "program"))
    return "; ".join(parts)


def _changed(name: str, old: bytes, new: bytes, *, program: bool) -> str:
    try:
        before = grids_from_bytes(old, name)
        after = grids_from_bytes(new, name)
    except WorkbookRefusedError:
        return f"{name} corrected"
    sheets = []
    for sheet in dict.fromkeys([*before.sheet_names, *after.sheet_names]):
        a, b = before.sheets.get(sheet), after.sheets.get(sheet)
        old_rows = [list(r) for r in a.rows] if a is not None else []
        new_rows = [list(r) for r in b.rows] if b is not None else []
        if old_rows == new_rows:
            continue
        if not program:
            sheets.append(sheet)
            continue
        rows = [
            i + 1
            for i in range(max(len(old_rows), len(new_rows)))
            if (old_rows[i] if i < len(old_rows) else None)
            != (new_rows[i] if i < len(new_rows) else None)
        ]
        shown = ", ".join(str(r) for r in rows[:5]) + (", …" if len(rows) > 5 else "")
        sheets.append(f"{sheet} row{'s' if len(rows) != 1 else ''} {shown}")
    if not sheets:
        return f"{name} resaved, no value changed"
    listed = sheets[0] if len(sheets) == 1 else ", ".join(sheets[:-1]) + " and " + sheets[-1]
    return f"{listed} corrected in {name}"


def adjustment_lines(
    period: Period, restated: Sequence[RestatedPeriod], decimals: int
) -> list[Line]:
    """P3: per restated period, partner and component, restated − recorded as a line
    `prior_period_adjustment` of `period` (item "2026-09 cost_share"); none for 0."""
    lines: list[Line] = []
    for one, partner_id, component, old, new in _restated_totals(restated):
        if old == new:
            continue
        label = component.label.lower()
        lines.append(
            Line(
                str(period),
                partner_id,
                Component.PRIOR_PERIOD_ADJUSTMENT,
                _item(one, component),
                new - old,
                RULE,
                f"{one.period} {label} restated: {one.cause} (recorded "
                f"{_shown(old, decimals)}, restated {_shown(new, decimals)})",
            )
        )
    return lines


def restated_amounts(
    restated: Sequence[RestatedPeriod],
) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(partner, item of its prior_period_adjustment) -> (amount recorded, amount
    restated): what the statement's Corrections section shows beside the difference."""
    return {
        (partner_id, _item(one, component)): (old, new)
        for one, partner_id, component, old, new in _restated_totals(restated)
    }


def _restated_totals(
    restated: Sequence[RestatedPeriod],
) -> Iterator[tuple[RestatedPeriod, str, Component, Decimal, Decimal]]:
    """Per restated period, partner and component: the total recorded and restated."""
    for one in restated:
        recorded, restated_sums = _sums(one.recorded), _sums(one.result.lines)
        for key in [*recorded, *(k for k in restated_sums if k not in recorded)]:
            partner_id, component = key
            old, new = recorded.get(key, Decimal(0)), restated_sums.get(key, Decimal(0))
            yield one, partner_id, component, old, new


def _item(one: RestatedPeriod, component: Component) -> str:
    """The item of a prior_period_adjustment: "2026-09 cost_share"."""
    return f"{one.period} {component.value}"


def _sums(lines: Sequence[Line]) -> dict[tuple[str, Component], Decimal]:
    sums: dict[tuple[str, Component], Decimal] = {}
    for line in lines:
        if line.component is Component.PRIOR_PERIOD_ADJUSTMENT:
            continue  # settled in that period as they were; not restated again
        key = (line.partner_id, line.component)
        sums[key] = sums.get(key, Decimal(0)) + line.amount
    return sums


def _shown(amount: Decimal, decimals: int) -> str:
    return f"{round_money(amount, decimals):,.{decimals}f}"
