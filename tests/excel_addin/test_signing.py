"""Signing the VBA project through signtool, against a fake signtool on PATH that
records its arguments and, like signtool with the Office SIP, adds the signature part."""

from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path

import pytest

from excel_addin.build import ADDIN_FILE, Config, configure, main
from excel_addin.signing import PASSWORD_VARIABLE, Signing, SigningError, sign, signature_parts

PASSWORD = "Tr0ub4dor&3-secret"
TIMESTAMP = "http://timestamp.example.test/rfc3161"

FAKE_SIGNTOOL = """#!{python}
import json, os, sys, zipfile
with open(os.environ["FAKE_SIGNTOOL_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
mode = os.environ.get("FAKE_SIGNTOOL_MODE", "sign")
print("signtool " + " ".join(sys.argv[1:]))  # echoes its command line, password and all
if mode == "fail":
    print("SignTool Error: The specified PFX password is not correct.", file=sys.stderr)
    sys.exit(1)
if mode == "sign":  # what the Office SIP does: the signature goes into the package
    with zipfile.ZipFile(sys.argv[-1], "a") as package:
        package.writestr("xl/vbaProjectSignatureV3.bin", b"PKCS#7")
print("Successfully signed: " + sys.argv[-1])
"""


@pytest.fixture
def signtool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake signtool first on PATH; returns the file its calls are logged to."""
    folder = tmp_path / "bin"
    folder.mkdir()
    tool = folder / "signtool"
    tool.write_text(FAKE_SIGNTOOL.format(python=sys.executable), encoding="utf-8")
    tool.chmod(0o755)
    log = tmp_path / "signtool.log"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_SIGNTOOL_LOG", str(log))
    monkeypatch.setenv(PASSWORD_VARIABLE, PASSWORD)
    return log


@pytest.fixture
def certificate(tmp_path: Path) -> Path:
    path = tmp_path / "PartnerClose code signing.pfx"
    path.write_bytes(b"0\x82 a PKCS #12 file")
    return path


def _calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def test_the_build_signs_with_the_certificate_and_a_time_stamp(
    signtool: Path, certificate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["--out", str(out), "--sign-with", str(certificate), "--timestamp-url", TIMESTAMP]
    assert main(argv) == 0
    addin = out / ADDIN_FILE
    assert _calls(signtool) == [
        [
            "sign",
            "/fd",
            "SHA256",
            "/f",
            str(certificate),
            "/p",
            PASSWORD,  # signtool takes the password on its command line, from the variable
            "/tr",
            TIMESTAMP,
            "/td",
            "SHA256",
            str(addin),
        ]
    ]
    assert signature_parts(addin) == ["xl/vbaProjectSignatureV3.bin"]
    printed = capsys.readouterr()
    assert printed.out.strip() == str(addin)
    assert PASSWORD not in printed.out + printed.err


def test_a_failing_signtool_leaves_no_add_in_and_never_shows_the_password(
    signtool: Path,
    certificate: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAKE_SIGNTOOL_MODE", "fail")
    assert main(["--out", str(tmp_path), "--sign-with", str(certificate)]) == 2
    printed = capsys.readouterr()
    assert "signtool failed (exit code 1)" in printed.err
    assert "The specified PFX password is not correct." in printed.err
    assert "/p ********" in printed.err  # signtool's echo, with the password blanked
    assert PASSWORD not in printed.out + printed.err
    assert not (tmp_path / ADDIN_FILE).exists()  # no unsigned add-in passing for signed


def test_signtool_without_the_office_sip_is_caught(
    signtool: Path,
    certificate: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FAKE_SIGNTOOL_MODE", "no-sip")  # says success, writes nothing
    assert main(["--out", str(tmp_path), "--sign-with", str(certificate)]) == 2
    err = capsys.readouterr().err
    assert "the add-in has no VBA signature" in err
    assert "msosipx.dll" in err
    assert PASSWORD not in err
    assert not (tmp_path / ADDIN_FILE).exists()


def test_no_password_variable_no_password_argument(
    signtool: Path, certificate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_VARIABLE)
    assert main(["--out", str(tmp_path), "--sign-with", str(certificate)]) == 0
    [call] = _calls(signtool)
    assert "/p" not in call
    assert "/tr" not in call  # no time-stamp server given


def test_the_password_is_never_an_option_of_the_build(
    certificate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--sign-with", str(certificate), "--password", PASSWORD])
    assert "unrecognized arguments: --password" in capsys.readouterr().err


def test_without_signtool_the_build_says_what_signing_needs(
    certificate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "no-such-signtool")
    assert (
        main(["--out", str(tmp_path), "--sign-with", str(certificate), "--signtool", missing]) == 2
    )
    err = capsys.readouterr().err
    assert "was not found" in err
    assert "Windows SDK's signtool" in err
    assert "msosipx.dll" in err


def test_a_missing_certificate_is_named(signtool: Path, tmp_path: Path) -> None:
    addin = tmp_path / ADDIN_FILE
    addin.write_bytes(b"")
    with pytest.raises(SigningError, match=r"no certificate file .*missing\.pfx"):
        sign(addin, Signing(tmp_path / "missing.pfx"))
    assert not signtool.exists()  # signtool was not called


def test_configuring_a_signed_add_in_keeps_its_signature(
    signtool: Path, certificate: Path, tmp_path: Path
) -> None:
    assert main(["--out", str(tmp_path), "--sign-with", str(certificate)]) == 0
    addin = tmp_path / ADDIN_FILE
    with zipfile.ZipFile(addin) as package:
        signed = {n: package.read(n) for n in ("xl/vbaProject.bin", "xl/vbaProjectSignatureV3.bin")}
    configure(addin, Config(interpreter_win=r"C:\PartnerClose\python\pythonw.exe"))
    with zipfile.ZipFile(addin) as package:
        assert {n: package.read(n) for n in signed} == signed
