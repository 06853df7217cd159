"""The XML backend of the template engine: a filled workbook is the template's
package with its sheet XML rewritten.

    package = load_package(template_bytes)        # parsed once per process
    data, plans = fill_package(package, fill, produced=moment)

A template is parsed once into a `TemplatePackage`: its parts as bytes, its
styles (number formats, font sizes, wrapping), and for every worksheet the
cells of its rows (style id, the cell's XML, its value) and where the rest of
the sheet names rows (merged ranges, conditional formats, data validations,
hyperlinks, page breaks, drawing anchors, chart references, print area).

`XmlSheet` is that sheet behind the `Sheet` protocol, for one workbook: the
plan's operations change a light copy of the row model (new rows take the
template rows' style ids and row attributes; values are written as XML), and
`fill_package` writes the package again: the worksheets rendered as text, the
styles with the currency in their number formats, the print areas moved,
every other part byte for byte as in the template (pictures, shapes and
theme included, without Pillow). The openpyxl backend (`xlsx.py`) remains the
reference; a test checks that both give the same statements.

Templates with parts the backend does not rewrite (tables, comments, form
controls, OLE objects, data-table formulas) raise `UnsupportedTemplateError`; the
writers then use the openpyxl backend.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring, iterparse
from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from partnerclose.statements.heights import DEFAULT_COLUMN_WIDTH
from partnerclose.statements.plan import DEFAULT_MAX_BLOCKS, FillPlan, fill_sheet
from partnerclose.statements.sheet import SheetContent
from partnerclose.statements.values import CellValue, Fill, Formula, Text
from partnerclose.statements.xmlsheet import (
    CELL_REF,
    CHART_F,
    Box,
    Cell,
    Chart,
    M,
    Ref,
    Segment,
    SheetRow,
    SheetTemplate,
    Slot,
    StyleBook,
    Styles,
    UnsupportedTemplateError,
    XmlSheet,
    column_number,
    escape_attribute,
    escape_text,
    parse_ref,
    parse_refs,
    unescape,
)
from partnerclose.statements.zipparts import Deflated, deflate, write_zip

__all__ = ["TemplatePackage", "UnsupportedTemplateError", "fill_package", "load_package"]

DEFAULT_LEVEL = 3  # deflate level of a statement package (fill_package: compresslevel)
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
# Relationships from a sheet the backend keeps as they are; anything else
# (comments, tables, pivot tables, controls, OLE objects) moves with rows in
# ways it does not rewrite.
_KEPT_SHEET_RELS = ("/drawing", "/hyperlink", "/printerSettings", "/image")
_UNSUPPORTED_ELEMENTS = ("legacyDrawing", "tableParts", "oleObjects", "controls")


class _Names:
    """Qualified names of a part's XML, from the namespaces its root declares."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = {**prefixes, _XML_NS: "xml"}

    def qualified(self, clark: str) -> str:
        if not clark.startswith("{"):
            return clark
        uri, _, local = clark[1:].partition("}")
        prefix = self.prefixes.get(uri)
        if prefix is None:
            raise UnsupportedTemplateError(f"a namespace declared below the root: {uri}")
        return f"{prefix}:{local}" if prefix else local

    def attributes(self, attrib: Mapping[str, str], skip: tuple[str, ...] = ()) -> str:
        return "".join(
            f' {self.qualified(k)}="{escape_attribute(v)}"'
            for k, v in attrib.items()
            if k not in skip
        )

    def element(self, element: Element) -> str:
        tag = self.qualified(element.tag)
        parts = [f"<{tag}{self.attributes(element.attrib)}"]
        if not len(element) and not element.text:
            parts.append("/>")
        else:
            parts.append(">")
            parts.append(escape_text(element.text or ""))
            for child in element:
                parts.append(self.element(child))
                parts.append(escape_text(child.tail or ""))
            parts.append(f"</{tag}>")
        return "".join(parts)


# --- the package's parts --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rel:
    id: str
    type: str
    target: str  # the part's name in the package; "" for an external target


def _rels(parts: Mapping[str, bytes], part: str) -> list[_Rel]:
    folder, name = posixpath.split(part)
    data = parts.get(posixpath.join(folder, "_rels", f"{name}.rels"))
    if data is None:
        return []
    rels = []
    for rel in fromstring(data):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            resolved = ""
        elif target.startswith("/"):
            resolved = target[1:]
        else:
            resolved = posixpath.normpath(posixpath.join(folder, target))
        rels.append(_Rel(rel.get("Id", ""), rel.get("Type", ""), resolved))
    return rels


def _rel_of(rels: Sequence[_Rel], kind: str) -> _Rel | None:
    return next((r for r in rels if r.type.endswith(kind)), None)


def _root_prefixes(data: bytes) -> dict[str, str]:
    """uri -> prefix for the namespaces the root element declares."""
    prefixes: dict[str, str] = {}
    for event, item in iterparse(io.BytesIO(data), events=("start-ns", "start")):
        if event == "start":
            break
        prefix, uri = item
        prefixes.setdefault(uri, prefix)
    return prefixes


# --- one worksheet of the template ----------------------------------------------------------


_TAIL_SLOTS = re.compile(
    r"(?P<cf><(?:conditionalFormatting|dataValidation)\b[^>]*?\bsqref=\")(?P<cfv>[^\"]*)\""
    r"|(?P<xm><(?P<xp>\w+:)?sqref>)(?P<xmv>[^<]*)</(?P=xp)?sqref>"
    r"|(?P<lk><(?:hyperlink|autoFilter)\b[^>]*?\bref=\")(?P<lkv>[^\"]*)\""
    r"|(?P<sq><\w+\b[^>]*?\bsqref=\")(?P<sqv>[^\"]*)\""
    r"|(?P<mc><mergeCells\b[^>]*?(?:/>|>.*?</mergeCells>))"
    r"|(?P<rb><rowBreaks\b[^>]*>)(?P<rbv>.*?)</rowBreaks>",
    re.S,
)
_BREAK_ID = re.compile(r"(<brk\b[^>]*?\bid=\")(\d+)(\")")
_DIMENSION = re.compile(r"(<dimension\b[^>]*?\bref=\")([^\"]*)(\")")
_SHEET_DATA = re.compile(r"<sheetData\b[^>]*?(/?)>")
_SHEET_DATA_END = "</sheetData>"
_ANCHOR_ROW = re.compile(r"(<(?P<p>\w+:)?(?:from|to)>.*?<(?P=p)?row>)(\d+)(</(?P=p)?row>)", re.S)


def _segments(text: str) -> tuple[list[Segment], list[Slot]]:
    """The sheet XML after sheetData, cut around everything that names rows."""
    segments: list[Segment] = []
    slots: list[Slot] = []
    pos = 0
    for match in _TAIL_SLOTS.finditer(text):
        if match.group("mc") is not None:
            segments.append(text[pos : match.start()])
            segments.append(len(slots))
            slots.append(Slot("merges"))
            pos = match.end()
            continue
        if match.group("rb") is not None:
            segments.append(text[pos : match.start("rbv")])
            body = match.group("rbv")
            start = match.start("rbv")
            inner = 0
            for brk in _BREAK_ID.finditer(body):
                segments.append(body[inner : brk.end(1)])
                segments.append(len(slots))
                slots.append(Slot("row", row=int(brk.group(2))))
                inner = brk.start(3)
            segments.append(body[inner:])
            pos = start + len(body)
            continue
        for group, kind in (("cfv", "cells"), ("xmv", "cells"), ("lkv", "moved"), ("sqv", "moved")):
            if match.group(group) is not None:
                segments.append(text[pos : match.start(group)])
                segments.append(len(slots))
                slots.append(Slot(kind, tuple(parse_refs(unescape(match.group(group))))))
                pos = match.end(group)
                break
    segments.append(text[pos:])
    return segments, slots


@dataclass(frozen=True, slots=True)
class _DefinedName:
    start: int  # of the text inside <definedName> in workbook.xml
    end: int
    name: str
    sheet: int | None
    text: str


_DEFINED_NAME = re.compile(r"(<definedName\b([^>]*)>)(.*?)</definedName>", re.S)
_ATTRIBUTE = re.compile(r'([\w:]+)="([^"]*)"')
_CALC_PR = re.compile(r"<calcPr\b[^>]*?/?>")
_CALC_AFTER = ("</definedNames>", "</externalReferences>", "</functionGroups>", "</sheets>")


@dataclass(frozen=True, slots=True)
class TemplatePackage:
    """A template workbook, parsed once: what every fill of it shares."""

    parts: Mapping[str, bytes]  # in the template's order
    workbook_part: str
    workbook_text: str  # workbook.xml, recalculated on opening
    defined_names: tuple[_DefinedName, ...]
    styles_part: str
    styles: StyleBook
    core_part: str | None
    sheets: tuple[SheetTemplate, ...]
    epoch: datetime
    dropped: frozenset[str] = field(default=frozenset())  # calcChain: stale once rows move
    # (part, level) -> the content last compressed for it, compressed: the template's
    # parts, and those a close's statements share (styles with its currency, the
    # stamped core properties), are deflated once per process.
    deflated: dict[tuple[str, int], tuple[bytes, Deflated]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def deflated_part(self, name: str, content: bytes, level: int) -> Deflated:
        """`content` of part `name` compressed at `level`, from the cache when the part
        last had the same content."""
        key = (name, level)
        hit = self.deflated.get(key)
        if hit is not None and (hit[0] is content or hit[0] == content):
            return hit[1]
        part = deflate(content, level)
        self.deflated[key] = (content, part)
        return part


_PACKAGES: dict[bytes, TemplatePackage | UnsupportedTemplateError] = {}


def load_package(template: bytes) -> TemplatePackage:
    """The template parsed for the XML backend, once per process (raises
    UnsupportedTemplateError when it has parts the backend does not rewrite)."""
    key = hashlib.sha256(template).digest()
    if key not in _PACKAGES:
        if len(_PACKAGES) >= 8:
            _PACKAGES.clear()
        try:
            _PACKAGES[key] = _parse_package(template)
        except UnsupportedTemplateError as problem:
            _PACKAGES[key] = problem
    found = _PACKAGES[key]
    if isinstance(found, UnsupportedTemplateError):
        raise found
    return found


def _parse_package(template: bytes) -> TemplatePackage:
    try:
        with zipfile.ZipFile(io.BytesIO(template)) as archive:
            parts = {info.filename: archive.read(info) for info in archive.infolist()}
    except zipfile.BadZipFile as problem:
        raise UnsupportedTemplateError(f"not a workbook package: {problem}") from problem
    top = _rels(parts, "")
    office = _rel_of(top, "/officeDocument")
    if office is None or office.target not in parts:
        raise UnsupportedTemplateError("no workbook part")
    workbook_part = office.target
    core = _rel_of(top, "/core-properties")
    book_rels = _rels(parts, workbook_part)
    styles = _rel_of(book_rels, "/styles")
    if styles is None or styles.target not in parts:
        raise UnsupportedTemplateError("no styles part")
    book = StyleBook(parts[styles.target].decode("utf-8"))
    shared = _rel_of(book_rels, "/sharedStrings")
    strings = _shared_strings(parts[shared.target]) if shared and shared.target in parts else []
    dropped = frozenset(r.target for r in book_rels if r.type.endswith("/calcChain"))

    workbook_text = parts[workbook_part].decode("utf-8")
    root = fromstring(parts[workbook_part])
    if root.tag != f"{M}workbook":
        raise UnsupportedTemplateError("the workbook is not in the transitional namespace")
    properties = root.find(f"{M}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    workbook_text = _recalculated(workbook_text)
    names = _defined_names(workbook_text)
    by_id = {r.id: r for r in book_rels}
    sheets = []
    for index, element in enumerate(root.iterfind(f"{M}sheets/{M}sheet")):
        rel = by_id.get(element.get(f"{_REL}id", ""))
        if rel is None or not rel.type.endswith("/worksheet"):
            continue  # chart sheets and dialog sheets stay as they are
        area = next(
            (n.text for n in names if n.sheet == index and n.name.endswith("Print_Area")), None
        )
        titles = next(
            (n.text for n in names if n.sheet == index and n.name.endswith("Print_Titles")), None
        )
        sheets.append(
            _parse_sheet(
                parts,
                rel.target,
                element.get("name", ""),
                index,
                book,
                strings,
                epoch,
                area,
                titles,
            )
        )
    package = TemplatePackage(
        parts=parts,
        workbook_part=workbook_part,
        workbook_text=workbook_text,
        defined_names=names,
        styles_part=styles.target,
        styles=book,
        core_part=core.target if core and core.target in parts else None,
        sheets=tuple(sheets),
        epoch=epoch,
        dropped=dropped,
    )
    for name, content in parts.items():  # before workers fork: they share the result
        if name not in dropped:
            package.deflated_part(name, content, DEFAULT_LEVEL)
    return package


def _recalculated(workbook: str) -> str:
    """Formulas are written without cached values: have them computed on opening."""
    found = _CALC_PR.search(workbook)
    if found is not None:
        tag = re.sub(r'\sfullCalcOnLoad="[^"]*"', "", found.group(0))
        tag = tag.replace("<calcPr", '<calcPr fullCalcOnLoad="1"', 1)
        return workbook[: found.start()] + tag + workbook[found.end() :]
    for closing in _CALC_AFTER:
        at = workbook.find(closing)
        if at >= 0:
            at += len(closing)
            return f'{workbook[:at]}<calcPr fullCalcOnLoad="1"/>{workbook[at:]}'
    return workbook


def _defined_names(workbook: str) -> tuple[_DefinedName, ...]:
    names = []
    for match in _DEFINED_NAME.finditer(workbook):
        attributes = dict(_ATTRIBUTE.findall(match.group(2)))
        sheet = attributes.get("localSheetId")
        names.append(
            _DefinedName(
                match.start(3),
                match.end(3),
                attributes.get("name", ""),
                int(sheet) if sheet is not None and sheet.isdigit() else None,
                unescape(match.group(3)),
            )
        )
    return tuple(names)


def _plain_text(element: Element) -> str:
    """The text of a string item (`si`, `is`): its runs, without phonetic hints."""
    pieces = []
    plain = element.find(f"{M}t")
    if plain is not None:
        pieces.append(plain.text or "")
    for run in element.iterfind(f"{M}r"):
        text = run.find(f"{M}t")
        if text is not None:
            pieces.append(text.text or "")
    return "".join(pieces)


def _shared_strings(data: bytes) -> list[str]:
    return [_plain_text(item) for item in fromstring(data).iterfind(f"{M}si")]


def _parse_sheet(
    parts: Mapping[str, bytes],
    part: str,
    title: str,
    index: int,
    book: StyleBook,
    strings: Sequence[str],
    epoch: datetime,
    area: str | None,
    titles: str | None,
) -> SheetTemplate:
    """One template sheet read once: its cells, styles, rows, merges and parts.

    Long on purpose: a single pass over the sheet's XML, in document order, keeps
    what each later fill needs; the pieces it fills are local to the pass.
    """
    data = parts.get(part)
    if data is None:
        raise UnsupportedTemplateError(f"{part} is missing")
    for rel in _rels(parts, part):
        if not rel.type.endswith(_KEPT_SHEET_RELS):
            raise UnsupportedTemplateError(
                f"{title}: a part the XML backend keeps no track of ({rel.type})"
            )
    names = _Names(_root_prefixes(data))
    text = data.decode("utf-8")
    opening = _SHEET_DATA.search(text)
    if opening is None:
        raise UnsupportedTemplateError(f"{title}: no sheetData")
    if opening.group(1):  # <sheetData/>
        head = text[: opening.start()] + "<sheetData>"
        tail = _SHEET_DATA_END + text[opening.end() :]
    else:
        end = text.find(_SHEET_DATA_END, opening.end())
        head, tail = text[: opening.end()], text[end:]
    date_styles = {
        i for i, xf in enumerate(book.xfs) if is_date_format(book.formats.get(xf.num_fmt))
    }
    delta_styles = {
        i for i, xf in enumerate(book.xfs) if is_timedelta_format(book.formats.get(xf.num_fmt))
    }
    reader = _CellReader(names, strings, epoch, date_styles, delta_styles, title)
    rows: dict[int, SheetRow] = {}
    merges: list[Box] = []
    columns: list[tuple[int, int, float]] = []
    default_width = DEFAULT_COLUMN_WIDTH
    drawing_id = None
    for _, element in iterparse(io.BytesIO(data), events=("end",)):
        tag = element.tag
        if tag == f"{M}row":
            number, row = reader.row(element)
            rows[number] = row
            element.clear()
        elif tag == f"{M}mergeCell":
            ref = parse_ref(element.get("ref", ""))
            if not isinstance(ref, str) and ref[1] is not None and ref[3] is not None:
                merges.append((ref[0], ref[1], ref[2], ref[3]))
        elif tag == f"{M}col":
            width = element.get("width")
            if width:
                low = int(element.get("min", "0"))
                columns.append((low, int(element.get("max", str(low))), float(width)))
        elif tag == f"{M}sheetFormatPr":
            default_width = float(element.get("defaultColWidth") or DEFAULT_COLUMN_WIDTH)
        elif tag == f"{M}drawing":
            drawing_id = element.get(f"{_REL}id")
        elif tag.startswith(M) and tag[len(M) :] in _UNSUPPORTED_ELEMENTS:
            raise UnsupportedTemplateError(f"{title}: {tag[len(M) :]} are not rewritten")
    covered = {
        (r, c)
        for top, left, bottom, right in merges
        for r in range(top, bottom + 1)
        for c in range(left, right + 1)
        if (r, c) != (top, left)
    }
    for r, c in covered:  # only a merged range's first cell holds a value (as openpyxl)
        holder = rows.get(r)
        if holder is not None and c in holder.cells:
            holder.cells[c] = (holder.cells[c][0], "/>", None)
            reader.values.pop((r, c), None)
    dimension = _DIMENSION.search(head)
    dimension_ref: Ref | None = None
    dimension_cut: tuple[str, str] | None = None
    if dimension is not None:
        dimension_ref = parse_ref(dimension.group(2))
        dimension_cut = (head[: dimension.end(1)], head[dimension.start(3) :])
    segments, slots = _segments(tail)
    drawing, drawing_text, anchors, charts = _drawing(parts, part, drawing_id)
    content = SheetContent(
        title=title,
        cells=dict(sorted(reader.values.items())),
        print_area=area,
        print_title_rows=titles,
        chart_references=tuple(chart.references for chart in charts),
        merged=tuple(merges),
    )
    return SheetTemplate(
        title=title,
        index=index,
        part=part,
        head=head,
        dimension=dimension_cut,
        dimension_ref=dimension_ref,
        rows=rows,
        tail=tuple(segments),
        slots=tuple(slots),
        merges=tuple(merges),
        columns=tuple(columns),
        default_width=default_width,
        content=content,
        drawing=drawing,
        drawing_text=drawing_text,
        anchors=anchors,
        charts=charts,
    )


def _drawing(
    parts: Mapping[str, bytes], sheet_part: str, drawing_id: str | None
) -> tuple[str | None, tuple[Segment, ...], tuple[int, ...], tuple[Chart, ...]]:
    rel = next((r for r in _rels(parts, sheet_part) if r.id == drawing_id), None)
    if rel is None or rel.target not in parts:
        return None, (), (), ()
    data = parts[rel.target]
    text = data.decode("utf-8")
    segments: list[Segment] = []
    anchors: list[int] = []
    pos = 0
    for match in _ANCHOR_ROW.finditer(text):
        segments.append(text[pos : match.end(1)])
        segments.append(len(anchors))
        anchors.append(int(match.group(3)))
        pos = match.start(4)
    segments.append(text[pos:])
    targets = {r.id: r.target for r in _rels(parts, rel.target)}
    charts = []
    for element in fromstring(data).iter(f"{_CHART}chart"):
        target = targets.get(element.get(f"{_REL}id", ""))
        if target and target in parts:
            chart_text = parts[target].decode("utf-8")
            references = tuple(unescape(m.group(3)) for m in CHART_F.finditer(chart_text))
            charts.append(Chart(target, references))
    return rel.target, tuple(segments), tuple(anchors), tuple(charts)


class _CellReader:
    """Cells of the template's rows: their XML, and their values as openpyxl reads them."""

    def __init__(
        self,
        names: _Names,
        strings: Sequence[str],
        epoch: datetime,
        date_styles: set[int],
        delta_styles: set[int],
        title: str,
    ) -> None:
        self.names = names
        self.strings = strings
        self.epoch = epoch
        self.date_styles = date_styles
        self.delta_styles = delta_styles
        self.title = title
        self.values: dict[tuple[int, int], CellValue] = {}
        self.shared: dict[str, Translator] = {}

    def row(self, element: Element) -> tuple[int, SheetRow]:
        number_text = element.get("r")
        if number_text is None or not number_text.isdigit():
            raise UnsupportedTemplateError(f"{self.title}: a row without its number")
        number = int(number_text)
        attrs = {
            self.names.qualified(k): v for k, v in element.attrib.items() if k not in ("r", "spans")
        }
        cells: dict[int, Cell] = {}
        for cell in element.iterfind(f"{M}c"):
            column, style, body, value = self.cell(cell, number)
            cells[column] = (style, body, _height_text(value))
            if value is not None:
                self.values[number, column] = value
        fixed = attrs.get("customHeight") in ("1", "true") and "ht" in attrs
        return number, SheetRow(attrs, cells, fixed)

    def cell(self, element: Element, row: int) -> tuple[int, int, str, CellValue]:
        reference = element.get("r", "")
        match = CELL_REF.match(reference)
        if match is None or int(match.group(2)) != row:
            raise UnsupportedTemplateError(f"{self.title}: a cell without its reference")
        column = column_number(match.group(1))
        style = int(element.get("s", "0") or 0)
        attributes = self.names.attributes(element.attrib, skip=("r", "s"))
        children = "".join(self.names.element(child) for child in element)
        body = f"{attributes}>{children}</c>" if children else f"{attributes}/>"
        return column, style, body, self.value(element, reference, style)

    def value(self, element: Element, reference: str, style: int) -> CellValue:
        kind = element.get("t", "n")
        formula = element.find(f"{M}f")
        if formula is not None:
            return self.formula(formula, reference)
        if kind == "inlineStr":
            inline = element.find(f"{M}is")
            return None if inline is None else Text(_plain_text(inline))
        raw = element.findtext(f"{M}v") or None
        if raw is None:
            return None
        if kind == "s":
            return Text(self.strings[int(raw)])
        if kind == "b":
            return bool(int(raw))
        if kind in ("str", "e"):
            return Text(raw)
        if kind == "d":
            return _read_number(datetime.fromisoformat(raw))
        # A number typed into the template itself (never an input amount: those are
        # written from Decimals), read as openpyxl reads it.
        number: int | float = float(raw) if any(x in raw for x in ".Ee") else int(raw)
        if style in self.date_styles:
            moment = from_excel(number, self.epoch, timedelta=style in self.delta_styles)
            return _read_number(moment)
        return _read_number(number)

    def formula(self, formula: Element, reference: str) -> CellValue:
        kind = formula.get("t")
        text = "=" + (formula.text or "")
        if kind == "dataTable":
            raise UnsupportedTemplateError(f"{self.title}!{reference}: a data table")
        if kind == "shared":
            index = formula.get("si", "")
            if index in self.shared:
                return Formula(self.shared[index].translate_formula(reference))
            if text != "=":
                self.shared[index] = Translator(text, reference)
        return Formula(text)


def _read_number(value: object) -> CellValue:
    """A value as the openpyxl backend reads it (`xlsx._read_value`)."""
    if value is None or isinstance(value, bool | int | Decimal | datetime | date):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Text(str(value))  # times and durations


def _height_text(value: CellValue) -> object:
    """What a cell holds, for row heights (str() of it is what the cell shows)."""
    if isinstance(value, Text | Formula):
        return value.value
    return value


# --- filling a sheet --------------------------------------------------------------------------


# --- whole workbooks ---------------------------------------------------------------------------

_CORE_TIMES = re.compile(r"(<(\w+:)?(created|modified)\b[^>]*>)[^<]*(</(\w+:)?(created|modified)>)")
_CORE_BY = re.compile(r"(<(\w+:)?lastModifiedBy\b[^>]*>)[^<]*(</(\w+:)?lastModifiedBy>)")
_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*?/>")
_OVERRIDE = re.compile(r"<Override\b[^>]*?/>")


def fill_package(
    package: TemplatePackage,
    fill: Fill,
    *,
    produced: datetime | None = None,
    max_blocks: int = DEFAULT_MAX_BLOCKS,
    compresslevel: int = DEFAULT_LEVEL,
) -> tuple[bytes, dict[str, FillPlan]]:
    """A filled copy of the template, as the bytes of an .xlsx file: every worksheet
    is filled from `fill`. `produced` (naive, UTC) dates the workbook and its zip
    entries (default: 1 Jan 2026), so that the same fill gives the same bytes."""
    styles = Styles(package.styles)
    changed: dict[str, bytes] = {}
    plans: dict[str, FillPlan] = {}
    workbook = package.workbook_text
    names: dict[int, str] = {}  # defined name (its position) -> new text
    for template in package.sheets:
        sheet = XmlSheet(template, styles, package.epoch)
        plans[template.title] = fill_sheet(sheet, fill, max_blocks)
        changed[template.part] = sheet.render()
        drawing = sheet.render_drawing()
        if drawing is not None and template.drawing is not None:
            changed[template.drawing] = drawing
        changed.update(sheet.render_charts(package.parts))
        for i, name in enumerate(package.defined_names):
            if name.sheet != template.index:
                continue
            if name.name.endswith("Print_Area") and sheet.print_area is not None:
                names[i] = sheet.print_area
            elif name.name.endswith("Print_Titles") and sheet.print_titles is not None:
                names[i] = sheet.print_titles
    pieces, pos = [], 0
    for i, name in enumerate(package.defined_names):
        if i in names and names[i] != name.text:
            pieces += [workbook[pos : name.start], escape_text(names[i])]
            pos = name.end
    changed[package.workbook_part] = ("".join(pieces) + workbook[pos:]).encode("utf-8")
    style_bytes = styles.render()
    if style_bytes is not None:
        changed[package.styles_part] = style_bytes
    moment = produced or datetime(2026, 1, 1)  # noqa: DTZ001 - zip times have no zone
    if package.core_part is not None:
        changed[package.core_part] = _stamped(package.parts[package.core_part], moment)
    _drop_parts(package, changed)
    return _zip(package, changed, moment, compresslevel), plans


def _stamped(core: bytes, moment: datetime) -> bytes:
    text = core.decode("utf-8")
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = _CORE_TIMES.sub(lambda m: f"{m.group(1)}{stamp}{m.group(4)}", text)
    text = _CORE_BY.sub(lambda m: f"{m.group(1)}PartnerClose{m.group(3)}", text)
    return text.encode("utf-8")


def _drop_parts(package: TemplatePackage, changed: dict[str, bytes]) -> None:
    """calcChain lists formula cells by address: stale once rows move, so it goes."""
    if not package.dropped:
        return
    folder, name = posixpath.split(package.workbook_part)
    rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
    rels = package.parts[rels_part].decode("utf-8")
    changed[rels_part] = _RELATIONSHIP.sub(
        lambda m: "" if "/calcChain" in m.group(0) else m.group(0), rels
    ).encode("utf-8")
    types = package.parts["[Content_Types].xml"].decode("utf-8")
    dropped = {f'PartName="/{p}"' for p in package.dropped}
    changed["[Content_Types].xml"] = _OVERRIDE.sub(
        lambda m: "" if any(d in m.group(0) for d in dropped) else m.group(0), types
    ).encode("utf-8")


def _zip(
    package: TemplatePackage, changed: Mapping[str, bytes], moment: datetime, level: int
) -> bytes:
    """The package's parts, the changed ones in place of the template's, as a zip
    archive (the bytes zipfile writes; parts deflated once where they repeat)."""
    zip_time = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)
    entries = [
        (name, package.deflated_part(name, changed.get(name, content), level))
        for name, content in package.parts.items()
        if name not in package.dropped
    ]
    return write_zip(entries, zip_time)
