"""The add-in's config (installer/addin_config.py) and the add-in it configures."""

from __future__ import annotations

from pathlib import Path

import pytest

from installer import addin_config, layout


def test_the_config_names_the_installed_interpreter_and_the_module():
    assert addin_config.settings() == {
        "INTERPRETER_WIN": r"%LOCALAPPDATA%\Programs\PartnerClose\python\pythonw.exe",
        "MODULE": "partnerclose_addin",
        "PARTNERCLOSE": "written by the PartnerClose 0.1.0 installer",
    }


def test_the_file_is_what_the_vba_reads(tmp_path: Path):
    path = addin_config.write(tmp_path / "myaddin.conf", addin_config.settings())
    raw = path.read_bytes()
    # VBA's Input # reads "KEY","value" pairs; CRLF line ends; plain ASCII
    assert raw.splitlines(keepends=True)[0] == (
        b'"INTERPRETER_WIN","%LOCALAPPDATA%\\Programs\\PartnerClose\\python\\pythonw.exe"\r\n'
    )
    assert raw.count(b"\r\n") == 3
    assert addin_config.parse(raw.decode("ascii")) == addin_config.settings()


@pytest.mark.parametrize("bad", ['say "hi"', "two\nlines", "café"])
def test_values_the_vba_reader_cannot_hold_are_refused(bad: str):
    with pytest.raises(ValueError, match="cannot hold"):
        addin_config.render({"KEY": bad})


def test_the_command_writes_the_windows_or_the_mac_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "conf" / "myaddin.conf"
    assert addin_config.main(["--out", str(out)]) == 0
    assert addin_config.parse(out.read_text())["INTERPRETER_WIN"].endswith(r"\pythonw.exe")
    assert f"Written to {out}" in capsys.readouterr().out

    mac = tmp_path / "mac.conf"
    addin_config.main(["--out", str(mac), "--mac-interpreter", "$HOME/partnerclose/bin/python"])
    values = addin_config.parse(mac.read_text())
    assert values["INTERPRETER_MAC"] == "$HOME/partnerclose/bin/python"
    assert "INTERPRETER_WIN" not in values


def test_the_names_are_the_addins_own():
    from excel_addin import build

    assert layout.ADDIN_FILE == build.ADDIN_FILE
    assert layout.ADDIN_MODULE == build.ADDIN_MODULE
    assert layout.ADDIN_SHEET == build.CONFIG_SHEET
    assert layout.ADDIN_VBA_PROJECT == build.SETTINGS_NAME


def test_the_addin_is_configured_with_the_installed_interpreter(tmp_path: Path, built_addin: Path):
    assert addin_config.INTERPRETER_WIN not in addin_config.sheet_settings(built_addin)
    xlam = tmp_path / layout.ADDIN_FILE
    xlam.write_bytes(built_addin.read_bytes())
    addin_config.configure_addin(xlam)
    sheet = addin_config.sheet_settings(xlam)
    assert sheet[addin_config.INTERPRETER_WIN] == addin_config.settings()["INTERPRETER_WIN"]
    assert sheet[addin_config.MODULE] == layout.ADDIN_MODULE
    # the VBA project, and so the add-in's macros, are kept byte for byte
    import zipfile

    with zipfile.ZipFile(built_addin) as before, zipfile.ZipFile(xlam) as after:
        assert before.read("xl/vbaProject.bin") == after.read("xl/vbaProject.bin")


def test_the_command_can_name_the_team_s_ledger_which_the_add_in_then_uses(tmp_path: Path):
    from excel_addin.settings import ledger_setting

    out = tmp_path / "home" / ".myaddin" / "myaddin.conf"
    server = "postgresql://alice@ledger.example.com/finance"
    assert addin_config.main(["--out", str(out), "--ledger", server]) == 0
    assert addin_config.parse(out.read_text())["LEDGER"] == server
    environ = {"USERPROFILE": str(tmp_path / "home")}
    assert ledger_setting(tmp_path / "program", environ, "win32") == (server, out)
