"""The public template-engine interface: what a front end that fills statement sheets
itself (the Excel add-in writes them into the open workbook) may use of
`partnerclose.statements`.

A deliberate second public module beside `partnerclose.api` (docs/decisions.md,
"Layers and public interfaces"): import-linter keeps the front ends on these two;
everything else in `partnerclose.statements` may change.
"""

from partnerclose.core.currency import foreign_settlers
from partnerclose.statements.data import COMPONENT_LABELS, index_close, statement_fill
from partnerclose.statements.plan import CURRENCY, fill_sheet
from partnerclose.statements.sheet import RowInsert, SheetContent
from partnerclose.statements.template import column_letter, replace_in_format, replace_placeholder
from partnerclose.statements.values import MAX_TEXT, CellValue, Formula, Text, clean_text
from partnerclose.statements.writers import STATEMENT_TEMPLATE, TEMPLATES, statement_partners

__all__ = [
    "COMPONENT_LABELS",
    "CURRENCY",
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
    "fill_sheet",
    "foreign_settlers",
    "index_close",
    "replace_in_format",
    "replace_placeholder",
    "statement_fill",
    "statement_partners",
]
