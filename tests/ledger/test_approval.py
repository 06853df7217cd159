"""Approval by a second person on both backends: who may approve, what a final close of
a program with `approval_required` needs, and the messages of what is missing.

On SQLite the user is the OS user (LOGNAME here); on PostgreSQL it is the database
user, and approving needs the role that `partnerclose ledger-setup` creates.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from partnerclose.cli import main
from partnerclose.ledger.location import ENVIRONMENT_VARIABLE
from partnerclose.ledger.postgres import APPROVERS, USERS
from tests.workbook_files import P001, P002, PROGRAM, write_program

OCT = "2026-10"

# The team: alice and bob may approve (each not their own drafts), carol may close but
# not approve.
User = Callable[[str], None]


def _create_team(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in ("alice", "bob", "carol"):
            exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
            if exists.fetchone() is None:
                admin.execute(f"CREATE ROLE {name} LOGIN".encode())
        admin.execute(f"GRANT {USERS} TO alice, bob, carol".encode())
        admin.execute(f"GRANT {APPROVERS} TO alice, bob".encode())


@pytest.fixture
def program(tmp_path: Path, ledger_at: Path | str, monkeypatch: pytest.MonkeyPatch) -> Path:
    sheets = copy.deepcopy(PROGRAM)
    sheets["Program"].append(["approval_required", "Y"])
    path = write_program(tmp_path, sheets, {"P001": P001, "P002": P002})
    if isinstance(ledger_at, str):
        assert main(["ledger-setup", str(path), "--ledger", ledger_at]) == 0  # as admin
        _create_team(ledger_at)
    return path


@pytest.fixture
def as_user(ledger_at: Path | str, monkeypatch: pytest.MonkeyPatch) -> User:
    """Act as the named user from now on: the OS user for SQLite, the database user on
    PostgreSQL (the same URL with that user)."""

    def act(name: str) -> None:
        monkeypatch.setenv("LOGNAME", name)
        if isinstance(ledger_at, str):
            as_name = ledger_at.replace("user=partnerclose", f"user={name}")
            monkeypatch.setenv(ENVIRONMENT_VARIABLE, as_name)

    return act


def close(program: Path, *extra: str) -> int:
    return main(["close", str(program), "--period", OCT, *extra])


def decide(program: Path, command: str, *extra: str) -> int:
    return main([command, str(program), "--period", OCT, *extra])


def test_a_final_close_needs_an_approval_by_another_user(program, as_user, capsys):
    as_user("alice")
    assert close(program, "--final") == 3
    assert "requires approval, and there is no draft of 2026-10" in capsys.readouterr().err
    assert close(program) == 0  # the draft, run 1
    assert close(program, "--final") == 3
    err = capsys.readouterr().err
    assert "the draft (run 1 by alice) is not approved yet" in err
    assert decide(program, "approve") == 3  # the preparer cannot approve
    assert "alice ran the draft of 2026-10 (run 1) and cannot approve" in capsys.readouterr().err
    as_user("bob")
    assert decide(program, "approve", "--comment", "checked against the CRM invoice") == 0
    assert "approved by bob" in capsys.readouterr().out
    as_user("alice")
    assert close(program, "--final") == 0  # run 2
    assert main(["history", str(program)]) == 0
    out = capsys.readouterr().out
    assert "approved 2026-10 (run 1) at " in out
    assert "by bob: checked against the CRM invoice" in out
    assert "closed 2026-10 final (run 2), approved by bob at " in out
    assert main(["verify", str(program)]) == 0


def test_inputs_changed_since_the_approval_are_refused(program, as_user, capsys):
    as_user("alice")
    assert close(program) == 0
    as_user("bob")
    assert decide(program, "approve") == 0
    changed = copy.deepcopy(P002)
    changed["Usage"][1][1] = 400  # P002's usage after the approval
    program_sheets = copy.deepcopy(PROGRAM)
    program_sheets["Program"].append(["approval_required", "Y"])
    write_program(program.parent, program_sheets, {"P001": P001, "P002": changed})
    as_user("alice")
    assert close(program, "--final") == 3
    err = capsys.readouterr().err
    assert "the inputs changed since the draft (run 1) was approved:" in err
    assert "P002.xlsx" in err
    assert close(program) == 0  # a new draft, run 2, awaits approval again
    assert close(program, "--final") == 3
    assert "the draft (run 2 by alice) is not approved yet" in capsys.readouterr().err


def test_the_same_files_given_by_another_path_are_the_same_inputs(program, as_user, monkeypatch):
    as_user("alice")
    assert close(program) == 0  # the draft given the program's absolute path
    as_user("bob")
    assert decide(program, "approve") == 0
    monkeypatch.chdir(program.parent)
    assert main(["close", program.name, "--period", OCT, "--final"]) == 0


def test_reject_then_redo(program, as_user, capsys):
    as_user("alice")
    assert close(program) == 0
    as_user("bob")
    assert decide(program, "reject", "--reason", "P002 usage looks doubled") == 0
    as_user("alice")
    assert close(program, "--final") == 3
    err = capsys.readouterr().err
    assert "the draft (run 1) was rejected by bob: P002 usage looks doubled" in err
    assert close(program) == 0  # redone: run 2
    as_user("bob")
    assert decide(program, "approve") == 0
    as_user("alice")
    assert close(program, "--final") == 0
    assert main(["history", str(program)]) == 0
    out = capsys.readouterr().out
    assert "rejected 2026-10 (run 1)" in out
    assert "approved 2026-10 (run 2)" in out


def test_a_rerun_draft_needs_a_new_approval(program, as_user, capsys):
    as_user("alice")
    assert close(program) == 0
    as_user("bob")
    assert decide(program, "approve") == 0
    as_user("alice")
    assert close(program) == 0  # the approved draft replaced by run 2
    assert close(program, "--final") == 3
    assert "the draft (run 2 by alice) is not approved yet" in capsys.readouterr().err


def test_without_approval_required_a_final_needs_none(tmp_path, ledger_at, monkeypatch):
    program = write_program(tmp_path)
    if isinstance(ledger_at, str):
        monkeypatch.setenv(ENVIRONMENT_VARIABLE, ledger_at)
    assert close(program, "--final") == 0


# SQLite has no roles: there any other OS user may approve (docs/ledger.md).
@pytest.mark.parametrize("ledger_at", ["postgresql"], indirect=True)
def test_on_postgresql_approving_needs_the_approvers_role(program, as_user, capsys):
    as_user("alice")
    assert close(program) == 0
    as_user("carol")  # a member of the team, not an approver
    assert decide(program, "approve") == 3
    err = capsys.readouterr().err
    assert f"approving needs membership of the database role {APPROVERS}" in err
    assert f"GRANT {APPROVERS} TO carol" in err


def test_approval_needs_a_period_with_a_draft(program, as_user, capsys):
    as_user("alice")
    assert close(program) == 0
    as_user("bob")
    assert main(["approve", str(program), "--period", "2026-11"]) == 3
    assert "there is no draft of 2026-11 to approve or reject" in capsys.readouterr().err


def test_the_add_in_s_saved_workbook_is_kept_but_not_compared_with_the_approved_draft():
    from partnerclose.ledger.approval import _compared

    values = ("C:/p/program.xlsm", "program", "aa" * 32)
    saved = ("C:/p/program.xlsm", "program-saved", "bb" * 32)
    resaved = ("C:/p/program.xlsm", "program-saved", "cc" * 32)
    partner = ("C:/p/partners/P001.xlsx", "partner", "dd" * 32)
    assert _compared([values, saved, partner]) == _compared([values, resaved, partner])
    assert _compared([values, partner]) != _compared([("x", "program", "ee" * 32), partner])
