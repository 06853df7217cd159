"""The output folder of a close: what it may replace, and how it is swapped in.

A close writes its outputs to a hidden folder beside the output folder and swaps
it in only after the ledger has committed the run (docs/decisions.md, "The output
folder"). This module knows the folder side of that protocol:

- **What may be replaced.** A close writes a marker file, `.partnerclose-close`,
  into its output folder: program, period, run and the files it wrote. An existing
  output path is replaced only when it is such a folder, of the same program file
  and period, holding nothing but what that close wrote (or an empty folder).
  Anything else is refused, as is a path that is, holds or lies inside an input
  (the program workbook, the partner folder, the ledger and its journal files).
- **One close per folder at a time.** A lock file beside the folder (held with
  an operating-system lock, which dies with its process) serialises closes of the
  same output folder, so leftovers found by its holder belong to dead closes.
- **The swap.** Moving the old folder aside and the new one in are two renames,
  each made durable (directory fsync). `finish_swap` rolls a committed swap
  forward from whichever step a crash stopped it at.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from partnerclose import __version__
from partnerclose.checkpoints import checkpoint

MARKER = ".partnerclose-close"
SUPERSEDED = "superseded"  # earlier final closes' outputs, kept inside the output folder
# Written into a close's folder after the close (`send`'s .eml files): a later close of
# the same period may replace them, as the ledger keeps what was written and sent.
EMAILS_FOLDER = "emails"
_SHOWN_EXTRAS = 3


class OutputRefusedError(Exception):
    """The output path holds something a close must not replace; exit code 3."""


class OutputBusyError(OutputRefusedError):
    """Another close is writing the same output folder."""


# --- what a close may replace ---------------------------------------------------------


def protected_paths(
    program: Path, partner_folder: Path | None, ledger: Path | str
) -> dict[str, Path]:
    """The inputs an output folder must never be, hold, or lie inside (a ledger on a
    server, given as its URL, is no file here)."""
    paths = {"the program workbook": program}
    if isinstance(ledger, Path):
        paths["the ledger"] = ledger
        for suffix in ("-wal", "-shm", "-journal"):
            paths[f"the ledger's {suffix[1:]} file"] = ledger.with_name(ledger.name + suffix)
    if partner_folder is not None:
        paths["the partner folder"] = partner_folder
    return paths


def check_not_an_input(out: Path, protected: Mapping[str, Path]) -> None:
    """Refuse an output folder that is, holds or lies inside one of the inputs."""
    target = _resolved(out)
    for role, path in protected.items():
        found = _resolved(path)
        if target == found:
            relation = "is"
        elif target in found.parents:
            relation = "holds"
        elif found in target.parents:
            relation = "is inside"
        else:
            continue
        raise OutputRefusedError(
            f"cannot write the outputs to {out}: it {relation} {role} ({path}); "
            "choose another folder with --out"
        )


def check_replaceable(out: Path, program: Path, period: str) -> None:
    """Refuse an existing `out` unless it is this program's and period's close output."""
    if out.is_symlink():
        raise OutputRefusedError(
            f"cannot write the outputs to {out}: it is a link; give the folder itself"
        )
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputRefusedError(
            f"cannot write the outputs to {out}: it is a file, and a close replaces only a "
            "folder it wrote; choose another folder with --out"
        )
    entries = _tree(out)
    if not entries:
        return  # an empty folder: nothing to lose
    marker = read_marker(out)
    if marker is None:
        raise OutputRefusedError(
            f"cannot write the outputs to {out}: the folder was not written by a close "
            f"(it has no {MARKER} file), and a close replaces only its own outputs; "
            "choose a new or empty folder with --out"
        )
    if marker.get("program") != program.name or marker.get("period") != period:
        raise OutputRefusedError(
            f"cannot write the outputs to {out}: it holds the outputs of the close of "
            f"{marker.get('period')} of {marker.get('program')}; choose another folder "
            "with --out"
        )
    files = marker.get("files")
    written = {str(name) for name in files} if isinstance(files, list) else set()
    extras = sorted(
        entry
        for entry in entries
        if entry != MARKER
        and entry not in written
        and not _holds(entry, written)
        and entry.split("/", 1)[0] != EMAILS_FOLDER
    )
    if extras:
        shown = ", ".join(extras[:_SHOWN_EXTRAS])
        more = f" and {len(extras) - _SHOWN_EXTRAS} more" if len(extras) > _SHOWN_EXTRAS else ""
        raise OutputRefusedError(
            f"cannot replace {out}: it holds files the close did not write ({shown}{more}); "
            "move them elsewhere and close again"
        )


def _holds(entry: str, written: set[str]) -> bool:
    """A folder that holds written files (e.g. `statements`)."""
    prefix = entry + "/"
    return any(name.startswith(prefix) for name in written)


def _tree(folder: Path) -> list[str]:
    """Every file and folder below `folder`, as relative POSIX paths."""
    return [path.relative_to(folder).as_posix() for path in folder.rglob("*")]


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path.absolute()))


def read_marker(folder: Path) -> dict[str, object] | None:
    """The marker of a close's output folder, None when it has none (or a broken one)."""
    try:
        found = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def write_marker(folder: Path, program: Path, period: str, kind: str, run_id: int | None) -> None:
    """The marker that lets a later close recognise (and replace) this folder."""
    files = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p != folder / MARKER  # superseded/<v>/ keeps its own marker
    )
    marker = {
        "written_by": f"PartnerClose {__version__}",
        "program": program.name,
        "program_path": str(program.absolute()),
        "period": period,
        "kind": kind,
        "run": run_id,
        "files": files,
    }
    path = folder / MARKER
    path.write_text(json.dumps(marker, indent=1, ensure_ascii=False), encoding="utf-8")


def superseded_folder(out: Path, version: int) -> Path:
    """Where the outputs of version `version` of a period's final close are kept once a
    later close of the period wrote `out` (outputs.md, "Number and version")."""
    return out / SUPERSEDED / str(version)


def carry_superseded(out: Path, partial: Path, versions: Mapping[int, int]) -> None:
    """Into a close's new folder (`partial`), what must outlive the swap of `out`: the
    outputs superseded before, and the outputs in `out` of a final close of the period
    (`versions`: its run id -> version) under `superseded/<version>/`. Copied, never
    moved: until the new run is committed, `out` stays exactly as it was."""
    marker = read_marker(out) if out.is_dir() else None
    if marker is None:
        return
    kept = out / SUPERSEDED
    if kept.is_dir():
        shutil.copytree(kept, partial / SUPERSEDED, symlinks=True)
    run = marker.get("run")
    version = versions.get(run) if isinstance(run, int) and marker.get("kind") == "final" else None
    if version is None:
        return
    target = superseded_folder(partial, version)
    files = marker.get("files")
    for name in files if isinstance(files, list) else ():
        source = out / str(name)
        if str(name).startswith(SUPERSEDED + "/") or not source.is_file():
            continue
        destination = target / str(name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(out / MARKER, target / MARKER)


# --- one close per output folder --------------------------------------------------------


class FolderLock:
    """An operating-system lock on `.NAME.lock` beside the output folder.

    The lock dies with its process (a kill never leaves it held), so whoever holds it
    knows that any leftover of the folder belongs to a close that is no longer
    running. The file is removed on release.
    """

    def __init__(self, out: Path) -> None:
        self.path = out.parent / f".{out.name}.lock"
        self._fd: int | None = None

    def acquire(self, timeout: float) -> bool:
        """Take the lock, waiting up to `timeout` seconds; False when it stayed held."""
        deadline = time.monotonic() + timeout
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if _try_lock(fd) and _still_named(fd, self.path):
                self._fd = fd
                return True
            os.close(fd)
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def release(self) -> None:
        if self._fd is None:
            return
        if sys.platform != "win32":  # unlink while held: a waiter sees a new file
            with suppress(OSError):
                self.path.unlink()
        os.close(self._fd)  # closing releases the lock
        self._fd = None
        if sys.platform == "win32":
            with suppress(OSError):  # held open by a waiter: it removes it later
                self.path.unlink()


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _still_named(fd: int, path: Path) -> bool:
    """The locked file is still the one at `path` (a releasing holder unlinks it)."""
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except OSError:
        return False


@contextmanager
def folder_locked(out: Path, timeout: float) -> Iterator[None]:
    """Hold the output folder's lock; OutputBusyError when another close keeps it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = FolderLock(out)
    if not lock.acquire(timeout):
        raise OutputBusyError(f"another close is writing {out}; try again when it has finished")
    try:
        yield
    finally:
        lock.release()


@contextmanager
def folder_locked_if_free(out: Path) -> Iterator[bool]:
    """Hold the lock if nobody does (True), else leave it (False)."""
    lock = FolderLock(out)
    try:
        taken = out.parent.is_dir() and lock.acquire(0)
    except OSError:
        taken = False
    try:
        yield taken
    finally:
        if taken:
            lock.release()


# --- the swap -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Swap:
    """The folders of one close: the output, the new outputs, the old ones moved aside."""

    out: Path
    partial: Path
    backup: Path

    @classmethod
    def beside(cls, out: Path) -> Swap:
        """Fresh names: a leftover of an earlier close (even of the same PID) never collides."""
        token = secrets.token_hex(6)
        out = out.absolute()
        return cls(
            out,
            out.parent / f".{out.name}.partial-{token}",
            out.parent / f".{out.name}.previous-{token}",
        )


def finish_swap(swap: Swap) -> None:
    """Put `swap.partial` in place of `swap.out`, from whichever step it stopped at.

    Idempotent: a crash at any point leaves either the old folder in place (and the
    new one beside it), or the old one aside and no output, or the new one in place;
    running this again completes the swap. The previous outputs are deleted last.
    """
    parent = swap.out.parent
    if swap.partial.is_dir():
        if swap.out.exists() or swap.out.is_symlink():
            if swap.backup.exists():  # cannot happen in order; keep nothing twice
                shutil.rmtree(swap.backup)
            swap.out.rename(swap.backup)
            sync_dir(parent)
            checkpoint("moved-aside")
        swap.partial.rename(swap.out)
        sync_dir(parent)
        checkpoint("moved-in")


def remove_backup(swap: Swap) -> None:
    shutil.rmtree(swap.backup, ignore_errors=True)


_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|previous)-(?P<token>[0-9a-f]+)$")


def clean_leftovers(out: Path, pending: Iterable[Path]) -> None:
    """Remove what dead closes of `out` left beside it (their swaps are not pending).

    Call with the folder's lock held and its pending swaps finished. A new folder
    left unrecorded is deleted; old outputs moved aside are put back if no output
    is in place (the newest of them), else deleted.
    """
    keep = {Path(p).absolute() for p in pending}
    parent = out.absolute().parent
    if not parent.is_dir():
        return
    partials: list[Path] = []
    backups: list[Path] = []
    for entry in parent.iterdir():
        match = _LEFTOVER.match(entry.name)
        if match is None or match["name"] != out.name or entry.absolute() in keep:
            continue
        if not entry.is_dir() or entry.is_symlink():
            continue
        (partials if match["kind"] == "partial" else backups).append(entry)
    for partial in partials:
        shutil.rmtree(partial, ignore_errors=True)
    backups.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    if backups and not (out.exists() or out.is_symlink()):
        backups[0].rename(out)
        sync_dir(parent)
        backups = backups[1:]
    for backup in backups:
        shutil.rmtree(backup, ignore_errors=True)


# --- durability ------------------------------------------------------------------------------


def sync_dir(folder: Path) -> None:
    """Make the renames in `folder` durable (POSIX; NTFS journals its metadata itself)."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_tree(folder: Path) -> None:
    """Flush every file and folder under `folder` to disk before the run is committed,
    so a committed run never points at outputs a power cut could still lose."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    folders = [folder, *(p for p in folder.rglob("*") if p.is_dir())]
    with ThreadPoolExecutor(max_workers=8) as pool:  # fsync waits on the disk, not the GIL
        list(pool.map(_sync_file, files))
    for path in folders:
        sync_dir(path)


def _sync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY if sys.platform != "win32" else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
