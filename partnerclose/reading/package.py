"""A workbook's zip package, unpacked within limits and made plain UTF-8.

Every part is inflated in bounded chunks, counting what really comes out: a zip
may declare any size, so declared sizes are only a first, cheap refusal, and the
count stops at the limit. XML parts in another encoding than UTF-8 (UTF-16 is
valid for a package) are decoded and re-encoded as UTF-8, and the package handed
to calamine is rebuilt with them, so a sheet is never read as empty because of
its encoding. No XML part may declare a DTD, wherever its prolog puts it.
"""

from __future__ import annotations

import codecs
import copy
import io
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_CHUNK = 1 << 20
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_MB = 1024 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UNMARKED = (
    (b"<\0\0\0", "utf-32-le"),
    (b"\0\0\0<", "utf-32-be"),
    (b"<\0", "utf-16-le"),
    (b"\0<", "utf-16-be"),
)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_DECLARATION_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")


class PackageRefusedError(Exception):
    """The package breaks a limit or a rule; the message says which."""


@dataclass(frozen=True, slots=True)
class Package:
    """The bytes calamine reads, and the XML parts the caller kept (as UTF-8)."""

    data: bytes
    names: frozenset[str]
    parts: Mapping[str, bytes]


def unpack(data: bytes, keep: Callable[[str], bool], max_bytes: int) -> Package:
    """Check every part of the zip package `data`; keep the XML parts `keep` names.

    Raises PackageRefusedError past `max_bytes` unpacked or for a DTD, and what a
    damaged zip raises (zipfile.BadZipFile, zlib.error, …) for the caller to report.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    infos = archive.infolist()
    declared = sum(info.file_size for info in infos)
    if declared > max_bytes:
        raise PackageRefusedError(
            f"refused: the workbook unpacks to {declared // _MB} MB, over the limit of "
            f"{max_bytes // _MB} MB"
        )
    left = max_bytes
    kept: dict[str, bytes] = {}
    recoded: dict[str, bytes] = {}
    for info in infos:
        is_xml = info.filename.endswith(_XML_SUFFIXES)
        size, content = _inflate(archive, info, left, max_bytes, collect=is_xml)
        left -= size
        if content is None:
            continue
        plain = as_utf8(content, info.filename)
        check_prolog(plain, info.filename)
        if plain is not content:
            recoded[info.filename] = plain
        if keep(info.filename):
            kept[info.filename] = plain
        del content, plain
    names = frozenset(info.filename for info in infos)
    if recoded:
        data = _rebuilt(archive, recoded, max_bytes)
    return Package(data, names, kept)


def _inflate(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, left: int, limit: int, *, collect: bool
) -> tuple[int, bytes | None]:
    """What the part really holds: its size, and its bytes when `collect`; refused as
    soon as more than `left` bytes come out, whatever it declares."""
    # zipfile stops reading at the declared size (and then fails the CRC): told a size
    # past what is left (by more than a chunk, so that it never stops first), it reads
    # what the stream really holds, and the count below stops it at the limit.
    probe = copy.copy(info)
    probe.file_size = left + 2 * _CHUNK
    chunks: list[bytes] = []
    size = 0
    with archive.open(probe) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > left:
                raise PackageRefusedError(
                    f"refused: the workbook unpacks to more than the limit of {limit // _MB} MB "
                    f"({info.filename} declares {info.file_size:,} bytes and holds more)"
                )
            if collect:
                chunks.append(chunk)
    return size, (b"".join(chunks) if collect else None)


def as_utf8(content: bytes, name: str) -> bytes:
    """An XML part as UTF-8: itself when it is UTF-8 already, else re-encoded, with
    its declaration saying so."""
    encoding = xml_encoding(content)
    if encoding == "utf-8":
        return content
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as exc:
        raise PackageRefusedError(
            f"refused: {name} is not valid {encoding.upper()} text (byte {exc.start}); "
            "save the workbook again in Excel"
        ) from exc
    text = _DECLARATION_ENCODING.sub(r'\1"UTF-8"', text.lstrip("\ufeff"), count=1)
    return text.encode("utf-8")


def xml_encoding(content: bytes) -> str:
    """The encoding of an XML document: its byte-order mark, else the zero bytes of
    its first characters, else its declaration (XML 1.0 appendix F), else UTF-8; a
    Python codec name."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return encoding
    # No mark: the zero bytes around the first "<" tell UTF-32 and UTF-16 apart (UTF-8
    # XML has none); a part saved so is read, not taken for empty.
    for start, encoding in _UNMARKED:
        if content.startswith(start):
            return encoding
    declared = _DECLARED.match(content[:1024])
    if declared is None:
        return "utf-8"
    name = declared.group(1).decode("ascii")
    try:
        found = codecs.lookup(name).name
    except LookupError as exc:
        raise PackageRefusedError(
            f"refused: an XML part is in an encoding PartnerClose cannot read ({name}); "
            "save the workbook again in Excel"
        ) from exc
    if found in ("utf-16", "utf-32"):  # declared without a byte-order mark
        return f"{found}-le"
    return found


def check_prolog(content: bytes, name: str) -> None:
    """Refuse a DTD (or an entity declaration) anywhere before the root element,
    however far padding pushes it."""
    at = 3 if content.startswith(codecs.BOM_UTF8) else 0
    end = len(content)
    while at < end:
        while at < end and content[at] in b" \t\r\n":
            at += 1
        if content.startswith(b"<?", at):
            close = content.find(b"?>", at)
            at = end if close < 0 else close + 2
        elif content.startswith(b"<!--", at):
            close = content.find(b"-->", at)
            at = end if close < 0 else close + 3
        elif content.startswith(b"<!", at):
            raise PackageRefusedError(f"refused: {name} declares XML entities or a DTD")
        else:
            return  # the root element (or text a parser will refuse)


def _rebuilt(archive: zipfile.ZipFile, recoded: Mapping[str, bytes], max_bytes: int) -> bytes:
    """The package with `recoded` parts replaced (stored, not compressed again)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as target:
        for info in archive.infolist():
            content = recoded.get(info.filename)
            if content is None:
                probe = copy.copy(info)
                probe.file_size = max_bytes + 2 * _CHUNK  # what it holds, checked above
                with archive.open(probe) as stream:
                    content = stream.read()
            target.writestr(info.filename, content)
    return buffer.getvalue()
