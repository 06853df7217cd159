"""`partnerclose demo` never writes over a program: a folder with workbooks or a ledger is
refused unless --force."""

from __future__ import annotations

from pathlib import Path

from partnerclose.cli import main


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_demo_refuses_a_folder_whose_ledger_holds_a_final_close(tmp_path, capsys):
    folder = tmp_path / "prog"
    assert main(["demo", str(folder), "--period", "2026-10"]) == 0
    program = folder / "program.xlsx"
    assert main(["close", str(program), "--period", "2026-10", "--final"]) == 0
    capsys.readouterr()
    before = snapshot(folder)
    assert main(["demo", str(folder), "--period", "2026-11"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"partnerclose: {folder} already holds program.xlsx, program.xlsx.ledger.sqlite, "
        "partners/P001_2026-10.xlsx; the demo would overwrite a program and mix with its ledger "
        "and partner workbooks. Choose an empty folder, or add --force to write the demo there "
        "anyway\n"
    )
    assert snapshot(folder) == before  # program, ledger and partner workbooks untouched


def test_demo_writes_into_an_empty_or_new_folder_and_over_one_with_force(tmp_path, capsys):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a program")
    assert main(["demo", str(folder), "--period", "2026-10", "--partners", "3"]) == 0
    assert main(["demo", str(folder), "--period", "2026-10", "--partners", "3"]) == 2
    capsys.readouterr()
    assert main(["demo", str(folder), "--period", "2026-11", "--partners", "3", "--force"]) == 0
    assert "Demo program for 2026-11 written to" in capsys.readouterr().out
    assert (folder / "partners" / "P001_2026-11.xlsx").is_file()
