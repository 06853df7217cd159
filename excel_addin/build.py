"""Build the Excel add-in file: `python -m excel_addin.build [--out DIR] [--sign-with CERT.pfx]`.

The workbook parts start from xlwings's own custom add-in (`xlwings quickstart NAME
--addin --ribbon`, run in a temporary folder: it only copies files, so no Excel is
needed): its config sheet, styles and theme. The VBA project is PartnerClose's own,
generated from the source in `excel_addin/vba/` (`excel_addin.vba_project`):

- `PartnerCloseRibbon`: a callback per ribbon button, each running one function of
  the Python module `partnerclose_addin` (shipped with the package);
- `PartnerCloseRunPython`: how Excel starts Python (xlwings's RunPython, cut down);
- the document modules of the workbook (`ThisWorkbook`) and of the config sheet
  (`PartnerCloseSettings`, the sheet's code name).

The build then

- writes the ribbon (`customUI/customUI.xml`): the "Partner Close" tab and its
  buttons (`excel_addin.ribbon`);
- turns on the add-in's config sheet (`myaddin.conf`, the name the VBA looks for;
  xlwings ships it switched off as `_myaddin.conf`) with the module's name,
  `ADD_WORKBOOK_TO_PYTHONPATH` false (PartnerClose resolves a OneDrive or
  SharePoint address itself: `excel_addin.location`) and, when given, the Python
  interpreter to run (`Interpreter_Win`, `Interpreter_Mac`): an installer fills them
  in with `configure` or `--interpreter-win`; left out, the config files decide (see
  `Config`);
- signs the VBA project when a certificate is given (`excel_addin.signing`).

The same inputs give the same bytes (before signing, which adds a time).
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from excel_addin.ribbon import TAB_LABEL, custom_ui
from excel_addin.signing import PASSWORD_VARIABLE, Signing, SigningError, sign
from excel_addin.vba_project import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    Module,
    Project,
    document_module,
    standard_module,
    vba_project_bin,
)

ADDIN_MODULE = "partnerclose_addin"
ADDIN_FILE = f"{ADDIN_MODULE}.xlam"
DEFAULT_OUT = Path("build") / "addin"
VBA_SOURCE = Path(__file__).parent / "vba"  # one `<module>.bas` per standard module

PROJECT_NAME = "PartnerClose"
PROJECT_ID = "{ECB0ECE6-D554-48A6-AF00-03E4DAF5C022}"  # the VBA project's, fixed
WORKBOOK_CODE_NAME = "ThisWorkbook"  # every workbook's own module: not a global name
SETTINGS_CODE_NAME = "PartnerCloseSettings"  # the config sheet's code name and module
# the settings' name: sheet `myaddin.conf`, files `myaddin.conf` (PC_SETTINGS in the VBA;
# the name of xlwings's template, which the installer's config files keep)
SETTINGS_NAME = "myaddin"
CONFIG_SHEET = f"{SETTINGS_NAME}.conf"
_TEMPLATE_CONFIG_SHEET = f"_{CONFIG_SHEET}"
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
CUSTOM_UI = custom_ui()
# xlwings maps the workbook's https:// address itself when this is true (its default)
ADD_WORKBOOK_TO_PYTHONPATH = ("ADD_WORKBOOK_TO_PYTHONPATH", "false")


@dataclass(frozen=True, slots=True)
class Config:
    """The add-in's config sheet.

    The add-in's VBA takes a key found on this sheet as final, blank or not, so a
    blank setting is left out: the interpreter then comes from the config files
    (`myaddin.conf` next to the workbook, then `%USERPROFILE%\\.myaddin\\myaddin.conf`
    on Windows, `~/Library/Containers/com.microsoft.Excel/Data/myaddin.conf` on
    macOS), else `python` on the PATH. Values may hold `%VARIABLES%` (Windows) or
    start with `$HOME` (macOS): the VBA expands them.
    """

    interpreter_win: str = ""
    interpreter_mac: str = ""
    pythonpath: str = ""

    def rows(self) -> list[tuple[str, str]]:
        settings = [
            ("Interpreter_Win", self.interpreter_win),
            ("Interpreter_Mac", self.interpreter_mac),
            ("PYTHONPATH", self.pythonpath),
        ]
        # "Module" is for people (the VBA takes the module from the file name); first,
        # as the VBA reads keys from A1 down to the first blank cell.
        return [
            ("Module", ADDIN_MODULE),
            ADD_WORKBOOK_TO_PYTHONPATH,
            *((k, v) for k, v in settings if v),
        ]


def quickstart_template(folder: Path) -> Path:
    """xlwings's custom ribbon add-in, as `xlwings quickstart` copies it into `folder`."""
    subprocess.run(
        [sys.executable, "-m", "xlwings.cli", "quickstart", ADDIN_MODULE, "--addin", "--ribbon"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return folder / ADDIN_MODULE / ADDIN_FILE


def vba_modules(source: Path = VBA_SOURCE) -> tuple[Module, ...]:
    """The project's modules: the standard modules from `source`, in name order, then
    the document modules of the workbook and of the config sheet."""
    standard = tuple(
        standard_module(path.stem, path.read_text(encoding="cp1252"))
        for path in sorted(source.glob("*.bas"))
    )
    return (
        *standard,
        document_module(WORKBOOK_CODE_NAME, WORKBOOK_BASE),
        document_module(SETTINGS_CODE_NAME, WORKSHEET_BASE),
    )


def vba_project(source: Path = VBA_SOURCE) -> bytes:
    """`xl/vbaProject.bin`, generated from the VBA source."""
    return vba_project_bin(Project(PROJECT_NAME, PROJECT_ID, vba_modules(source)))


def build(
    out: Path = DEFAULT_OUT, config: Config | None = None, signing: Signing | None = None
) -> Path:
    """Write `partnerclose_addin.xlam` into `out`, signed when `signing` says so; returns
    its path. A signing that fails raises `SigningError` and leaves no add-in behind."""
    with tempfile.TemporaryDirectory() as temporary:
        template = quickstart_template(Path(temporary)).read_bytes()
    out.mkdir(parents=True, exist_ok=True)
    target = out / ADDIN_FILE
    target.write_bytes(addin_package(template, config or Config(), vba_project()))
    if signing is not None:
        try:
            sign(target, signing)
        except BaseException:
            target.unlink()  # an unsigned add-in must not pass for the signed one
            raise
    return target


def configure(addin: Path, config: Config) -> None:
    """Rewrite the config sheet of a built add-in (for an installer). The VBA project,
    and its signature if it has one, are kept as they are: the sheet is no part of
    what the signature covers."""
    addin.write_bytes(addin_package(addin.read_bytes(), config))


def addin_package(template: bytes, config: Config, vba: bytes | None = None) -> bytes:
    """The template's package with our ribbon, config sheet, title and, when given,
    VBA project (else the template's is kept)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        sheet_path = _config_sheet_path(source)
        strings, sheet = _config_parts(config, source.read(sheet_path).decode())
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "customUI/customUI.xml":
                content = CUSTOM_UI.encode()
            elif info.filename == "xl/workbook.xml":
                content = content.replace(
                    f'name="{_TEMPLATE_CONFIG_SHEET}"'.encode(), f'name="{CONFIG_SHEET}"'.encode()
                )
            elif info.filename == "xl/sharedStrings.xml":
                content = strings
            elif info.filename == sheet_path:
                content = sheet
            elif info.filename == "docProps/core.xml":
                content = _core_properties()
            elif info.filename == "xl/vbaProject.bin" and vba is not None:
                content = vba
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def _config_sheet_path(package: zipfile.ZipFile) -> str:
    """The part of the config sheet (the template has it as its only sheet)."""
    workbook = package.read("xl/workbook.xml").decode()
    names = (f'name="{_TEMPLATE_CONFIG_SHEET}"', f'name="{CONFIG_SHEET}"')
    if not any(name in workbook for name in names):
        raise ValueError(f"the add-in template has no {_TEMPLATE_CONFIG_SHEET} sheet")
    sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
    if len(sheets) != 1:
        raise ValueError(f"the add-in template should have one sheet, not {sheets}")
    return sheets[0]


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _config_parts(config: Config, template_sheet: str) -> tuple[bytes, bytes]:
    """sharedStrings.xml and the config sheet: the template's sheet with our code name
    (which binds it to its VBA module) and new cells: keys in column A, values in B.

    The VBA reads the keys from A1 down to the first blank cell: no gaps."""
    strings: list[str] = []

    def index(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    rows = []
    for number, (key, value) in enumerate(config.rows(), start=1):
        cells = [
            f'<c r="A{number}" s="1" t="s"><v>{index(key)}</v></c>',
            f'<c r="B{number}" s="1" t="s"><v>{index(value)}</v></c>',
        ]
        rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    sheet = _SHEET_DATA.sub(lambda _: f"<sheetData>{''.join(rows)}</sheetData>", template_sheet)
    sheet = _CODE_NAME.sub(f'<sheetPr codeName="{SETTINGS_CODE_NAME}"', sheet)
    sheet = _DIMENSION.sub(f'<dimension ref="A1:B{len(rows)}"/>', sheet)
    sheet = _COLUMNS.sub(
        '<cols><col min="1" max="1" width="18" customWidth="1"/>'
        '<col min="2" max="2" width="60" customWidth="1"/></cols>',
        sheet,
    )
    items = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    shared = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    )
    return shared.encode(), sheet.encode()


_SHEET_DATA = re.compile(r"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.DOTALL)
_CODE_NAME = re.compile(r'<sheetPr codeName="[^"]*"')
_DIMENSION = re.compile(r"<dimension [^>]*/>")
_COLUMNS = re.compile(r"<cols>.*?</cols>", re.DOTALL)


def _core_properties() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{TAB_LABEL}</dc:title><dc:creator>PartnerClose</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m excel_addin.build", description=f"Build {ADDIN_FILE}."
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder (build/addin)")
    parser.add_argument("--interpreter-win", default="", help="pythonw.exe to run (Windows)")
    parser.add_argument("--interpreter-mac", default="", help="python to run (macOS)")
    parser.add_argument(
        "--sign-with",
        type=Path,
        metavar="CERT.pfx",
        help=f"sign the VBA project with this certificate (its password: {PASSWORD_VARIABLE})",
    )
    parser.add_argument("--timestamp-url", default="", help="RFC 3161 time-stamp server")
    parser.add_argument("--signtool", default="signtool", help="signtool.exe (default: on PATH)")
    args = parser.parse_args(argv)
    config = Config(args.interpreter_win, args.interpreter_mac)
    signing = None
    if args.sign_with is not None:
        signing = Signing(args.sign_with, args.timestamp_url, args.signtool)
    try:
        print(build(args.out, config, signing))
    except SigningError as exc:
        print(f"error: the add-in was not built: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
