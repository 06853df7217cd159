"""Re-closing a reopened period (rules.md P0, outputs.md "Number and version"): the close
names each input that changed since the reopened run and each partner's change of net,
its statements are version 2, 3, …, and every earlier final close's outputs are kept
under `superseded/<version>/` and listed by `history`."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from partnerclose.cli import main
from partnerclose.close_context import CloseContext
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.ledger.location import open_ledger
from partnerclose.pipeline import DEFAULT_WRITERS, Status, final_versions, run_close
from tests.workbook_files import P002, write_program, write_workbook

OCT = Period(2026, 10)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def close_final(program: Path, contexts: list[CloseContext]):
    def capture(context: CloseContext, folder: Path) -> None:
        contexts.append(context)

    outcome = run_close(program, OCT, final=True, writers=(*DEFAULT_WRITERS, capture))
    assert outcome.status is Status.CLOSED, (outcome.message, outcome.problems)
    return outcome


def test_a_reclose_after_a_reopen_names_the_changed_file_and_keeps_version_1(tmp_path, capsys):
    program = write_program(tmp_path)
    out = tmp_path / "close-2026-10"
    contexts: list[CloseContext] = []
    first = close_final(program, contexts)
    assert (contexts[0].statement_version, dict(contexts[0].replaced_nets)) == (1, {})
    assert not any("reopened" in p.message for p in first.problems)
    version_1 = tree(out)
    assert "statements/P002.xlsx" in version_1

    assert main(["reopen", str(program), "--period", "2026-10", "--reason", "P002 usage"]) == 0
    p002 = {name: [list(row) for row in rows] for name, rows in P002.items()}
    p002["Usage"][1][1] = 250  # P002 corrects its CRM seats from 200 to 250
    write_workbook(tmp_path / "partners" / "P002.xlsx", p002)
    second = close_final(program, contexts)

    context = contexts[1]
    assert context.statement_version == 2
    assert first.result is not None
    assert second.result is not None
    old = {p: first.result.net(p) for p in ("P001", "P002")}
    assert dict(context.replaced_nets) == old
    warnings = [p for p in second.problems if p.severity is Severity.WARNING]
    changed = [p for p in warnings if p.file == "P002.xlsx"]
    assert [p.message for p in changed] == [
        "the partner workbook P002.xlsx was changed since the reopened final close of "
        "2026-10 (run 1)"
    ]
    assert not [
        p for p in warnings if p.file in ("P001.xlsx", "program.xlsx") and "workbook" in p.message
    ]
    # CRM 12,000.00 by usage, HOST 500 seats, P001 300, P002 200 → 250. Before: P001
    # −3,600.00 + 3,000.00 revenue share (D1 30,000 × 10 %) = −600.00, P002 −2,400.00.
    # After (1,050 seats): 5,714.2857… / 3,428.5714… / 2,857.1428…; floors leave one cent,
    # to HOST (largest remainder): P001 −3,428.57 + 3,000.00 = −428.57, P002 −2,857.14.
    assert old == {"P001": D("-600.00"), "P002": D("-2400.00")}
    assert (second.result.net("P001"), second.result.net("P002")) == (D("-428.57"), D("-2857.14"))
    messages = [p.message for p in warnings]
    assert (
        "P001's net changes from -600.00 to -428.57 (+171.43) against the reopened final "
        "close of 2026-10 (run 1)"
    ) in messages
    assert (
        "P002's net changes from -2,400.00 to -2,857.14 (-457.14) against the reopened final "
        "close of 2026-10 (run 1)"
    ) in messages
    for partner in ("P001", "P002"):
        new = second.result.net(partner)
        assert new != old[partner]
        assert (
            f"{partner}'s net changes from {old[partner]:,.2f} to {new:,.2f} "
            f"({new - old[partner]:+,.2f}) against the reopened final close of 2026-10 (run 1)"
        ) in [p.message for p in warnings]

    # Version 1's outputs are still there, byte for byte, inside the new output folder.
    kept = tree(out / "superseded" / "1")
    assert {k: v for k, v in kept.items() if k != ".partnerclose-close"} == {
        k: v for k, v in version_1.items() if k != ".partnerclose-close"
    }
    assert tree(out)["statements/P002.xlsx"] != version_1["statements/P002.xlsx"]

    with open_ledger(tmp_path / "program.xlsx.ledger.sqlite", program) as ledger:
        versions = final_versions(ledger.history())
    assert [(v.run.run_id, v.version, v.run.status, v.files) for v in versions] == [
        (1, 1, "reopened", str(out.absolute() / "superseded" / "1")),
        (2, 2, "current", str(out.absolute())),
    ]
    capsys.readouterr()
    assert main(["history", str(program)]) == 0
    shown = capsys.readouterr().out
    assert f"2026-10 version 1 (run 1, reopened): {out.absolute() / 'superseded' / '1'}" in shown
    assert f"2026-10 version 2 (run 2, current): {out.absolute()}" in shown

    # A third final close keeps both earlier versions.
    version_2 = tree(out)
    assert main(["reopen", str(program), "--period", "2026-10", "--reason", "again"]) == 0
    close_final(program, contexts)
    assert contexts[2].statement_version == 3
    assert dict(contexts[2].replaced_nets) == {p: second.result.net(p) for p in ("P001", "P002")}
    assert tree(out / "superseded" / "1") == kept
    kept_2 = tree(out / "superseded" / "2")
    assert kept_2["statements/P002.xlsx"] == version_2["statements/P002.xlsx"]
    assert not any(name.startswith("superseded/") for name in kept_2)
    unchanged = [p for p in contexts[2].problems if "changed since" in p.message]
    assert unchanged == []  # the same inputs as version 2


def test_a_draft_after_a_reopen_keeps_the_final_outputs_it_replaces(tmp_path):
    program = write_program(tmp_path)
    out = tmp_path / "close-2026-10"
    close_final(program, [])
    version_1 = tree(out)
    assert main(["reopen", str(program), "--period", "2026-10", "--reason", "check"]) == 0
    draft = run_close(program, OCT)
    assert draft.status is Status.CLOSED
    kept = tree(out / "superseded" / "1")
    assert kept["statements/P001.xlsx"] == version_1["statements/P001.xlsx"]
    assert kept["lines.csv"] == version_1["lines.csv"]
