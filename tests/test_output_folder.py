"""`close --out` replaces only what a previous close wrote, and never an input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from partnerclose.cli import main
from partnerclose.ledger.store import Ledger
from partnerclose.output_folder import MARKER
from tests.workbook_files import write_program


@pytest.fixture
def program(tmp_path: Path) -> Path:
    return write_program(tmp_path / "prog")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder below `folder` (hidden ones too), with file contents."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def close(program: Path, *extra: str) -> int:
    return main(["close", str(program), "--period", "2026-10", *extra])


def refused(program: Path, out: Path, capsys, *extra: str) -> str:
    """Close into `out`: refused with exit 3, and nothing anywhere changed."""
    root = program.parent.parent
    before = snapshot(root)
    assert close(program, "--out", str(out), *extra) == 3
    assert snapshot(root) == before
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_out_set_to_the_partner_folder_is_refused_and_keeps_every_workbook(program, capsys):
    err = refused(program, program.parent / "partners", capsys)
    assert "it is the partner folder" in err
    assert sorted(p.name for p in (program.parent / "partners").iterdir()) == [
        "P001.xlsx",
        "P002.xlsx",
    ]


def test_out_inside_the_partner_folder_is_refused(program, capsys):
    err = refused(program, program.parent / "partners" / "out", capsys)
    assert "it is inside the partner folder" in err


def test_out_set_to_the_programs_own_folder_is_refused_and_keeps_the_final_close(program, capsys):
    assert close(program, "--final") == 0
    capsys.readouterr()
    err = refused(program, program.parent, capsys)
    assert "it holds the program workbook" in err
    assert main(["history", str(program)]) == 0
    assert "2026-10  final  current" in capsys.readouterr().out


def test_out_holding_an_older_close_and_a_notes_file_is_refused(program, capsys):
    reports = program.parent / "reports"
    assert close(program, "--out", str(reports / "close-2026-09")) == 0
    (reports / "notes.txt").write_text("board pack comments")
    capsys.readouterr()
    err = refused(program, reports, capsys)
    assert "was not written by a close" in err
    assert (reports / "notes.txt").read_text() == "board pack comments"
    assert (reports / "close-2026-09" / "lines.csv").is_file()


@pytest.mark.parametrize("name", ["notes.txt", "program.xlsx"])
def test_out_naming_a_file_is_refused_and_the_file_stays(program, capsys, name):
    target = program.parent / name
    if not target.exists():
        target.write_text("my notes")
    before = target.read_bytes()
    err = refused(program, target, capsys)
    assert target.read_bytes() == before
    assert not [p for p in program.parent.iterdir() if p.name.startswith(f".{name}")]
    assert "it is the program workbook" in err if name == "program.xlsx" else "is a file" in err


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_out_naming_the_ledger_or_its_journal_is_refused(program, capsys, suffix):
    assert close(program, "--final") == 0
    capsys.readouterr()
    ledger = program.parent / "program.xlsx.ledger.sqlite"
    err = refused(program, ledger.with_name(ledger.name + suffix), capsys)
    assert "the ledger" in err
    with Ledger(ledger) as opened:
        assert [(r.period, r.kind) for r in opened.history()] == [("2026-10", "final")]


def test_out_holding_the_ledger_given_elsewhere_is_refused(program, tmp_path, capsys):
    books = tmp_path / "books"
    err = refused(program, books, capsys, "--ledger", str(books / "team.sqlite"))
    assert "it holds the ledger" in err


def test_a_rerun_replaces_its_own_folder_and_the_marker_lists_what_it_wrote(program):
    assert close(program) == 0
    out = program.parent / "close-2026-10"
    marker = json.loads((out / MARKER).read_text())
    assert marker["program"] == "program.xlsx"
    assert marker["period"] == "2026-10"
    assert marker["kind"] == "draft"
    assert marker["run"] == 1
    assert marker["files"] == [
        "close_pack.xlsx",
        "exceptions.csv",
        "journal.csv",
        "lines.csv",
        "statements/P001.pdf",
        "statements/P001.xlsx",
        "statements/P002.pdf",
        "statements/P002.xlsx",
    ]
    assert close(program) == 0
    assert json.loads((out / MARKER).read_text())["run"] == 2


def test_a_file_added_to_a_close_folder_is_never_deleted_by_a_rerun(program, capsys):
    assert close(program) == 0
    out = program.parent / "close-2026-10"
    (out / "statements" / "signed-P001.pdf").write_bytes(b"%PDF signed copy")
    capsys.readouterr()
    err = main(["close", str(program), "--period", "2026-10"]), capsys.readouterr().err
    assert err[0] == 3
    assert "holds files the close did not write (statements/signed-P001.pdf)" in err[1]
    assert (out / "statements" / "signed-P001.pdf").read_bytes() == b"%PDF signed copy"


def test_a_folder_of_another_period_is_not_replaced(program, capsys):
    out = program.parent / "latest"
    assert close(program, "--out", str(out)) == 0
    marker = json.loads((out / MARKER).read_text())
    (out / MARKER).write_text(json.dumps({**marker, "period": "2026-09"}))
    capsys.readouterr()
    err = refused(program, out, capsys)
    assert "it holds the outputs of the close of 2026-09 of program.xlsx" in err


def test_an_empty_existing_folder_is_used(program):
    out = program.parent / "empty"
    out.mkdir()
    assert close(program, "--out", str(out)) == 0
    assert (out / "lines.csv").is_file()


def test_a_link_is_refused(program, capsys):
    target = program.parent / "real"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    link = program.parent / "link"
    link.symlink_to(target)
    err = refused(program, link, capsys)
    assert "it is a link" in err


def test_a_folder_moved_with_its_program_is_still_replaced(program, tmp_path):
    """The marker names the program's file, not its folder: a program folder copied
    elsewhere reruns into its own close folder."""
    assert close(program) == 0
    moved = tmp_path / "moved"
    shutil.copytree(program.parent, moved)
    assert main(["close", str(moved / "program.xlsx"), "--period", "2026-10"]) == 0
