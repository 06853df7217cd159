"""The add-in's own VBA project: generated from `excel_addin/vba/`, read back by
independent readers (oletools' olevba, olefile), checked record by record against
[MS-OVBA] and [MS-CFB], and against the VBA project of xlwings's add-in template,
which Excel opens (it is source only too).

Excel itself has not opened the generated file on this machine (there is no Excel
here): the self-test is what checks it on a real one (docs/excel-addin.md).
"""

from __future__ import annotations

import io
import random
import re
import struct
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import olefile  # type: ignore[import-untyped]
import pytest
import xlwings as xw
from hypothesis import given, settings
from hypothesis import strategies as st

from excel_addin import build, checks
from excel_addin.build import (
    ADDIN_MODULE,
    PROJECT_ID,
    PROJECT_NAME,
    SETTINGS_CODE_NAME,
    SETTINGS_NAME,
    VBA_SOURCE,
    vba_modules,
)
from excel_addin.compound_file import sibling_key
from excel_addin.ribbon import BUTTONS, RIBBON_MODULE, Button
from excel_addin.vba_compression import (
    CorruptContainerError,
    IncompressibleChunkError,
    compress,
    decompress,
)
from excel_addin.vba_project import decrypt, encrypt, project_key, public_procedures

with warnings.catch_warnings():  # oletools uses pyparsing's old names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser, decompress_stream  # type: ignore[import-untyped]

XLWINGS_TEMPLATE = Path(xw.__file__).parent / "quickstart_addin_ribbon.xlam"
STANDARD = ("PartnerCloseRibbon", "PartnerCloseRunPython")
DOCUMENTS = ("ThisWorkbook", SETTINGS_CODE_NAME)


@pytest.fixture(scope="module")
def addin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build.build(tmp_path_factory.mktemp("addin"))


def _vba_bin(package: Path) -> bytes:
    with zipfile.ZipFile(package) as opened:
        return opened.read("xl/vbaProject.bin")


@pytest.fixture(scope="module")
def ole(addin: Path) -> Iterator[olefile.OleFileIO]:
    opened = olefile.OleFileIO(io.BytesIO(_vba_bin(addin)), raise_defects=olefile.DEFECT_INCORRECT)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def template() -> Iterator[olefile.OleFileIO]:
    opened = olefile.OleFileIO(io.BytesIO(_vba_bin(XLWINGS_TEMPLATE)))
    yield opened
    opened.close()


def _source(name: str) -> str:
    """A module's source as the project must store it: the file's lines, CRLF."""
    return (VBA_SOURCE / f"{name}.bas").read_text(encoding="cp1252").replace("\n", "\r\n")


def _records(data: bytes) -> list[tuple[int, bytes]]:
    """The dir stream's records (id, data); PROJECTVERSION's size field is "Reserved"."""
    found, at = [], 0
    while at < len(data):
        record_id, size = struct.unpack_from("<HI", data, at)
        at += 6
        size = 6 if record_id == 0x0009 else size
        found.append((record_id, data[at : at + size]))
        at += size
    assert at == len(data)
    return found


def _dir(ole: olefile.OleFileIO) -> list[tuple[int, bytes]]:
    return _records(decompress(ole.openstream("VBA/dir").read()))


# --- compression ([MS-OVBA] 2.4.1) -------------------------------------------------------

_WORDS = st.sampled_from(
    ["Dim", "As", "String", "If", "Then", "End", "Sub", "PC_Run", "=", "&", '"', "'", "(", ")"]
)
_VBA_LIKE = st.lists(
    st.one_of(_WORDS, st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", max_size=12)),
    max_size=4000,
).map(lambda words: "".join(f"{w}\r\n" if i % 9 == 8 else f"{w} " for i, w in enumerate(words)))


def _both_decompressors(container: bytes) -> tuple[bytes, bytes]:
    return decompress(container), bytes(decompress_stream(bytearray(container)))


@settings(max_examples=60, deadline=None)
@given(_VBA_LIKE)
def test_any_source_text_round_trips_through_both_decompressors(text: str) -> None:
    data = text.encode("cp1252")
    container = compress(data)
    assert _both_decompressors(container) == (data, data)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3640))
def test_any_bytes_that_fit_one_chunk_round_trip(data: bytes) -> None:
    # 3640 literals and their 455 flag bytes take 4095 bytes: such a chunk always fits
    assert _both_decompressors(compress(data)) == (data, data)


def test_long_runs_late_in_a_chunk_keep_to_the_copy_token_s_length() -> None:
    # At 2,100 bytes into a chunk a copy token has 12 offset bits and 4 length bits: a
    # match is at most 18 bytes (MS-OVBA 2.4.1.3.19.3), so a run of 40 spaces takes
    # several tokens. (ms-ovba-compression 1.0.1 packs it into one, corrupting it.)
    data = (bytes(range(65, 91)) * 81)[:2100] + b" " * 40 + b"End Sub\r\n"
    container = compress(data)
    assert _both_decompressors(container) == (data, data)


def test_every_chunk_is_compressed_and_a_chunk_without_repeats_is_refused() -> None:
    text = _source("PartnerCloseRunPython").encode("cp1252")
    container = compress(text)
    at, chunks = 1, 0
    while at < len(container):
        header = int.from_bytes(container[at : at + 2], "little")
        assert header >> 15 == 1
        assert (header >> 12) & 0b111 == 0b011
        at += (header & 0x0FFF) + 3
        chunks += 1
    assert at == len(container)
    assert chunks == -(-len(text) // 4096) > 1  # 4096 bytes a chunk
    assert _both_decompressors(container) == (text, text)
    # random bytes have about no 3-byte repeats: 4096 literals and 512 flag bytes
    noise = random.Random(7).randbytes(4096)
    with pytest.raises(IncompressibleChunkError):
        compress(noise)
    assert _both_decompressors(compress(noise[:3640])) == (noise[:3640], noise[:3640])


def test_the_decompressor_reads_what_excel_wrote_and_refuses_what_is_no_container(
    template: olefile.OleFileIO,
) -> None:
    written = template.openstream("VBA/dir").read()
    assert decompress(written) == bytes(decompress_stream(bytearray(written)))
    for broken in (b"", b"\x02\x00", b"\x01\x05", b"\x01\x03\xb0\x01\x01\x00"):
        with pytest.raises(CorruptContainerError):
            decompress(broken)


# --- the project's streams ---------------------------------------------------------------


def test_olevba_reads_back_exactly_our_source_per_module(addin: Path) -> None:
    parser = VBA_Parser(str(addin))
    try:
        macros = {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()
    assert set(macros) == {*STANDARD, *DOCUMENTS}
    for name in STANDARD:
        assert macros[name] == _source(name)
    assert macros["ThisWorkbook"].startswith(
        'Attribute VB_Name = "ThisWorkbook"\r\n'
        'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\r\n'
    )
    assert 'VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in macros[SETTINGS_CODE_NAME]


def test_olefile_finds_the_streams_of_a_source_only_project(ole: olefile.OleFileIO) -> None:
    assert ole.parsing_issues == []
    assert sorted("/".join(path) for path in ole.listdir()) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"]
        + [f"VBA/{name}" for name in (*STANDARD, *DOCUMENTS)]
    )
    # Reserved1 0x61CC; Version 0xFFFF, which makes Office compile the source; no cache
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    for name in STANDARD:  # MODULEOFFSET 0: the stream is the compressed source, no p-code
        assert decompress(ole.openstream(f"VBA/{name}").read()) == _source(name).encode()


def test_the_dir_stream_has_the_records_of_ms_ovba_in_order(ole: olefile.OleFileIO) -> None:
    records = _dir(ole)
    ids = [record_id for record_id, _ in records]
    information = [0x01, 0x02, 0x14, 0x03, 0x04, 0x05, 0x40, 0x06, 0x3D, 0x07, 0x08, 0x09]
    assert ids[: len(information) + 2] == [*information, 0x0C, 0x3C]
    assert dict(records)[0x04] == PROJECT_NAME.encode()
    assert dict(records)[0x03] == struct.pack("<H", 1252)
    # one registered reference: the Office library (IRibbonControl)
    assert ids[14:17] == [0x16, 0x3E, 0x0D]
    assert b"{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}" in records[16][1]
    modules = ids.index(0x0F)
    assert records[modules][1] == struct.pack("<H", 4)  # PROJECTMODULES: 4 modules
    assert records[modules + 1] == (0x13, b"\xff\xff")  # PROJECTCOOKIE
    per_module, current = {}, None
    for record_id, data in records[modules + 2 : -1]:
        if record_id == 0x19:
            current = data.decode()
            per_module[current] = []
        per_module[current].append((record_id, data))
    assert list(per_module) == [*STANDARD, *DOCUMENTS]
    for name, fields in per_module.items():
        found = dict(fields)
        assert found[0x47] == name.encode("utf-16-le")
        assert found[0x1A] == name.encode()
        assert found[0x32] == name.encode("utf-16-le")
        assert found[0x31] == b"\0\0\0\0"  # MODULEOFFSET: source only
        assert found[0x2C] == b"\xff\xff"  # MODULECOOKIE
        assert (0x22 in found) == (name in DOCUMENTS)
        assert (0x21 in found) == (name in STANDARD)
        assert fields[-1] == (0x2B, b"")
    assert records[-1] == (0x10, b"")


def test_the_records_are_those_of_xlwings_s_template_which_excel_opens(
    ole: olefile.OleFileIO, template: olefile.OleFileIO
) -> None:
    ours, theirs = _dir(ole), _dir(template)

    def shape(records: list[tuple[int, bytes]], module: str) -> list[int]:
        start = records.index((0x19, module.encode()))
        end = next(i for i in range(start, len(records)) if records[i][0] == 0x2B)
        return [record_id for record_id, _ in records[start : end + 1]]

    def information(records: list[tuple[int, bytes]]) -> list[int]:
        return [record_id for record_id, _ in records[: [r for r, _ in records].index(0x16)]]

    assert information(ours) == information(theirs)
    assert shape(ours, "PartnerCloseRibbon") == shape(theirs, "RibbonMyAddin")
    assert shape(ours, "ThisWorkbook") == shape(theirs, "ThisWorkbook")
    office = [r for r, d in theirs if r == 0x0D and b"2DF8D04C" in d]
    assert office
    assert [r for r, d in ours if r == 0x0D] == office


def test_the_project_stream_names_the_modules_and_is_unprotected(ole: olefile.OleFileIO) -> None:
    text = ole.openstream("PROJECT").read().decode("cp1252")
    assert text.startswith(f'ID="{PROJECT_ID}"\r\n')
    assert re.findall(r"^(Module|Document)=(\w+)", text, re.M) == [
        ("Module", "PartnerCloseRibbon"),
        ("Module", "PartnerCloseRunPython"),
        ("Document", "ThisWorkbook"),
        ("Document", SETTINGS_CODE_NAME),
    ]
    assert f'Name="{PROJECT_NAME}"' in text
    values = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', text, re.M))
    key = project_key(PROJECT_ID)
    assert decrypt(values["CMG"]) == (key, b"\0\0\0\0")  # not protected
    assert decrypt(values["DPB"]) == (key, b"\0")  # no password
    assert decrypt(values["GC"]) == (key, b"\xff")  # visible
    assert "\r\n[Host Extender Info]\r\n&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A}" in text
    wm = ole.openstream("PROJECTwm").read()
    assert (
        wm
        == b"".join(
            n.encode() + b"\0" + n.encode("utf-16-le") + b"\0\0" for n in (*STANDARD, *DOCUMENTS)
        )
        + b"\0\0"
    )


def test_the_encryption_reads_what_excel_wrote(template: olefile.OleFileIO) -> None:
    text = template.openstream("PROJECT").read().decode("cp1252")
    project_id = re.search(r'^ID="(\{[0-9A-F-]+\})"', text, re.M).group(1)  # type: ignore[union-attr]
    values = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', text, re.M))
    assert decrypt(values["CMG"]) == (project_key(project_id), b"\0\0\0\0")
    assert decrypt(values["GC"]) == (project_key(project_id), b"\xff")
    for seed in (0, 0x5D, 0xFF):  # any seed; 0-3 ignored bytes
        assert decrypt(encrypt(project_id, b"\x01\x02\x03", seed)) == (
            project_key(project_id),
            b"\x01\x02\x03",
        )


def test_the_compound_file_keeps_siblings_in_order_and_black(ole: olefile.OleFileIO) -> None:
    vba = next(e for e in ole.direntries if e is not None and e.name == "VBA")
    chain, sid = [], vba.sid_child
    while sid != olefile.NOSTREAM:
        entry = ole.direntries[sid]
        assert entry.sid_left == olefile.NOSTREAM
        assert entry.color == 1
        chain.append(entry.name)
        sid = entry.sid_right
    assert chain == sorted(chain, key=sibling_key)
    assert chain[:2] == ["dir", "ThisWorkbook"]  # shorter names first


def test_the_build_takes_the_modules_from_the_vba_folder(tmp_path: Path) -> None:
    (tmp_path / "PartnerCloseExtra.bas").write_text(
        'Attribute VB_Name = "PartnerCloseExtra"\nPublic Sub PC_Extra()\nEnd Sub\n'
    )
    names = [module.name for module in vba_modules(tmp_path)]
    assert names == ["PartnerCloseExtra", *DOCUMENTS]
    (tmp_path / "Misnamed.bas").write_text('Attribute VB_Name = "Other"\n')
    with pytest.raises(ValueError, match="must start with Attribute VB_Name"):
        vba_modules(tmp_path)


# --- names, callbacks and the error-91 guard ----------------------------------------------


def _procedures(name: str) -> dict[str, str]:
    """Each procedure of a module: its name -> its text from Sub/Function to End."""
    return {
        match.group(2): match.group(0)
        for match in re.finditer(
            r"^(?:Public |Private )?(Sub|Function) (\w+)\(.*?^End \1$",
            _source(name).replace("\r\n", "\n"),
            re.M | re.S,
        )
    }


def test_module_and_public_names_are_partnerclose_s_own() -> None:
    for module in vba_modules():
        if module.name != "ThisWorkbook":  # every workbook's own module: not a global name
            assert module.name.startswith("PartnerClose"), module.name
        for procedure in public_procedures(module.source):
            assert procedure.startswith("PC_"), f"{module.name}.{procedure}"
    publics = [p for m in vba_modules() for p in public_procedures(m.source)]
    assert len(publics) == len(set(publics))


def test_every_button_calls_a_public_sub_of_its_own(addin: Path) -> None:
    with zipfile.ZipFile(addin) as package:
        ui = package.read("customUI/customUI.xml").decode()
    actions = re.findall(r'onAction="([^"]+)"', ui)
    assert actions == [button.on_action for button in BUTTONS]
    callbacks = public_procedures(_source(RIBBON_MODULE))
    assert [action.partition(".") for action in actions] == [
        (RIBBON_MODULE, ".", callback) for callback in callbacks
    ]  # one callback per button, none without a button
    assert len(set(actions)) == len(actions) == 12


@pytest.mark.parametrize("button", BUTTONS, ids=lambda b: b.callback)
def test_each_callback_guards_against_no_workbook_then_runs_its_python(button: Button) -> None:
    callback = _procedures(RIBBON_MODULE)[button.callback]
    body = [line.strip() for line in callback.splitlines()[1:-1]]
    assert callback.startswith(f"Public Sub {button.callback}(control As IRibbonControl)")
    assert body == [
        "If PC_NoWorkbook() Then Exit Sub",  # before anything touches ActiveWorkbook
        f'PC_Run "{button.python}"',
    ]


def test_the_guard_and_the_runner_show_messages_not_the_debugger() -> None:
    procedures = _procedures(RIBBON_MODULE)
    guard = procedures["PC_NoWorkbook"]
    assert "If ActiveWorkbook Is Nothing Then" in guard
    assert "MsgBox " in guard
    assert "PC_NoWorkbook = True" in guard
    runner = procedures["PC_Run"]
    assert runner.splitlines()[2].strip() == "On Error GoTo Failed"
    assert 'PC_RunPython "import " & PC_MODULE & "; " & PC_MODULE & "." & PythonCall' in runner
    assert "If Err.Number = 70 Then" in runner  # Defender's rule: said in words
    assert "Option Explicit" in _source(RIBBON_MODULE)
    assert "Option Explicit" in _source("PartnerCloseRunPython")


def _constant(module: str, name: str) -> str:
    found = re.search(rf'^Private Const {name} As String = "([^"]*)"', _source(module), re.M)
    assert found is not None, name
    return found.group(1)


def test_the_vba_s_constants_match_the_python_side() -> None:
    assert _constant(RIBBON_MODULE, "PC_MODULE") == ADDIN_MODULE
    assert _constant("PartnerCloseRunPython", "PC_SETTINGS") == SETTINGS_NAME
    # macOS: RunPython calls xlwings-<version>.applescript, installed by that xlwings
    assert _constant("PartnerCloseRunPython", "PC_XLWINGS_VERSION") == checks.XLWINGS_VERSION
    assert xw.__version__ == checks.XLWINGS_VERSION
    # xlwings's Python runs the macro CleanUp by this name on macOS when it exits
    assert "Private Sub CleanUp()" in _source("PartnerCloseRunPython")


def test_the_command_line_is_the_one_xlwings_s_book_caller_reads() -> None:
    source = _source("PartnerCloseRunPython")
    for part in ('" --wb=""', '""" --from_xl=1"', '" --hwnd=""', "xlwings.utils.prepare_sys_path"):
        assert part in source, part
    assert '"VbaHandler"' in source  # the handler of xlwings' AppleScript (macOS)


def test_the_config_sheet_s_code_name_is_its_module(addin: Path) -> None:
    with zipfile.ZipFile(addin) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert [
            f'<sheetPr codeName="{SETTINGS_CODE_NAME}"' in package.read(n).decode() for n in sheets
        ] == [True]
        assert '<workbookPr codeName="ThisWorkbook"' in package.read("xl/workbook.xml").decode()
