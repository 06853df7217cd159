"""A partner statement as PDF, drawn with ReportLab straight from the statement's
data (the same `Fill` the workbook is filled from), not through an office suite
(outputs.md, "PDF"): the same sections and amounts in the same order, the
program's name and colours, its logo when the Program sheet names one, page
"x of y", embedded TrueType fonts (Bitstream Vera, shipped with ReportLab), real
text (numbers can be copied) and a DRAFT watermark on drafts.

Layout is computed first (pages of drawing steps), then drawn, so that every
page knows the page count. Text is written as PDF operators directly (ReportLab's
font subsets, its escaping and its operators), a table's rows one string each with
every distinct cell made once (`_Cells`): a partner with 600 deals has 11 pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFObject
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from partnerclose.statements.template import decimals_of
from partnerclose.statements.values import Fill, Table, Value

FONTS = Path(reportlab.__file__).resolve().parent / "fonts"
REGULAR, BOLD = "PCVera", "PCVera-Bold"
ITALIC = REGULAR  # two embedded fonts, not three: each is subset into every file
NAVY = HexColor("#1F3864")
PALE = HexColor("#DCE6F2")
SOFT = HexColor("#F2F5FA")
GREY = HexColor("#7F7F7F")
RULE = HexColor("#BFBFBF")
RED = HexColor("#C00000")
BLACK = HexColor("#000000")
WHITE = HexColor("#FFFFFF")
WATERMARK = Color(0.85, 0.85, 0.85, alpha=0.5)
WIDTH, HEIGHT = A4
MARGIN = 36.0
TOP = HEIGHT - MARGIN
BOTTOM = MARGIN + 24
INNER = WIDTH - 2 * MARGIN

Draw = Callable[[Canvas], None]


class _Font(TTFont):
    """A TrueType font whose printable ASCII text skips ReportLab's per-character
    subset assignment: in an "ASCII readable" subset (ReportLab's default) those
    characters are code points of subset 0 from the start, so the bytes are the text's.
    Most of a statement is ASCII; this is most of the time it took to write one."""

    def splitString(  # noqa: N802  # ReportLab's name
        self, text: str | bytes, doc: Any, encoding: str = "utf-8"
    ) -> list[tuple[int, bytes]]:
        if (
            isinstance(text, str)
            and text.isascii()
            and text.isprintable()
            and getattr(self, "_asciiReadable", False)
            and doc in self.state
        ):
            return [(0, text.encode("ascii"))] if text else []
        return super().splitString(text, doc, encoding)

    def addObjects(self, doc: Any) -> None:  # noqa: N802  # ReportLab's name
        """ReportLab's font objects, each subset's widths formatted once per process
        (about a quarter of the time a short statement took to save)."""
        state = self.state[doc]
        names = [self.getSubsetInternalName(n, doc)[1:] for n in range(len(state.subsets))]
        super().addObjects(doc)
        fonts = doc.idToObject["BasicFonts"].dict
        for name in names:
            font = fonts[name]
            key = (self.fontName, *font.Widths.sequence)
            formatted = _FORMATTED.get(key)
            if formatted is None:
                if len(_FORMATTED) > 64:
                    _FORMATTED.clear()
                formatted = _FORMATTED[key] = _Formatted(font.Widths.format(doc))
            font.Widths = formatted


class _Formatted(PDFObject):
    """A PDF object's bytes, formatted once."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        """The bytes, whatever the document."""
        return self.data


_FORMATTED: dict[tuple[object, ...], _Formatted] = {}
_FONT_OBJECTS: dict[str, TTFont] = {}


def _register_fonts() -> None:
    """Register the two fonts once per process (their files parsed once)."""
    if _FONT_OBJECTS:
        return
    for name, file in ((REGULAR, "Vera.ttf"), (BOLD, "VeraBd.ttf")):
        known = pdfmetrics.getFont(name) if name in pdfmetrics.getRegisteredFontNames() else None
        font = known if isinstance(known, TTFont) else _Font(name, str(FONTS / file))
        _cache_subsets(font)
        pdfmetrics.registerFont(font)
        _FONT_OBJECTS[name] = font
        widths: Any = font.face.charWidths
        _WIDTHS[name] = {chr(code): widths[code] for code in range(32, 127) if code in widths}
        ascii_widths = _WIDTHS[name]
        if all(c in ascii_widths for c in "0123456789,.()"):
            digit, mark, paren = ({ascii_widths[c] for c in g} for g in ("0123456789", ",.", "()"))
            if len(digit) == len(mark) == len(paren) == 1:
                _FIGURES[name] = (min(digit), min(mark), min(paren))


def _cache_subsets(font: TTFont) -> None:
    """Build each font subset once per process: statements use the same characters
    (ASCII and a few signs), so the subset embedded in one file is, byte for byte,
    the one the next file embeds; ReportLab would rebuild it for every file."""
    face: Any = font.face
    build = face.makeSubset
    built: dict[tuple[int, ...], bytes] = {}

    def make_subset(subset: Sequence[int]) -> bytes:
        key = tuple(subset)
        found = built.get(key)
        if found is None:
            found = built[key] = build(subset)
        return found

    face.makeSubset = make_subset


_ESCAPE = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)"})
_FILLS: dict[int, str] = {}


def _fill_operator(color: Color) -> str:
    """The PDF operator that sets `color` as the fill colour (cached per colour)."""
    found = _FILLS.get(id(color))
    if found is None:
        red, green, blue = color.rgb()
        found = _FILLS[id(color)] = f"{red:.4f} {green:.4f} {blue:.4f} rg"
    return found


_BLACK_FILL = _fill_operator(BLACK)


_WIDTHS: dict[str, dict[str, float]] = {}  # each font's advance widths of ASCII, in 1/1000 em
# A font's widths of a digit, of "," and ".", and of "(" and ")", when each group is
# of one width (tabular figures, as Vera's): an amount's width from its length.
_FIGURES: dict[str, tuple[float, float, float]] = {}


def _ascii_width(text: str, font: str, size: float) -> float:
    """The width of printable ASCII `text` in points, as ReportLab measures it (the
    advances are multiples of 1/2048 em, so their sum is exact in any order)."""
    try:
        units = sum(map(_WIDTHS[font].__getitem__, text))
    except KeyError:  # a character the font lacks: ReportLab's default width
        return _width(text, font, size)
    return units * size * 0.001


def _escape(text: str) -> str:
    """Printable ASCII text as a PDF string's content."""
    if "(" in text or ")" in text or "\\" in text:
        return text.translate(_ESCAPE)
    return text


def _width(text: str, font: str, size: float) -> float:
    """The width of `text` in points (ReportLab's C measure, without its lookups)."""
    width: float = _FONT_OBJECTS[font].stringWidth(text, size)
    return width


_WORD_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}  # (font, size) -> word -> width
_MAX_WORDS = 100_000


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width`: ReportLab's `simpleSplit` (words split at
    white space, one word at least per line), measured directly, and a single line that
    fits returned without splitting it into words; except that a word wider than
    `width` is broken where it reaches the edge (`simpleSplit` leaves it to run into the
    next column, over its text)."""
    measure = _FONT_OBJECTS[font].stringWidth
    if "\n" not in text and " ".join(text.split()) == text and measure(text, size) <= width:
        return [text] if text else []
    lines: list[str] = []
    space = measure(" ", size)
    # Words repeat (×, %, customers' and products' names): each measured once per process.
    known = _WORD_WIDTHS.get((font, size))
    if known is None or len(known) > _MAX_WORDS:
        known = _WORD_WIDTHS[font, size] = {}
    for paragraph in text.split("\n"):
        words: list[str] = []
        used = -space
        for found in paragraph.split():
            word = found
            wide = known.get(word)
            if wide is None:
                wide = known[word] = measure(word, size)
            if wide > width:  # on lines of its own, the last piece open to the next word
                if words:
                    lines.append(" ".join(words))
                *whole, word = _broken(found, font, size, width)
                lines += whole
                wide = measure(word, size)
                words, used = [], -space
            if used + space + wide <= width or not words:
                words.append(word)
                used += space + wide
            else:
                lines.append(" ".join(words))
                words = [word]
                used = wide
        if words:
            lines.append(" ".join(words))
    return lines


def _broken(word: str, font: str, size: float, width: float) -> list[str]:
    """`word` in pieces no wider than `width` (at least a character each), each as long
    as it can be: its characters measured once each, so a long word costs its length."""
    measure = _FONT_OBJECTS[font].stringWidth
    pieces: list[str] = []
    start, used = 0, 0.0
    for at, char in enumerate(word):
        wide = measure(char, size)
        if used + wide > width and at > start:
            pieces.append(word[start:at])
            start, used = at, 0.0
        used += wide
    pieces.append(word[start:])
    return pieces


def amount_text(value: Value, decimals: int = 2) -> str:
    """An amount as the workbook's accounting format shows it: `1,234.50`, `(399.41)`, `-`."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        return "" if value is None else _plain(value)
    number = Decimal(value)
    if number == 0:
        return "-"
    text = f"{abs(number):,.{decimals}f}"
    return f"({text})" if number < 0 else text


def rate_text(value: Value) -> str:
    """A rate as a percentage with 2 decimals at most: "12.5%"."""
    if isinstance(value, Decimal):
        return f"{(value * 100).quantize(Decimal('0.01')).normalize():f}%"
    return "" if value is None else _plain(value)


def number_cell(value: Value) -> str:
    """A number with 2 decimals and grouped thousands."""
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01')):,f}"
    return "" if value is None else _plain(value)


def _plain(value: Value) -> str:
    """A value as plain text: dates as "2 November 2026"."""
    if isinstance(value, datetime):
        return value.strftime("%d %B %Y").lstrip("0")
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value).replace("→", "->")


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    field: str
    width: float  # share of the inner width
    kind: str = "text"  # text, amount (the partner's currency), program (amount), rate, number


class Layout:
    """Pages of drawing steps, filled top to bottom."""

    def __init__(self, head: Sequence[Draw]) -> None:
        self.head = tuple(head)
        self.pages: list[list[Draw]] = []
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        self.pages.append(list(self.head))
        self.y = TOP - 46

    def room(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page()

    def add(self, height: float, draw: Callable[[Canvas, float], None]) -> None:
        self.room(height)
        y = self.y
        self.pages[-1].append(lambda c: draw(c, y))
        self.y -= height


def _text(
    c: Canvas,
    x: float,
    y: float,
    text: str,
    font: str = REGULAR,
    size: float = 8,
    color: Color = BLACK,
    right: bool = False,
) -> None:
    """One string at (x, y), right-aligned at x when `right`."""
    _texts(c, ((x, y, text, font, size, color, right),))


Piece = tuple[float, float, str, str, float, Color, bool]  # x, y, text, font, size, colour, right


def _texts(c: Canvas, pieces: Iterable[Piece]) -> None:
    """Many strings as one text object, written as PDF operators directly (a
    statement has thousands of cells; ReportLab's text object per string was most
    of the time)."""
    c.addLiteral(_operators(c, pieces))


def _operators(c: Canvas, pieces: Iterable[Piece]) -> str:
    """The PDF operators of `_texts`: fonts and colours set only when they change,
    inside q/Q so that the canvas's own graphics state is left as it was. The
    operators are those ReportLab writes (Tm, Tf, Tj with its font subsets), so the
    text stays real text with embedded fonts."""
    canvas: Any = c  # ReportLab's document and escape, which its stubs do not name
    doc = canvas._doc  # the document the font subsets belong to
    out = ["q BT"]
    font: tuple[str, float, int] | None = None
    colour: Color | None = None
    for x, y, string, name, size, fill, right in pieces:
        if not string:
            continue
        face = _FONT_OBJECTS[name]
        if fill is not colour:
            out.append(_fill_operator(fill))
            colour = fill
        left = x - face.stringWidth(string, size) if right else x
        out.append(f"1 0 0 1 {left:.2f} {y:.2f} Tm")
        if string.isascii() and string.isprintable():
            if font != (name, size, 0):
                out.append(f"{face.getSubsetInternalName(0, doc)} {size:g} Tf")
                font = (name, size, 0)
            out.append(f"({string.translate(_ESCAPE)}) Tj")
            continue
        for subset, chunk in face.splitString(string, doc):
            if font != (name, size, subset):
                out.append(f"{face.getSubsetInternalName(subset, doc)} {size:g} Tf")
                font = (name, size, subset)
            out.append(f"({canvas._escape(chunk)}) Tj")
    out.append("ET Q")
    return "\n".join(out)


def _every_page(pieces: Sequence[Piece]) -> Draw:
    """Strings drawn alike on every page of a statement: their operators made on the
    first page (fonts named and subset codes given then) and written again after."""
    made: list[str] = []

    def draw(c: Canvas) -> None:
        """The strings' operators, made once."""
        if not made:
            made.append(_operators(c, pieces))
        c.addLiteral(made[0])

    return draw


def _section(layout: Layout, title: str) -> None:
    """A section's title in a navy band, on a new page when little room is left."""
    layout.room(60)

    def draw(c: Canvas, y: float) -> None:
        c.setFillColor(NAVY)
        c.rect(MARGIN, y - 14, INNER, 15, stroke=0, fill=1)
        _text(c, MARGIN + 4, y - 10, title, BOLD, 9.5, WHITE)

    layout.add(20, draw)


def _caption(layout: Layout, title: str) -> None:
    """A table's caption in bold navy."""
    layout.add(13, lambda c, y: _text(c, MARGIN, y - 9, title, BOLD, 8.5, NAVY))


def _note(
    layout: Layout, text: str, font: str = ITALIC, size: float = 7, color: Color = GREY
) -> None:
    """A note wrapped to the inner width; nothing when the text is empty."""
    if not text:
        return
    lines = _wrap(_plain(text), font, size, INNER)
    for line in lines:

        def draw(c: Canvas, y: float, line: str = line) -> None:
            _text(c, MARGIN, y - size, line, font, size, color)

        layout.add(size + 3, draw)


@dataclass(frozen=True, slots=True)
class Decimals:
    """The decimals of a statement's two currencies (rules.md X2): the partner's
    settlement currency (lines, totals) and the program's (the rules' figures)."""

    settled: int = 2
    program: int = 2


def _cell(column: Column, value: Value, decimals: Decimals) -> str:
    """A table cell's text, formatted by its column's kind."""
    if column.kind == "amount":
        return amount_text(value, decimals.settled)
    if column.kind == "program":
        return amount_text(value, decimals.program)
    if column.kind == "rate":
        return rate_text(value)
    if column.kind == "number":
        return number_cell(value)
    return "" if value is None else _plain(value)


_ROW_SIZE = 7.0  # the type of a table's cells: REGULAR at 7 points, black
_RULE_OPERATORS = f"{fp_str(RULE.red, RULE.green, RULE.blue)} RG\n{fp_str(0.3)} w"
_LEFT, _RIGHT = fp_str(MARGIN), fp_str(MARGIN + INNER)
# Marks in a row's operators until the row is placed: the regular font's name (known
# once the document is) and the baseline of each line of a cell. Escaped printable
# ASCII text has none of these characters.
_FONT_MARK = "\x00"
_LINE_MARKS = tuple(chr(n) for n in range(1, 24))
_FIRST_SHOW = f" Tm\n{_FONT_MARK} {_ROW_SIZE:g} Tf\n"

_TEXTS = frozenset((str, type(None)))
_NUMBERS = frozenset((Decimal, type(None)))
_ZERO = Decimal(0)

# A cell as drawn: its lines, and the operators that show them with a line mark for
# each baseline, or None when a line needs ReportLab's subsets (beyond printable
# ASCII) or more lines than there are marks.
Cell = tuple[tuple[str, ...], str | None]


class _Cells:
    """A table's cells as PDF operators: each distinct value of a column (customers,
    products, statuses, amounts and rates repeat) formatted, wrapped, measured and
    escaped once per table, and a row's operators one join of its cells'."""

    def __init__(self, columns: Sequence[Column], decimals: Decimals) -> None:
        self.columns = tuple(columns)
        self.decimals = decimals
        xs = [MARGIN]
        for column in columns:
            xs.append(xs[-1] + column.width * INNER)
        self.places = [
            (xs[i + 1] - 2, True) if column.kind != "text" else (xs[i] + 2, False)
            for i, column in enumerate(columns)
        ]
        self.limits = [column.width * INNER - 4 for column in columns]
        self.starts = [f"1 0 0 1 {x:.2f} {_LINE_MARKS[0]} Tm\n(" for x, _ in self.places]
        self.amounts = [
            {"amount": decimals.settled, "program": decimals.program}.get(column.kind)
            for column in columns
        ]
        self.empty = [self._make(i, "") for i in range(len(columns))]

    def column(self, i: int, values: Sequence[Value]) -> list[Cell]:
        """Column `i`'s cells for `values`, each distinct value made once. Values equal
        as keys that would show differently (a Decimal in a text column is shown as
        written, a rate of -0 is "-0%", True is 1) are made one by one."""
        column = self.columns[i]
        kinds = set(map(type, values))
        if kinds <= _TEXTS or (column.kind != "text" and kinds <= _NUMBERS):
            known: dict[Value, Cell | None] = dict.fromkeys(values)
            if self.amounts[i] is not None:
                self._amounts(i, known)  # type: ignore[arg-type]
            elif _ZERO not in known:
                for value in known:
                    known[value] = self._of(i, value)
            else:
                return [self._of(i, value) for value in values]
            cells: list[Cell] = list(map(known.__getitem__, values))  # type: ignore[arg-type]
            return cells
        return [self._of(i, value) for value in values]

    def _amounts(self, i: int, known: dict[Decimal | str | None, Cell | None]) -> None:
        """The cells of an amount column's distinct values: `amount_text`, measured and
        escaped in one step for the non-zero Decimals (most of a deal table's cells)."""
        places, right = self.amounts[i], self.places[i][0]
        widths = _WIDTHS[REGULAR].__getitem__
        spec = f",.{places}f"
        figures = _FIGURES.get(REGULAR)
        for value in known:
            if type(value) is Decimal and value:
                text = shown = format(abs(value), spec)
                if figures is not None and value.is_finite():
                    # Digits, then "," and ".", then "(" and ")" are as wide as each
                    # other, and widths are multiples of 1/2048 em: the sum, exactly.
                    digit, mark, paren = figures
                    marks = text.count(",") + text.count(".")
                    units = (len(text) - marks) * digit + marks * mark
                    if value < 0:
                        text, shown = f"({text})", f"\\({text}\\)"
                        units += 2 * paren
                    left = right - units * _ROW_SIZE * 0.001
                else:
                    if value < 0:
                        text, shown = f"({text})", f"\\({text}\\)"
                    try:  # _ascii_width, inline
                        left = right - sum(map(widths, text)) * _ROW_SIZE * 0.001
                    except KeyError:
                        left = right - _width(text, REGULAR, _ROW_SIZE)
                known[value] = (text,), f"1 0 0 1 {left:.2f} {_LINE_MARKS[0]} Tm\n({shown}) Tj"
            else:
                known[value] = self._of(i, value)

    def _of(self, i: int, value: Value) -> Cell:
        """Column `i`'s cell for `value`."""
        column = self.columns[i]
        if column.kind == "text":
            return self._text(i, "" if value is None else _plain(value))
        return self._number(i, _cell(column, value, self.decimals))

    def _make(self, i: int, text: str) -> Cell:
        """A cell's lines (wrapped in a text column) and their operators."""
        return self._number(i, text) if self.columns[i].kind != "text" else self._text(i, text)

    def _number(self, i: int, text: str) -> Cell:
        """A number's cell: one line, right-aligned."""
        if not text:
            return (text,), ""
        if not (text.isascii() and text.isprintable()):
            return (text,), None
        left = self.places[i][0] - _ascii_width(text, REGULAR, _ROW_SIZE)
        return (text,), f"1 0 0 1 {left:.2f} {_LINE_MARKS[0]} Tm\n({_escape(text)}) Tj"

    def _text(self, i: int, text: str) -> Cell:
        """A text's cell: wrapped to the column, left-aligned."""
        if (
            text.isascii()
            and text.isprintable()  # so its only white space is " "
            and "  " not in text
            and text[:1] != " "
            and text[-1:] != " "  # and `" ".join(text.split()) == text`
            and _ascii_width(text, REGULAR, _ROW_SIZE) <= self.limits[i]
        ):  # one line that fits, as `_wrap` would find
            if not text:
                return (), ""
            return (text,), f"{self.starts[i]}{_escape(text)}) Tj"
        x = self.places[i][0]
        lines = tuple(_wrap(text, REGULAR, _ROW_SIZE, self.limits[i]))
        if len(lines) > len(_LINE_MARKS):
            return lines, None
        shown = []
        for mark, line in zip(_LINE_MARKS, lines, strict=False):
            if not (line.isascii() and line.isprintable()):
                return lines, None
            shown.append(f"1 0 0 1 {x:.2f} {mark} Tm\n({_escape(line)}) Tj")
        return lines, "\n".join(shown)

    def row(self, y: float, cells: Sequence[Cell], lines: int) -> str | Draw:
        """A row of `lines` lines with its rule as PDF operators at `y`, the same a
        text object per row (`_texts`) and the canvas's line would write; a drawing
        step instead when a cell needs the document's font subsets."""
        rule, baselines = _placed(y, lines)
        shown: list[str] = []
        for _, operators in cells:
            if operators is None:
                return self._slow(y, cells, rule)
            if operators:
                shown.append(operators)
        if not shown:
            return f"q BT\nET Q\n{rule}"
        body = "\n".join(shown).replace(" Tm\n", _FIRST_SHOW, 1)
        for mark, baseline in zip(_LINE_MARKS, baselines, strict=False):
            body = body.replace(mark, baseline)
        return f"q BT\n{_BLACK_FILL}\n{body}\nET Q\n{rule}"

    def _slow(self, y: float, cells: Sequence[Cell], rule: str) -> Draw:
        """A row with text beyond printable ASCII, drawn through `_operators`."""
        pieces: list[Piece] = []
        for (x, right), (lines, _) in zip(self.places, cells, strict=True):
            for n, line in enumerate(lines):
                pieces.append((x, y - 8 - 9 * n, line, REGULAR, _ROW_SIZE, BLACK, right))

        def draw(c: Canvas) -> None:
            """The row's text, then its rule."""
            c.addLiteral(f"{_operators(c, pieces)}\n{rule}")

        return draw


def _rule(y: float, lines: int) -> str:
    """The rule under a row of `lines` lines at `y`, as the canvas would draw it."""
    at = fp_str(y - (9.0 * lines + 2) + 1)
    return f"{_RULE_OPERATORS}\nn {_LEFT} {at} m {_RIGHT} {at} l S"


_PLACES: dict[tuple[float, int], tuple[str, tuple[str, ...]]] = {}


def _placed(y: float, lines: int) -> tuple[str, tuple[str, ...]]:
    """The rule and the baselines of a row of `lines` lines at `y`: rows fall at the
    same heights page after page, so each is formatted once per process."""
    found = _PLACES.get((y, lines))
    if found is None:
        if len(_PLACES) > 10_000:
            _PLACES.clear()
        baselines = tuple(f"{y - 8 - 9 * n:.2f}" for n in range(lines))
        found = _PLACES[y, lines] = (_rule(y, lines), baselines)
    return found


def _rows(steps: list[str | Draw]) -> Draw:
    """One drawing step for a page's run of table rows: their operators as one literal,
    with the regular font's name in the document."""

    def draw(c: Canvas) -> None:
        """Each row in order; the rows beyond ASCII drawn at their turn."""
        parts: list[str] = []
        for step in steps:
            if isinstance(step, str):
                parts.append(step)
            else:
                if parts:
                    _literal(c, "\n".join(parts))
                    parts = []
                step(c)
        if parts:
            _literal(c, "\n".join(parts))

    return draw


def _literal(c: Canvas, text: str) -> None:
    """`text` into the page, its font mark replaced by the regular font's name."""
    if _FONT_MARK in text:
        canvas: Any = c
        name = _FONT_OBJECTS[REGULAR].getSubsetInternalName(0, canvas._doc)
        text = text.replace(_FONT_MARK, name)
    c.addLiteral(text)


def _table(
    layout: Layout,
    columns: Sequence[Column],
    table: Table,
    empty: str,
    *,
    total: str = "",
    decimals: Decimals = Decimals(),
) -> None:
    """A header row, a row (wrapped) per row of `table`, and a total of its last column.
    The rows on one page are one drawing step (`_rows`), written by `_Cells`."""
    index = {name: i for i, name in enumerate(table.fields)}
    cells = _Cells(columns, decimals)

    titles: dict[float, str] = {}  # a continued table's header falls at the same height

    def header(c: Canvas, y: float) -> None:
        """The columns' titles on a soft band."""
        c.setFillColor(SOFT)
        c.rect(MARGIN, y - 11, INNER, 12, stroke=0, fill=1)
        made = titles.get(y)
        if made is None:
            made = titles[y] = _operators(
                c,
                [
                    (x, y - 8, column.title, BOLD, 6.5, NAVY, right)
                    for (x, right), column in zip(cells.places, columns, strict=True)
                ],
            )
        c.addLiteral(made)

    layout.add(13, header)
    if not table.rows:
        _note(layout, empty, REGULAR, 7.5, BLACK)
    rows = table.rows
    by_column = [
        [cells.empty[i]] * len(rows)
        if column.field not in index
        else cells.column(i, list(map(itemgetter(index[column.field]), rows)))
        for i, column in enumerate(columns)
    ]
    tallest = map(max, *(map(len, map(itemgetter(0), cells)) for cells in by_column), repeat(1))
    run: list[str | Draw] = []
    for drawn, lines in zip(zip(*by_column, strict=True), tallest, strict=False):
        height = 9.0 * lines + 2
        if layout.y - height < BOTTOM:  # the table goes on over the page: its header again
            if run:
                layout.pages[-1].append(_rows(run))
                run = []
            layout.new_page()
            layout.add(13, header)
        run.append(cells.row(layout.y, drawn, lines))
        layout.y -= height
    if run:
        layout.pages[-1].append(_rows(run))
    if total:
        amounts = [row[index[columns[-1].field]] for row in table.rows]
        summed = sum((a for a in amounts if isinstance(a, Decimal)), Decimal(0))
        _total(layout, total, summed, decimals=decimals.settled)


def _total(layout: Layout, label: str, value: Value, currency: str = "", decimals: int = 2) -> None:
    """A total line: the label at the left, the amount at the right."""

    def draw(c: Canvas, y: float) -> None:
        c.setStrokeColor(RULE)
        c.line(MARGIN, y, MARGIN + INNER, y)
        _text(c, MARGIN + 2, y - 9, label, BOLD, 7.5)
        _text(
            c,
            MARGIN + INNER - 2,
            y - 9,
            f"{currency} {amount_text(value, decimals)}".strip(),
            BOLD,
            7.5,
            right=True,
        )

    layout.add(13, draw)


def _facts(layout: Layout, pairs: Iterable[tuple[str, str]]) -> None:
    """Label/value pairs, two to a row."""
    items = list(pairs)
    for i in range(0, len(items), 2):
        chunk = items[i : i + 2]

        def draw(c: Canvas, y: float, chunk: list[tuple[str, str]] = chunk) -> None:
            pieces: list[Piece] = []
            for n, (label, value) in enumerate(chunk):
                x = MARGIN + n * INNER / 2
                pieces.append((x + 2, y - 8, label, REGULAR, 7.5, GREY, False))
                pieces.append((x + INNER / 2 - 8, y - 8, value, BOLD, 7.5, BLACK, True))
            _texts(c, pieces)

        layout.add(11, draw)


LINE_COLUMNS = (
    Column("Item", "title", 0.22),
    Column("How it was made", "explanation", 0.36),
    Column("Quantity", "quantity", 0.09, "number"),
    Column("Rate", "rate", 0.07, "rate"),
    Column("Status", "status", 0.12),
    Column("Amount", "amount", 0.14, "amount"),
)
CORRECTION_COLUMNS = (  # P3: as recorded, as restated (program currency), the difference
    Column("Item", "title", 0.2),
    Column("How it was made", "explanation", 0.32),
    Column("Recorded", "recorded", 0.11, "program"),
    Column("Restated", "restated", 0.11, "program"),
    Column("Status", "status", 0.12),
    Column("Amount", "amount", 0.14, "amount"),  # P3: the difference
)
POOL_COLUMNS = (
    Column("Pool", "label", 0.22),
    Column("Driver", "driver", 0.14),
    Column("Units", "units", 0.07, "number"),
    Column("Capacity", "capacity", 0.08, "number"),
    Column("Utilization", "utilization", 0.09, "rate"),
    Column("Share", "share", 0.08, "rate"),
    Column("Guardrail", "guardrail", 0.09, "amount"),
    Column("In-kind credit", "credit", 0.11, "amount"),
    Column("Net cost", "net", 0.12, "amount"),
)
DEAL_COLUMNS = (
    # The deal column holds a CRM's ids on one line (D-2026-10-0000001: 71 pt of its 74).
    Column("Customer", "customer", 0.18),
    Column("Deal", "id", 0.15),
    Column("Product", "product", 0.09),
    Column("Type", "type", 0.08),
    Column("Deal amount", "amount", 0.11, "program"),
    Column("Rate", "rate", 0.07, "rate"),
    Column("Status", "status", 0.12),
    Column("Bracket amount", "bracket_share", 0.09, "program"),
    Column("Revenue share", "share", 0.11, "amount"),
)
MILESTONE_COLUMNS = (
    Column("Milestone", "title", 0.22),
    Column("Why", "why", 0.38),
    Column("Actual", "actual", 0.08, "number"),
    Column("Payout", "payout", 0.1, "program"),
    Column("Held", "held", 0.08, "program"),
    Column("Paid", "paid", 0.14, "amount"),
)


@dataclass(frozen=True, slots=True)
class _Doc:
    """What each block of a statement draws from: the fill's scalars and tables, the
    statement's currency and decimals, and the layout the blocks are added to."""

    s: Mapping[str, Value]
    t: Mapping[str, Table]
    currency: str
    money: Decimals
    layout: Layout

    def note(self, key: str) -> str:
        """A section's total in the program currency (X2)."""
        return str(self.s.get(f"{key}.note", ""))

    def detail(self, key: str) -> str:
        """Which currency a detail table's amounts are in."""
        return str(self.s.get(f"{key}.currency_note", ""))

    def total(self, label: str, key: str) -> None:
        """A section's total with its program-currency note, then its year to date."""
        amount = self.s.get(f"{key}.total")
        _total(self.layout, f"{label}{self.note(key)}", amount, self.currency, self.money.settled)
        self.ytd(key)

    def ytd(self, key: str) -> None:
        """A section's fiscal year to date, in small grey type under its total."""
        text = f"Fiscal year to date, {self.s.get('ytd.label', '')}"
        value = f"{self.currency} {amount_text(self.s.get(f'{key}.ytd'), self.money.settled)}"

        def draw(c: Canvas, y: float) -> None:
            """The label at the left, the amount at the right."""
            _text(c, MARGIN + 2, y - 8, text, ITALIC, 7, GREY)
            _text(c, MARGIN + INNER - 2, y - 8, value, ITALIC, 7, GREY, True)

        self.layout.add(11, draw)


def render_pdf(fill: Fill, logo: Path | None = None) -> bytes:
    """The statement of `fill` as PDF bytes (see the module's docstring)."""
    _register_fonts()
    s = fill.scalars
    currency = str(s.get("currency", ""))
    money = Decimals(
        decimals_of(s.get("currency.decimals")), decimals_of(s.get("program.decimals"))
    )
    doc = _Doc(s, fill.tables, currency, money, Layout((_band(s),)))
    _header(doc, logo)
    _summary(doc)
    _cost_sharing(doc)
    _reserve_fund(doc)
    _revenue_share(doc)
    _co_marketing(doc)
    _milestones(doc)
    _key_figures(doc)
    _corrections(doc)
    _payment(doc)
    return _draw(doc.layout, f"{s.get('partner.id', '')}.pdf", str(s.get("statement.number", "")))


def _band(s: Mapping[str, Value]) -> Callable[[Canvas], None]:
    """The head of every page: the DRAFT watermark, the program and the partner."""
    draft = s.get("close.status") != "FINAL"
    who = f"{s.get('partner.name', '')}  ·  {s.get('partner.id', '')}"
    when = "  ·  ".join(
        str(s.get(key, "")) for key in ("period.label", "close.status", "statement.number")
    )
    name = str(s.get("program.name", ""))
    program = _every_page(((MARGIN + 6, TOP - 16, name, BOLD, 13, WHITE, False),))
    title = _every_page(
        ((MARGIN + INNER - 6, TOP - 15, "PARTNER STATEMENT", REGULAR, 8, WHITE, True),)
    )
    partner = _every_page(((MARGIN + 6, TOP - 32, who, BOLD, 8, NAVY, False),))
    period = _every_page(((MARGIN + INNER - 6, TOP - 32, when, REGULAR, 8, NAVY, True),))

    def band(c: Canvas) -> None:
        """The watermark on drafts, then the navy band and the pale one below it."""
        if draft:
            c.saveState()
            c.setFillColor(WATERMARK)
            c.setFont(BOLD, 110)
            c.translate(WIDTH / 2, HEIGHT / 2)
            c.rotate(45)
            c.drawCentredString(0, -40, "DRAFT")
            c.restoreState()
        c.setFillColor(NAVY)
        c.rect(MARGIN, TOP - 22, INNER, 22, stroke=0, fill=1)
        program(c)
        title(c)
        c.setFillColor(PALE)
        c.rect(MARGIN, TOP - 36, INNER, 14, stroke=0, fill=1)
        partner(c)
        period(c)

    return band


def _header(doc: _Doc, logo: Path | None) -> None:
    """The logo when there is one, and the statement's facts."""
    s, layout = doc.s, doc.layout
    if logo is not None and logo.is_file():
        image = str(logo)

        def place_logo(c: Canvas, y: float) -> None:
            """The program's logo at the left, 120 by 36 points at most."""
            c.drawImage(image, MARGIN, y - 40, 120, 36, preserveAspectRatio=True, anchor="w")

        layout.add(44, place_logo)
    _facts(
        layout,
        (
            ("Partner", str(s.get("partner.name", ""))),
            ("Period", str(s.get("period.label", ""))),
            ("Statement number", str(s.get("statement.number", ""))),
            ("Currency", doc.currency),
            ("Plan", str(s.get("partner.plan", ""))),
            ("Date produced", _plain(s.get("produced"))),
            ("Due date", _plain(s.get("payment.due_date"))),
            ("Close status", str(s.get("close.status", ""))),
        ),
    )


def _summary(doc: _Doc) -> None:
    """The net box, the payment and revision notes, and the settlement summary."""
    s, layout, currency, money = doc.s, doc.layout, doc.currency, doc.money

    def net(c: Canvas, y: float) -> None:
        """The net's label at the left, the amount large at the right."""
        c.setFillColor(PALE)
        c.setStrokeColor(NAVY)
        c.rect(MARGIN, y - 30, INNER, 28, stroke=1, fill=1)
        _text(c, MARGIN + 8, y - 21, str(s.get("net.label", "")), BOLD, 12, NAVY)
        _text(
            c,
            MARGIN + INNER - 8,
            y - 22,
            f"{currency} {amount_text(s.get('net.amount'), money.settled)}",
            BOLD,
            15,
            NAVY,
            True,
        )

    layout.add(36, net)
    _note(layout, str(s.get("payment.text", "")), BOLD, 8.5, NAVY)
    _note(
        layout, f"{s.get('statement.revision', '')}{s.get('submission.note', '')}", BOLD, 8.5, RED
    )
    _note(layout, str(s.get("settlement.note", "")))
    _caption(layout, "Settlement summary")
    _table(
        layout,
        (
            Column("Section", "name", 0.4),
            Column("This period", "total", 0.15, "amount"),
            Column("Last period", "last_period", 0.15, "amount"),
            Column("Change", "change", 0.15, "amount"),
            Column("Year to date", "ytd", 0.15, "amount"),
        ),
        doc.t["sections"],
        "",
        decimals=money,
    )
    _total(layout, "Net settlement", s.get("net.signed"), currency, money.settled)


def _cost_sharing(doc: _Doc) -> None:
    """Section 1: the partner's share of each pool, and the cost-sharing lines."""
    layout, t, money = doc.layout, doc.t, doc.money
    _section(layout, "1   Cost sharing")
    _caption(layout, f"Your share of each pool{doc.detail('pools')}")
    _table(layout, POOL_COLUMNS, t["pools"], "No cost pools this period.", decimals=money)
    _caption(layout, "Cost-sharing lines")
    _table(
        layout,
        LINE_COLUMNS,
        t["cost_lines"],
        "No cost lines this period.",
        total=f"Total cost sharing{doc.note('cost_sharing')}",
        decimals=money,
    )
    doc.ytd("cost_sharing")


def _reserve_fund(doc: _Doc) -> None:
    """Section 2: the reserve lines, and the fund's balances this period."""
    s, layout, money = doc.s, doc.layout, doc.money
    _section(layout, "2   Reserve fund")
    _table(
        layout,
        LINE_COLUMNS,
        doc.t["reserve_lines"],
        "No reserve lines this period.",
        total=f"Total reserve fund{doc.note('reserve_fund')}",
        decimals=money,
    )
    doc.ytd("reserve_fund")
    _caption(layout, f"The fund this period{doc.detail('reserve')}")

    def fund(key: str) -> str:
        """A figure of the fund, in the program currency."""
        return amount_text(s.get(key), money.program)

    _facts(
        layout,
        (
            ("Opening balance", fund("reserve.opening")),
            ("Your contribution this period", fund("reserve.your_contribution")),
            ("Closing balance", fund("reserve.closing")),
            ("Your equity in the fund", fund("reserve.equity")),
        ),
    )


def _revenue_share(doc: _Doc) -> None:
    """Section 3: the deals, then true-ups, clawbacks and the period cap."""
    layout, t, money = doc.layout, doc.t, doc.money
    _section(layout, "3   Revenue share")
    _caption(layout, f"Deals{doc.detail('deals')}")
    _table(layout, DEAL_COLUMNS, t["deals"], "No deals paid this period.", decimals=money)
    _caption(layout, "True-ups, clawbacks and the period cap")
    _table(
        layout,
        LINE_COLUMNS,
        t["revenue_adjustments"],
        "No adjustments this period.",
        decimals=money,
    )
    doc.total("Total revenue share", "revenue_share")


def _co_marketing(doc: _Doc) -> None:
    """Section 4: the co-marketing (MDF) lines."""
    _section(doc.layout, "4   Co-marketing")
    _table(
        doc.layout,
        LINE_COLUMNS,
        doc.t["mdf_lines"],
        "No reimbursement this period.",
        total=f"Total co-marketing{doc.note('co_marketing')}",
        decimals=doc.money,
    )
    doc.ytd("co_marketing")


def _milestones(doc: _Doc) -> None:
    """Section 5: each milestone, and what is paid and released."""
    layout, money = doc.layout, doc.money
    _section(layout, f"5   Milestones{doc.detail('milestones')}")
    _table(
        layout, MILESTONE_COLUMNS, doc.t["milestones"], "No milestones this period.", decimals=money
    )
    doc.total("Total milestones (paid and released)", "milestones")


def _key_figures(doc: _Doc) -> None:
    """Section 6: the overall score and its flags."""
    _section(doc.layout, "6   Key figures and scorecard")
    _facts(
        doc.layout,
        (
            ("Overall score", number_cell(doc.s.get("scorecard.score"))),
            ("Flags", str(doc.s.get("scorecard.flags", ""))),
        ),
    )


def _corrections(doc: _Doc) -> None:
    """Section 7: the corrections (P2/P3), as recorded, as restated and the difference."""
    _section(doc.layout, "7   Corrections")
    _table(
        doc.layout,
        CORRECTION_COLUMNS,
        doc.t["corrections"],
        "No corrections this period.",
        total="Total corrections",
        decimals=doc.money,
    )


def _payment(doc: _Doc) -> None:
    """The payment block, whom to ask, and where the figures come from."""
    s, layout = doc.s, doc.layout
    _caption(layout, "Payment")
    _note(layout, str(s.get("payment.text", "")), BOLD, 8.5, NAVY)
    if s.get("payment.remit_to"):
        _note(layout, f"Pay to: {s.get('payment.remit_to')}", REGULAR, 8, BLACK)
    _note(layout, str(s.get("payment.contact", "")))
    _note(
        layout,
        f"Produced by PartnerClose {s.get('version', '')} from the {s.get('close.kind', '')} close "
        f"of {s.get('period', '')}. Every amount on this statement is a settlement line of that "
        "close or a sum of lines; lines.csv and the close pack list each line with its rule.",
    )


def _draw(layout: Layout, name: str, title: str) -> bytes:
    """The laid-out pages drawn to PDF bytes, each with its file name and page x of y."""
    out = BytesIO()
    font: Any = REGULAR  # the stubs call the initial font name a float
    canvas = Canvas(out, pagesize=A4, invariant=True, initialFontName=font, pageCompression=0)
    canvas.setTitle(f"Partner statement {title}")
    canvas.setAuthor("PartnerClose")
    total = len(layout.pages)
    for number, steps in enumerate(layout.pages, start=1):
        for step in steps:
            step(canvas)
        _text(canvas, MARGIN, MARGIN, name, REGULAR, 6.5, GREY)
        _text(canvas, MARGIN + INNER, MARGIN, f"Page {number} of {total}", REGULAR, 6.5, GREY, True)
        canvas.showPage()
        _encode_page(canvas)
    canvas.save()
    return out.getvalue()


_NOT_PDFDOC = tuple(bytes((code,)) for code in range(24, 32))  # ASCII the codec refuses


def _encode_page(c: Canvas) -> None:
    """The page just shown, its operators encoded now: ReportLab encodes a page's
    stream with its "extpdfdoc" codec (a character map, the slowest part of `save`),
    which gives the ASCII bytes for all ASCII but 24-31 (text is escaped, so a
    statement's operators have none of them). Any other page is left to ReportLab."""
    canvas: Any = c
    page = canvas._doc.Pages.pages[-1]
    stream = page.stream
    if isinstance(stream, str) and stream.isascii():
        data = stream.encode("ascii")
        if not any(code in data for code in _NOT_PDFDOC):
            page.stream = data
