"""The built add-in: a valid package, its ribbon, its macro, its config sheet."""

from __future__ import annotations

import importlib
import re
import warnings
import zipfile
from pathlib import Path

import pytest
from defusedxml import ElementTree
from python_calamine import CalamineWorkbook

from excel_addin.build import (
    ADDIN_FILE,
    ADDIN_MODULE,
    CONFIG_SHEET,
    Config,
    build,
    configure,
    main,
)

UI = "{http://schemas.microsoft.com/office/2006/01/customui}"
WINDOWS_PYTHON = r"C:\Users\finance\PartnerClose\.venv\Scripts\pythonw.exe"


@pytest.fixture(scope="module")
def addin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("addin"), Config(interpreter_win=WINDOWS_PYTHON))


def _macros(path: Path) -> dict[str, str]:
    """VBA module name -> source, as olevba lists them."""
    with warnings.catch_warnings():  # oletools uses pyparsing's old names
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser  # type: ignore[import-untyped]
    parser = VBA_Parser(str(path))
    try:
        return {
            Path(vba_filename).stem: code for _, _, vba_filename, code in parser.extract_macros()
        }
    finally:
        parser.close()


def _config(path: Path) -> list[list[object]]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(CONFIG_SHEET)
    return [list(row) for row in sheet.to_python()]


def test_the_add_in_is_named_after_its_module(addin: Path) -> None:
    assert addin.name == ADDIN_FILE == "partnerclose_addin.xlam"
    module = importlib.import_module(addin.stem)  # what the callbacks import
    assert module.__name__ == ADDIN_MODULE
    assert callable(module.main)


def test_it_is_a_valid_macro_enabled_add_in_package(addin: Path) -> None:
    with zipfile.ZipFile(addin) as package:
        assert package.testzip() is None
        types = package.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
        assert "application/vnd.ms-office.vbaProject" in types
        relations = ElementTree.fromstring(package.read("_rels/.rels"))
        targets = {r.get("Type", "").rsplit("/", 1)[-1]: r.get("Target") for r in relations}
        assert targets["extensibility"] == "customUI/customUI.xml"
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(package.read(name))  # well-formed


def test_the_ribbon_has_a_button_per_action_each_calling_its_callback(addin: Path) -> None:
    with zipfile.ZipFile(addin) as package:
        ui = ElementTree.fromstring(package.read("customUI/customUI.xml"))
    tabs = ui.findall(f".//{UI}tab")
    assert [tab.get("label") for tab in tabs] == ["Partner Close"]
    groups = tabs[0].findall(f"{UI}group")
    assert [
        [(b.get("label"), b.get("onAction")) for b in group.findall(f"{UI}button")]
        for group in groups
    ] == [
        [
            ("Validate", "PartnerCloseRibbon.PC_Validate"),
            ("Draft close", "PartnerCloseRibbon.PC_DraftClose"),
            ("Final close", "PartnerCloseRibbon.PC_FinalClose"),
            ("Run close", "PartnerCloseRibbon.PC_RunClose"),
        ],
        [
            ("Reopen", "PartnerCloseRibbon.PC_Reopen"),
            ("Approve", "PartnerCloseRibbon.PC_Approve"),
            ("Reject", "PartnerCloseRibbon.PC_Reject"),
            ("What-if", "PartnerCloseRibbon.PC_WhatIf"),
            ("History", "PartnerCloseRibbon.PC_History"),
        ],
        [("Send statements", "PartnerCloseRibbon.PC_SendStatements")],
        [
            ("Check this computer", "PartnerCloseRibbon.PC_CheckComputer"),
            ("Self-test", "PartnerCloseRibbon.PC_SelfTest"),
        ],
    ]


def test_the_vba_project_is_partnerclose_s_own(addin: Path) -> None:
    macros = _macros(addin)
    assert set(macros) == {
        "PartnerCloseRibbon",
        "PartnerCloseRunPython",
        "ThisWorkbook",
        "PartnerCloseSettings",
    }
    ribbon = macros["PartnerCloseRibbon"]
    assert re.search(r"^Public Sub PC_RunClose\(control As IRibbonControl\)", ribbon, re.M)
    assert 'PC_RunPython "import " & PC_MODULE & "; " & PC_MODULE & "." & PythonCall' in ribbon
    assert "Public Function PC_RunPython" in macros["PartnerCloseRunPython"]


def test_the_config_sheet_names_the_module_and_the_interpreter(addin: Path) -> None:
    # the VBA reads the sheet `<PC_SETTINGS>.conf`, keys in column A from A1 down
    settings = re.search(
        r'PC_SETTINGS As String = "(\w+)"', _macros(addin)["PartnerCloseRunPython"]
    )
    assert settings is not None
    assert f"{settings.group(1)}.conf" == CONFIG_SHEET
    assert _config(addin) == [
        ["Module", ADDIN_MODULE],
        ["ADD_WORKBOOK_TO_PYTHONPATH", "false"],  # xlwings must not map OneDrive addresses
        ["Interpreter_Win", WINDOWS_PYTHON],
    ]


def test_settings_left_blank_are_left_out_for_the_config_files(tmp_path: Path) -> None:
    # a key on the sheet is final for the VBA, even blank: it would hide the config files
    plain = build(tmp_path, Config())
    assert _config(plain) == [["Module", ADDIN_MODULE], ["ADD_WORKBOOK_TO_PYTHONPATH", "false"]]


def test_an_installer_fills_in_the_interpreters(addin: Path, tmp_path: Path) -> None:
    copy = tmp_path / ADDIN_FILE
    copy.write_bytes(addin.read_bytes())
    configure(copy, Config(r"%LOCALAPPDATA%\P & Co\pythonw.exe", "/opt/pc/bin/python"))
    assert {row[0]: row[1] for row in _config(copy)} == {
        "Module": ADDIN_MODULE,
        "ADD_WORKBOOK_TO_PYTHONPATH": "false",
        "Interpreter_Win": r"%LOCALAPPDATA%\P & Co\pythonw.exe",
        "Interpreter_Mac": "/opt/pc/bin/python",
    }
    assert _macros(copy) == _macros(addin)  # the VBA project untouched


def test_the_build_gives_the_same_bytes_and_prints_its_path(
    addin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path), "--interpreter-win", WINDOWS_PYTHON]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / ADDIN_FILE)
    assert (tmp_path / ADDIN_FILE).read_bytes() == addin.read_bytes()


# --- customUI against the Office customUI schema ---------------------------------------
# The schema ([MS-CUSTOMUI], customUI.xsd, namespace .../office/2006/01/customui) is not
# shipped by any package this project may install, and the copies in public repositories
# may not be copied into it. Its constraints on what this ribbon uses are encoded here, as
# the schema states them: the element nesting (customUI > ribbon > tabs > tab > group >
# button), each element's allowed attributes, ST_UniqueID (an xsd:ID: an NCName, unique
# in the file, 1-1024 characters), ST_String and ST_Delegate (1-1024 characters), ST_ID
# (an NCName) and ST_Size ("normal" or "large"); CT_Tabs holds 1-100 tabs, CT_Tab up to
# 100 groups, CT_Group up to 1000 controls.

_NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
_CHILDREN = {
    "customUI": ({"ribbon"}, 1),
    "ribbon": ({"tabs"}, 1),
    "tabs": ({"tab"}, 100),
    "tab": ({"group"}, 100),
    "group": ({"button", "separator"}, 1000),
    "button": (set(), 0),
}
# what tab, group and button share (CT_Tab's attributes), and add in turn
_POSITIONED = {
    "getKeytip",
    "getLabel",
    "getVisible",
    "id",
    "idMso",
    "idQ",
    "insertAfterMso",
    "insertAfterQ",
    "insertBeforeMso",
    "insertBeforeQ",
    "keytip",
    "label",
    "tag",
    "visible",
}
_PICTURED = _POSITIONED | {
    "getImage",
    "getScreentip",
    "getSupertip",
    "image",
    "imageMso",
    "screentip",
    "supertip",
}
_ATTRIBUTES = {
    "customUI": {"loadImage", "onLoad"},
    "ribbon": {"startFromScratch"},
    "tabs": set(),
    "tab": _POSITIONED,
    "group": _PICTURED,
    "button": _PICTURED
    | {
        "description",
        "enabled",
        "getDescription",
        "getEnabled",
        "getShowImage",
        "getShowLabel",
        "getSize",
        "onAction",
        "showImage",
        "showLabel",
        "size",
    },
}
_STRINGS = {"label", "screentip", "supertip", "tag", "description", "onAction", "onLoad"}


def custom_ui_violations(xml: bytes) -> list[str]:
    """What breaks the customUI schema's constraints above (empty: none)."""
    root = ElementTree.fromstring(xml)
    found: list[str] = []
    ids: set[str] = set()

    def visit(element: object, expected: set[str]) -> None:
        tag = element.tag  # type: ignore[attr-defined]
        namespace, _, name = tag[1:].partition("}")
        if namespace != UI[1:-1]:
            found.append(f"{tag}: not in the customUI namespace")
            return
        if name not in expected:
            found.append(f"{name}: not allowed here (expected {sorted(expected)})")
            return
        for attribute, value in element.attrib.items():  # type: ignore[attr-defined]
            if attribute not in _ATTRIBUTES[name]:
                found.append(f"{name}@{attribute}: not an attribute of {name}")
            if attribute in _STRINGS and not 1 <= len(value) <= 1024:
                found.append(f"{name}@{attribute}: must be 1-1024 characters")
            if attribute in ("id", "idMso", "imageMso") and not _NCNAME.match(value):
                found.append(f"{name}@{attribute}={value!r}: not an NCName")
        if "id" in element.attrib:  # type: ignore[attr-defined]
            if element.attrib["id"] in ids:  # type: ignore[attr-defined]
                found.append(f"{name}@id={element.attrib['id']!r}: not unique")  # type: ignore[attr-defined]
            ids.add(element.attrib["id"])  # type: ignore[attr-defined]
        if name == "button" and element.attrib.get("size", "normal") not in ("normal", "large"):  # type: ignore[attr-defined]
            found.append("button@size: must be normal or large")
        allowed, most = _CHILDREN[name]
        children = list(element)  # type: ignore[call-overload]
        if len(children) > most:
            found.append(f"{name}: at most {most} children, found {len(children)}")
        if name == "tabs" and not children:
            found.append("tabs: at least one tab")
        for child in children:
            visit(child, allowed)

    visit(root, {"customUI"})
    return found


def test_the_ribbon_keeps_to_the_customui_schema(addin: Path) -> None:
    with zipfile.ZipFile(addin) as package:
        xml = package.read("customUI/customUI.xml")
    assert custom_ui_violations(xml) == []


@pytest.mark.parametrize(
    ("change", "violation"),
    [
        ('id="runCloseButton"', 'id="partnerCloseTab"'),  # a second tab id
        ('size="large"', 'size="huge"'),
        ('imageMso="MacroPlay"', 'imageMso="Macro Play"'),
        ('label="Run close"', 'label=""'),
        ('label="Run close"', 'caption="Run close"'),
    ],
)
def test_the_schema_check_catches_what_excel_would_refuse(
    addin: Path, change: str, violation: str
) -> None:
    with zipfile.ZipFile(addin) as package:
        xml = package.read("customUI/customUI.xml").decode()
    assert change in xml
    assert custom_ui_violations(xml.replace(change, violation, 1).encode()) != []
