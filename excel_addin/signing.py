"""Signing the add-in's VBA project with a code-signing certificate.

Microsoft's supported way: `signtool sign` (Windows SDK) with the *Office Subject
Interface Packages for Digitally Signing VBA Projects* registered (`msosipx.dll` for
`.xlam` and the other Office Open XML files). The SIP computes the VBA project's
content hashes ([MS-OVBA] 2.4.2) and writes the signature parts
(`xl/vbaProjectSignature*.bin`) into the package. So signing needs Windows with both
installed; elsewhere the build says so and stops, rather than shipping an add-in
that looks signed and is not.

The certificate's password comes only from the environment variable
`PARTNERCLOSE_SIGN_PASSWORD` (never a command-line option of the build), and never
appears in what the build prints: signtool's own output is shown with it blanked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PASSWORD_VARIABLE = "PARTNERCLOSE_SIGN_PASSWORD"
SIGNATURE_PART = "xl/vbaProjectSignature"  # .bin, Agile.bin, V3.bin: what the SIP writes
HASH = "SHA256"
_HIDDEN = "********"


class SigningError(RuntimeError):
    """The VBA project could not be signed; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Signing:
    certificate: Path  # a .pfx (PKCS #12) file
    # an RFC 3161 time-stamp server: without one the signature expires with the certificate
    timestamp_url: str = ""
    signtool: str = "signtool"  # signtool.exe, by path or on PATH


def signtool_command(tool: str, addin: Path, signing: Signing, password: str) -> list[str]:
    """signtool's arguments (the password among them: signtool takes it no other way)."""
    command = [tool, "sign", "/fd", HASH, "/f", str(signing.certificate)]
    if password:
        command += ["/p", password]
    if signing.timestamp_url:
        command += ["/tr", signing.timestamp_url, "/td", HASH]
    return [*command, str(addin)]


def signature_parts(addin: Path) -> list[str]:
    """The VBA signature parts in the add-in's package."""
    with zipfile.ZipFile(addin) as package:
        return sorted(n for n in package.namelist() if n.startswith(SIGNATURE_PART))


def sign(addin: Path, signing: Signing, environ: Mapping[str, str] | None = None) -> None:
    """Sign the VBA project of `addin` in place, or raise `SigningError`."""
    environ = os.environ if environ is None else environ
    tool = shutil.which(signing.signtool)
    if tool is None:
        raise SigningError(
            f"{signing.signtool} was not found. Signing the VBA project needs Windows with "
            "the Windows SDK's signtool and Microsoft's Office SIP for VBA projects "
            "(msosipx.dll, registered with regsvr32); give signtool's path with --signtool, "
            "or sign by hand as docs/excel-addin-it.md says"
        )
    if not signing.certificate.is_file():
        raise SigningError(f"no certificate file {signing.certificate}")
    password = environ.get(PASSWORD_VARIABLE, "")
    result = subprocess.run(
        signtool_command(tool, addin, signing, password),
        capture_output=True,
        text=True,
        check=False,
    )
    said = _hidden(f"{result.stdout}{result.stderr}".strip(), password)
    if result.returncode != 0:
        raise SigningError(f"signtool failed (exit code {result.returncode}): {said}")
    if not signature_parts(addin):
        raise SigningError(
            "signtool reported success, but the add-in has no VBA signature "
            f"({SIGNATURE_PART}*.bin): is the Office SIP msosipx.dll registered? ({said})"
        )


def _hidden(text: str, secret: str) -> str:
    return text.replace(secret, _HIDDEN) if secret else text
