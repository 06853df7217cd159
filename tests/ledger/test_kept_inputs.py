"""Kept inputs (rules.md P0): every run keeps the exact bytes of each workbook it read,
once per SHA-256, in its own transaction, on an SQLite file and on a PostgreSQL server;
`partnerclose inputs` writes them back out; a ledger of schema 5 is migrated."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from pathlib import Path

import pytest

from partnerclose.cli import main
from partnerclose.core.period import Period
from partnerclose.ledger.location import open_ledger
from partnerclose.ledger.schema import LATEST, MIGRATIONS
from partnerclose.ledger.store import Ledger, LedgerRefusedError
from partnerclose.pipeline import Status, run_close
from tests.ledger.raw import PROGRAM, rows, schema_version, set_schema_version
from tests.ledger.test_store import record, run
from tests.workbook_files import P002, write_program, write_workbook

OCT, NOV = Period(2026, 10), Period(2026, 11)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_run_keeps_each_input_once_by_sha256(ledger_at):
    one, two = b"PK program bytes", b"PK partner bytes"
    asked: list[str] = []
    contents = {sha(one): one, sha(two): two}

    def read(path: str, digest: str) -> bytes:
        asked.append(Path(path).name)
        return contents[digest]

    inputs = [
        ("/x/program.xlsx", "program", sha(one)),
        ("/x/partners/P1.xlsx", "partner", sha(two)),
    ]
    with open_ledger(ledger_at, PROGRAM) as ledger:
        first = record(ledger, dataclasses.replace(run(OCT, True), inputs=inputs, read_input=read))
        second = record(
            ledger, dataclasses.replace(run(NOV, False), inputs=inputs, read_input=read)
        )
        assert asked == ["program.xlsx", "P1.xlsx"]  # the second run found both kept
        assert ledger.kept_bytes() == len(one) + len(two)
        kept = ledger.run_inputs(second)
        assert [(Path(k.path).name, k.role, k.size) for k in kept] == [
            ("program.xlsx", "program", len(one)),
            ("P1.xlsx", "partner", len(two)),
        ]
        assert ledger.input_content(sha(one)) == one
        assert ledger.run_inputs(first) == kept
        assert ledger.verify() == []
    assert rows(ledger_at, "SELECT COUNT(*) FROM input_blobs") == [(2,)]


def test_a_file_that_changed_since_it_was_read_is_refused_and_nothing_is_recorded(ledger_at):
    inputs = [("/x/program.xlsx", "program", sha(b"what the close read"))]
    changed = dataclasses.replace(
        run(OCT, True), inputs=inputs, read_input=lambda path, digest: b"edited meanwhile"
    )
    with open_ledger(ledger_at, PROGRAM) as ledger:
        with pytest.raises(LedgerRefusedError, match=r"program.xlsx changed while the close ran"):
            record(ledger, changed)
        assert ledger.history() == []
        assert ledger.kept_bytes() == 0


def test_a_kept_input_changed_in_the_database_breaks_verify(ledger_at):
    data = b"PK the program"
    inputs = [("/x/program.xlsx", "program", sha(data))]
    with open_ledger(ledger_at, PROGRAM) as ledger:
        record(
            ledger, dataclasses.replace(run(OCT, True), inputs=inputs, read_input=lambda *_: data)
        )
    rows(ledger_at, "UPDATE input_blobs SET content = ?", (b"PK the program, edited",))
    with open_ledger(ledger_at, PROGRAM) as ledger:
        (found,) = ledger.verify()
    assert found.record == "the kept input program.xlsx"
    assert f"({sha(data)}, now {sha(b'PK the program, edited')})" in found.why


def test_a_close_keeps_the_exact_files_and_inputs_writes_them_back(ledger_at, tmp_path, capsys):
    program = write_program(tmp_path / "program")
    outcome = run_close(program, OCT, final=True, ledger_path=ledger_at)
    assert outcome.status is Status.CLOSED, outcome.message
    originals = files_of(program.parent)
    expected = {
        name: data
        for name, data in originals.items()
        if name.endswith(".xlsx") and not name.startswith("close-")
    }
    assert sorted(expected) == ["partners/P001.xlsx", "partners/P002.xlsx", "program.xlsx"]

    out = tmp_path / "kept"
    code = main(
        [
            "inputs",
            str(program),
            "--period",
            "2026-10",
            "--out",
            str(out),
            "--ledger",
            str(ledger_at),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert files_of(out) == expected  # byte for byte
    # It never overwrites: the same folder again is refused, and left as it is.
    assert (
        main(
            [
                "inputs",
                str(program),
                "--period",
                "2026-10",
                "--out",
                str(out),
                "--ledger",
                str(ledger_at),
            ]
        )
        == 3
    )
    assert "nothing is overwritten" in capsys.readouterr().err
    assert files_of(out) == expected

    # A draft of November with P002's workbook changed keeps only that file anew.
    with open_ledger(ledger_at, program) as ledger:
        before = ledger.kept_bytes()
    nov = {name: [list(r) for r in rows_] for name, rows_ in P002.items()}
    nov["Partner"][2][1] = "2026-11"
    nov["Usage"][1][1] = 250
    new_file = write_workbook(program.parent / "partners" / "P002_2026-11.xlsx", nov)
    outcome = run_close(program, NOV, ledger_path=ledger_at)
    assert outcome.status is Status.CLOSED, outcome.message
    with open_ledger(ledger_at, program) as ledger:
        assert ledger.kept_bytes() - before == new_file.stat().st_size
        (draft,) = [r for r in ledger.history() if r.period == "2026-11"]
        names = [Path(k.path).name for k in ledger.run_inputs(draft.run_id)]
    assert names == ["program.xlsx", "P002_2026-11.xlsx"]
    assert (
        main(
            [
                "inputs",
                str(program),
                "--period",
                "2026-11",
                "--run",
                str(draft.run_id),
                "--out",
                str(tmp_path / "nov"),
                "--ledger",
                str(ledger_at),
            ]
        )
        == 0
    )
    assert files_of(tmp_path / "nov") == {
        "program.xlsx": originals["program.xlsx"],
        "partners/P002_2026-11.xlsx": new_file.read_bytes(),
    }


def test_a_schema_5_ledger_is_migrated_and_its_old_runs_say_their_bytes_were_not_kept(
    tmp_path, capsys
):
    program = tmp_path / "program.xlsx"
    path = tmp_path / "program.xlsx.ledger.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:5]:
        for step in migration:
            step(db) if callable(step) else db.execute(step)
    db.execute("PRAGMA user_version = 5")
    db.close()
    with Ledger(path) as ledger:  # a schema-5 ledger as a release before this one wrote it
        pass
    rows(path, "PRAGMA user_version = 5")
    rows(path, "DROP TABLE input_blobs")
    rows(path, "DROP TABLE sends")  # schema 7's, after the kept inputs
    rows(path, "DROP TABLE run_files")  # schema 9's
    with Ledger(path, read_only=True) as old:
        assert old.schema_version() == 5
    # A run of the old release: inputs named by hash, no bytes.
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(
        "INSERT INTO runs (period, kind, status, started_at, finished_at, user, version, program, "
        "output) VALUES ('2026-10', 'final', 'current', 't', 't', 'u', '0', 'program.xlsx', 'o')"
    )
    db.execute("INSERT INTO run_inputs VALUES (1, 'program.xlsx', 'program', ?)", ("ab" * 32,))
    db.close()
    from partnerclose.ledger.chain import seal_run

    raw = sqlite3.connect(path, isolation_level=None)
    seal_run(raw, 1, with_files=False)  # a schema-5 ledger has no run_files
    raw.close()

    with Ledger(path, read_only=True) as reader:  # a reader does not migrate
        assert [k.kept for k in reader.run_inputs(1)] == [False]
        assert reader.verify() == []
    with Ledger(path) as ledger:
        assert schema_version(path) == LATEST == 9
        assert ledger.verify() == []
        assert [k.kept for k in ledger.run_inputs(1)] == [False]
    assert main(["inputs", str(program), "--period", "2026-10", "--out", str(tmp_path / "x")]) == 3
    assert "recorded before the ledger kept inputs" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_a_schema_5_ledger_on_either_backend_is_migrated_and_keeps_new_runs_inputs(ledger_at):
    with open_ledger(ledger_at, PROGRAM) as ledger:
        old_run = record(ledger, run(OCT, True))  # named by hash, no bytes (schema 5)
    rows(ledger_at, "DROP TABLE input_blobs")
    rows(ledger_at, "DROP TABLE sends")  # schema 7's, after the kept inputs
    rows(ledger_at, "DROP TABLE run_files")  # schema 9's
    set_schema_version(ledger_at, 5)
    with open_ledger(ledger_at, PROGRAM, read_only=True) as reader:  # not migrated
        assert reader.schema_version() == 5
        assert [k.kept for k in reader.run_inputs(old_run)] == [False]
        assert reader.verify() == []
    data = b"PK november"
    inputs = [("/x/program.xlsx", "program", sha(data))]
    with open_ledger(ledger_at, PROGRAM) as ledger:
        assert schema_version(ledger_at) == LATEST == 9
        assert ledger.verify() == []  # the old run's hash is unchanged
        new_run = record(
            ledger,
            dataclasses.replace(run(NOV, False), inputs=inputs, read_input=lambda *_: data),
        )
        assert [k.kept for k in ledger.run_inputs(old_run)] == [False]
        assert [k.size for k in ledger.run_inputs(new_run)] == [len(data)]
        assert ledger.input_content(sha(data)) == data
