"""The public template-engine interface: what a front end that fills statement sheets
itself (the Excel add-in writes them into the open workbook) may use of
`partnerclose.statements`.

A deliberate second public module beside `partnerclose.api` (docs/decisions.md,
"Layers and public interfaces"): import-linter keeps the front ends on these two;
everything else in `partnerclose.statements` may change.
"""

from partnerclose.core.currency import foreign_settlers
from partnerclose.statements.data import (
    COMPONENT_LABELS,
    common_scalars,
    index_close,
    statement_fill,
)
from partnerclose.statements.plan import fill_sheet, format_replacements
from partnerclose.statements.sheet import RowInsert, SheetContent
from partnerclose.statements.template import column_letter, replace_in_format
from partnerclose.statements.values import MAX_TEXT, CellValue, Formula, Text, clean_text
from partnerclose.statements.writers import STATEMENT_TEMPLATE, TEMPLATES, statement_partners

__all__ = [
    "COMPONENT_LABELS",
    "MAX_TEXT",
    "STATEMENT_TEMPLATE",
    "TEMPLATES",
    "CellValue",
    "Formula",
    "RowInsert",
    "SheetContent",
    "Text",
    "clean_text",
    "column_letter",
    "common_scalars",
    "fill_sheet",
    "foreign_settlers",
    "format_replacements",
    "index_close",
    "replace_in_format",
    "statement_fill",
    "statement_partners",
]
