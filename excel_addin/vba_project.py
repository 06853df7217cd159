"""The add-in's VBA project (`xl/vbaProject.bin`), written from source ([MS-OVBA]).

The project is "source only": each module stream holds the compressed source and
no compiled code (its `MODULEOFFSET` is 0), and the `_VBA_PROJECT` stream has
the version 0xFFFF, which [MS-OVBA] 1.6 and 2.3.4.1 prescribe on write: Office
then ignores every performance cache and compiles the source when it opens the
project. The other streams:

- `VBA/dir` (compressed): the project's information records, its references
  (the Office object library, for `IRibbonControl`; VBA's own and Excel's are
  implied), and a record set per module ([MS-OVBA] 2.3.4.2);
- `PROJECT`: the project's properties as text, with the protection state, the
  password and the visibility encrypted as [MS-OVBA] 2.4.3 says (not protected,
  no password, visible);
- `PROJECTwm`: each module's name in the code page and in UTF-16.

Records and values follow the VBA project xlwings ships in its add-in templates
(which Excel opens, and which is itself source only), where the specification
leaves a choice. The streams go into a compound file (`compound_file`).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from excel_addin.compound_file import compound_file
from excel_addin.vba_compression import compress

# _VBA_PROJECT: Reserved1 0x61CC, Version 0xFFFF (source only), Reserved2 0x00,
# Reserved3 0x0001 (as in [MS-OVBA] 3.1.1), no performance cache
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000100")
HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"  # Excel's Workbook class
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"  # Excel's Worksheet class
_ENGLISH_US = 0x0409
_WIN32 = 0x00000001  # SysKind; Office compiles for what it runs on
_COOKIE = 0xFFFF  # [MS-OVBA]: "MUST be 0xFFFF on write"
_SEED = 0x5D  # the encryption's seed: any byte; fixed so that a build is reproducible
_VB_NAME = re.compile(r'\AAttribute VB_Name = "(?P<name>[A-Za-z][A-Za-z0-9_]*)"\r\n')


@dataclass(frozen=True, slots=True)
class Module:
    """A module: its name and its source as the project stores it (CRLF lines,
    `Attribute VB_Name = "<name>"` first)."""

    name: str
    source: str
    document: bool = False  # the workbook's or a sheet's module, else a standard module

    def __post_init__(self) -> None:
        found = _VB_NAME.match(self.source)
        if found is None or found.group("name") != self.name:
            raise ValueError(
                f'module {self.name}: its source must start with Attribute VB_Name = "{self.name}"'
            )
        if "\n" in self.source.replace("\r\n", "") or not self.source.endswith("\r\n"):
            raise ValueError(f"module {self.name}: lines end with CRLF")


@dataclass(frozen=True, slots=True)
class Reference:
    """A registered type library the project refers to ([MS-OVBA] 2.3.4.2.2.5)."""

    name: str
    libid: str


OFFICE_LIBRARY = Reference(
    "Office",
    r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
    r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL"
    "#Microsoft Office 16.0 Object Library",
)


@dataclass(frozen=True, slots=True)
class Project:
    name: str
    id: str  # "{GUID}", upper case
    modules: tuple[Module, ...]
    references: tuple[Reference, ...] = (OFFICE_LIBRARY,)
    code_page: int = 1252

    def encoded(self, text: str) -> bytes:
        """`text` in the project's code page (MBCS); what it cannot hold is an error."""
        return text.encode(f"cp{self.code_page}")


def document_module(name: str, base: str) -> Module:
    """The module of the workbook (`WORKBOOK_BASE`) or of a sheet (`WORKSHEET_BASE`)
    whose code name is `name`: attributes only, as Excel writes them."""
    attributes = [
        f'VB_Name = "{name}"',
        f'VB_Base = "{base}"',
        "VB_GlobalNameSpace = False",
        "VB_Creatable = False",
        "VB_PredeclaredId = True",
        "VB_Exposed = True",
        "VB_TemplateDerived = False",
        "VB_Customizable = True",
    ]
    return Module(name, "".join(f"Attribute {a}\r\n" for a in attributes), document=True)


def vba_project_bin(project: Project) -> bytes:
    """The compound file `xl/vbaProject.bin` of `project`."""
    return compound_file(project_streams(project))


def project_streams(project: Project) -> dict[str, bytes]:
    names = [module.name.upper() for module in project.modules]
    if len(set(names)) != len(names) or project.name.upper() in names:
        raise ValueError("module names must differ from each other and from the project's")
    return {
        "PROJECT": project_text(project),
        "PROJECTwm": project_wm(project),
        "VBA/_VBA_PROJECT": VBA_PROJECT_STREAM,
        "VBA/dir": compress(dir_stream(project)),
        **{f"VBA/{m.name}": compress(project.encoded(m.source)) for m in project.modules},
    }


# --- dir stream ([MS-OVBA] 2.3.4.2) -----------------------------------------------------


def _record(record_id: int, data: bytes = b"") -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _u16(value: int) -> bytes:
    return struct.pack("<H", value)


def _u32(value: int) -> bytes:
    return struct.pack("<I", value)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _text_pair(first: int, second: int, project: Project, text: str) -> bytes:
    """A record in the code page followed by its UTF-16 twin."""
    return _record(first, project.encoded(text)) + _record(second, _utf16(text))


def dir_stream(project: Project) -> bytes:
    """The decompressed `dir` stream: information, references, modules, terminator."""
    return b"".join(
        [
            _record(0x0001, _u32(_WIN32)),  # PROJECTSYSKIND
            _record(0x0002, _u32(_ENGLISH_US)),  # PROJECTLCID
            _record(0x0014, _u32(_ENGLISH_US)),  # PROJECTLCIDINVOKE
            _record(0x0003, _u16(project.code_page)),  # PROJECTCODEPAGE
            _record(0x0004, project.encoded(project.name)),  # PROJECTNAME
            _text_pair(0x0005, 0x0040, project, ""),  # PROJECTDOCSTRING
            _text_pair(0x0006, 0x003D, project, ""),  # PROJECTHELPFILEPATH
            _record(0x0007, _u32(0)),  # PROJECTHELPCONTEXT
            _record(0x0008, _u32(0)),  # PROJECTLIBFLAGS
            struct.pack("<HIIH", 0x0009, 4, 1, 0),  # PROJECTVERSION 1.0 (Reserved is 4)
            _text_pair(0x000C, 0x003C, project, ""),  # PROJECTCONSTANTS
            *(_reference(project, reference) for reference in project.references),
            _record(0x000F, _u16(len(project.modules))),  # PROJECTMODULES
            _record(0x0013, _u16(_COOKIE)),  # PROJECTCOOKIE
            *(_module_records(project, module) for module in project.modules),
            _record(0x0010),  # terminator
        ]
    )


def _reference(project: Project, reference: Reference) -> bytes:
    libid = project.encoded(reference.libid)
    registered = _u32(len(libid)) + libid + _u32(0) + _u16(0)
    return (
        _text_pair(0x0016, 0x003E, project, reference.name)  # REFERENCENAME
        + _record(0x000D, registered)  # REFERENCEREGISTERED
    )


def _module_records(project: Project, module: Module) -> bytes:
    return b"".join(
        [
            _record(0x0019, project.encoded(module.name)),  # MODULENAME
            _record(0x0047, _utf16(module.name)),  # MODULENAMEUNICODE
            _text_pair(0x001A, 0x0032, project, module.name),  # MODULESTREAMNAME
            _text_pair(0x001C, 0x0048, project, ""),  # MODULEDOCSTRING
            _record(0x0031, _u32(0)),  # MODULEOFFSET: the source starts the stream
            _record(0x001E, _u32(0)),  # MODULEHELPCONTEXT
            _record(0x002C, _u16(_COOKIE)),  # MODULECOOKIE
            _record(0x0022 if module.document else 0x0021),  # MODULETYPE
            _record(0x002B),  # terminator
        ]
    )


# --- PROJECT and PROJECTwm ([MS-OVBA] 2.3.1, 2.3.3) -------------------------------------


def project_text(project: Project) -> bytes:
    lines = [f'ID="{project.id}"']
    for module in project.modules:
        lines.append(
            f"Document={module.name}/&H00000000" if module.document else f"Module={module.name}"
        )
    lines += [
        f'Name="{project.name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(project.id, _u32(0))}"',  # protection state: not protected
        f'DPB="{encrypt(project.id, bytes([0]))}"',  # password: none
        f'GC="{encrypt(project.id, bytes([0xFF]))}"',  # visibility: visible
        "",
        "[Host Extender Info]",
        HOST_EXTENDER,
        "",
        "[Workspace]",
        *(f"{module.name}=0, 0, 0, 0, C" for module in project.modules),
    ]
    return project.encoded("".join(f"{line}\r\n" for line in lines))


def project_wm(project: Project) -> bytes:
    names = (project.encoded(m.name) + b"\0" + _utf16(m.name) + b"\0\0" for m in project.modules)
    return b"".join(names) + b"\0\0"


# --- data encryption ([MS-OVBA] 2.4.3) ---------------------------------------------------


def project_key(project_id: str) -> int:
    """ProjKey: the sum of the bytes of the project's ID, as a byte."""
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt(project_id: str, data: bytes, seed: int = _SEED) -> str:
    """`data` encrypted as [MS-OVBA] 2.4.3.2 says, as hexadecimal text."""
    version = 2
    key = project_key(project_id)
    out = [seed, version ^ seed, key ^ seed]
    state = [key, key ^ seed, version ^ seed]  # UnencryptedByte1, EncryptedByte1, EncryptedByte2

    def put(byte: int) -> None:
        encrypted = byte ^ ((state[2] + state[0]) & 0xFF)
        out.append(encrypted)
        state[:] = [byte, encrypted, state[1]]

    for _ in range((seed & 6) // 2):  # ignored bytes: any value
        put(0)
    for byte in (*_u32(len(data)), *data):
        put(byte)
    return bytes(out).hex().upper()


def decrypt(text: str) -> tuple[int, bytes]:
    """(ProjKey, data) of an encrypted value ([MS-OVBA] 2.4.3.3)."""
    raw = bytes.fromhex(text)
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    if version_enc ^ seed != 2:
        raise ValueError("not an encrypted value of version 2")
    key = key_enc ^ seed
    state = [key, key_enc, version_enc]
    plain = []
    for encrypted in raw[3:]:
        byte = encrypted ^ ((state[2] + state[0]) & 0xFF)
        plain.append(byte)
        state[:] = [byte, encrypted, state[1]]
    ignored = (seed & 6) // 2
    length = int.from_bytes(bytes(plain[ignored : ignored + 4]), "little")
    data = bytes(plain[ignored + 4 :])
    if len(data) != length:
        raise ValueError(f"the value says {length} bytes and holds {len(data)}")
    return key, data


def public_procedures(source: str) -> list[str]:
    """The names of the Public Subs and Functions of a module's source (VBA's default
    for a procedure without Private/Friend is Public)."""
    found = []
    for line in source.splitlines():
        match = re.match(r"\s*(Public\s+|Private\s+|Friend\s+)?(Sub|Function)\s+(\w+)", line)
        if match and (match.group(1) or "Public").strip() == "Public":
            found.append(match.group(3))
    return found


def standard_module(name: str, text: str) -> Module:
    """A standard module from a `.bas` file's text (any line endings)."""
    lines: Iterable[str] = text.splitlines()
    return Module(name, "".join(f"{line}\r\n" for line in lines))
