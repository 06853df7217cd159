"""The add-in's config files: which one names the ledger, and how its value is read."""

from __future__ import annotations

from pathlib import Path

from excel_addin.settings import (
    CONFIG_FILE,
    config_files,
    expand,
    find_setting,
    ledger_setting,
    parse,
    user_config_file,
)

SERVER = "postgresql://alice@ledger.example.com/finance"


def write_config(folder: Path, *lines: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONFIG_FILE
    path.write_bytes("".join(f"{line}\r\n" for line in lines).encode("cp1252"))
    return path


def test_parse_reads_the_vba_s_quoted_lines_with_keys_upper_cased() -> None:
    text = '"Interpreter_Win","C:\\\\py\\\\pythonw.exe"\r\n"Ledger","postgresql://a@h/db"\r\n\r\n'
    assert parse(text) == {
        "INTERPRETER_WIN": "C:\\\\py\\\\pythonw.exe",
        "LEDGER": "postgresql://a@h/db",
    }


def test_expand_replaces_windows_variables_and_a_leading_home() -> None:
    environ = {"LOCALAPPDATA": r"C:\Users\al\AppData\Local", "HOME": "/Users/al"}
    assert expand(r"%LOCALAPPDATA%\PartnerClose\team.sqlite", environ) == (
        r"C:\Users\al\AppData\Local\PartnerClose\team.sqlite"
    )
    assert expand("$HOME/ledgers/team.sqlite", environ) == "/Users/al/ledgers/team.sqlite"
    assert expand("%NOT_SET%/x", environ) == "%NOT_SET%/x"  # kept, as the VBA keeps it


def test_the_user_file_is_where_the_vba_looks_on_each_platform() -> None:
    assert user_config_file({"USERPROFILE": r"C:\Users\al"}, "win32") == Path(
        r"C:\Users\al", ".myaddin", CONFIG_FILE
    )
    assert user_config_file({"HOME": "/Users/al"}, "darwin") == Path(
        "/Users/al/Library/Containers/com.microsoft.Excel/Data", CONFIG_FILE
    )
    assert user_config_file({}, "win32") is None


def test_the_file_beside_the_workbook_comes_before_the_user_s(tmp_path: Path) -> None:
    program, home = tmp_path / "program", tmp_path / "home"
    environ = {"USERPROFILE": str(home)}
    assert config_files(program, environ, "win32") == [
        program / CONFIG_FILE,
        home / ".myaddin" / CONFIG_FILE,
    ]
    write_config(home / ".myaddin", f'"LEDGER","{SERVER}"')
    assert ledger_setting(program, environ, "win32") == (SERVER, home / ".myaddin" / CONFIG_FILE)
    beside = write_config(program, '"LEDGER","postgresql://bob@other/finance"')
    assert ledger_setting(program, environ, "win32") == ("postgresql://bob@other/finance", beside)


def test_a_blank_or_missing_ledger_key_passes_to_the_next_file(tmp_path: Path) -> None:
    program, home = tmp_path / "program", tmp_path / "home"
    environ = {"USERPROFILE": str(home)}
    write_config(program, '"LEDGER",""', '"INTERPRETER_WIN","python"')
    assert ledger_setting(program, environ, "win32") is None
    user = write_config(home / ".myaddin", f'"ledger"," {SERVER} "')
    assert ledger_setting(program, environ, "win32") == (SERVER, user)


def test_a_ledger_file_is_relative_to_the_workbook_s_folder(tmp_path: Path) -> None:
    program = tmp_path / "program"
    write_config(program, '"LEDGER","ledgers\\team.ledger.sqlite"'.replace("\\", "/"))
    where, _ = ledger_setting(program, {}, "win32") or (None, None)
    assert where == program / "ledgers" / "team.ledger.sqlite"


def test_an_unreadable_config_is_passed_over(tmp_path: Path) -> None:
    program = tmp_path / "program"
    (program / CONFIG_FILE).mkdir(parents=True)  # a folder of that name
    assert find_setting("LEDGER", program, {}, "win32") is None
