"""Row heights that fit wrapped text (Excel's AutoFit, estimated), for every backend.

Pure arithmetic on font sizes and column widths, so that the openpyxl backend and
the XML backend give a region row the same height.
"""

from __future__ import annotations

LINE = 1.28  # points of row height per point of font size, per line (Calibri)
PAD = 2.0
DIGIT_PX = 7.0  # Excel column widths count the default font's digits (Calibri 11: 7 px)
CHAR_PX_11 = 6.2  # an average character of text in Calibri 11, with some room
DEFAULT_FONT_SIZE = 11.0
EMPTY_FONT_SIZE = 9.0  # an empty cell's font should not make its row tall
DEFAULT_COLUMN_WIDTH = 8.43
EMPTY_ROW_HEIGHT = EMPTY_FONT_SIZE * LINE + PAD


def cell_height(text: str | None, wrap: bool, size: float, width: float) -> float:
    """The row height one cell needs: `text` None for an empty cell; `size` its font
    size; `width` its column's (or merged range's) width in characters."""
    lines = 1
    if text is not None and wrap:
        lines = wrapped_lines(text, width, size)
    elif text is None:
        size = min(size, EMPTY_FONT_SIZE)
    return lines * size * LINE + PAD


def line_length(width: float, size: float) -> int:
    """Characters of text at font `size` that fit on one line of a column `width` wide."""
    return max(1, int((width * DIGIT_PX - 4) / (CHAR_PX_11 * size / 11)))


def wrapped_lines(text: str, width: float, size: float) -> int:
    """How many lines `text` takes when wrapped in a column `width` characters wide."""
    per_line = line_length(width, size)
    if len(text) <= per_line and "\n" not in text:
        return 1  # the common case: it fits
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            if used and used + 1 + len(word) <= per_line:
                used += 1 + len(word)
                continue
            if used:
                lines += 1
            lines += (len(word) - 1) // per_line  # a word longer than a line spills over
            used = (len(word) - 1) % per_line + 1
    return lines
