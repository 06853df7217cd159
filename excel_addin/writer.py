"""The close's writer into the open workbook: statements, summary, exceptions.

`WorkbookWriter` is a `partnerclose.api.Writer`: `run_close` calls it with the
computed close, after the file outputs and before the ledger records the run.
It makes its sheets through a `SheetSwap`, under temporary names; the caller
commits the swap once the close is recorded (or rolls it back).

Statements: the workbook's `Statement Template` sheet is copied once into a
working sheet whose number formats get the currency and which is read once
(`prepare_template`); each statement is a copy of it, filled by the template
engine through `XlwingsSheet`: a copy, a mark, a name and the plan's operations
(two per growing table, one write, a row fit, the print area): at most 22 for
the shipped template, however many lines a statement has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import xlwings as xw

from excel_addin.layout import STATEMENT_PREFIX
from excel_addin.marks import Kind, SheetSwap
from excel_addin.reports import write_exceptions, write_summary
from excel_addin.sheet import XlwingsSheet, prepare_template
from excel_addin.workbook import ensure_statement_template
from partnerclose.api import CloseContext, Stage
from partnerclose.template_api import (
    common_scalars,
    fill_sheet,
    foreign_settlers,
    format_replacements,
    index_close,
    statement_fill,
    statement_partners,
)

# The plan's values in one rectangle: a call to Excel costs more than writing
# the gaps between the computed cells again with what they hold.
WRITE_BLOCKS = 1


def statement_sheet_name(partner_id: str) -> str:
    return STATEMENT_PREFIX + partner_id


@dataclass
class WorkbookWriter:
    """Writes a close into `book` through `swap`; `title` heads the Exceptions sheet."""

    book: xw.Book
    swap: SheetSwap
    title: str
    book_sheets: frozenset[str]  # the workbook's sheets before the run (for links)
    clock: Callable[[], datetime] = datetime.now
    statements: dict[str, str] = field(default_factory=dict)  # partner id -> sheet name

    def __call__(self, context: CloseContext, folder: Path) -> None:
        partners = statement_partners(context)
        self.statements = {pid: self.swap.allocate(statement_sheet_name(pid)) for pid in partners}
        write_summary(self.swap, context, self.statements, produced=self.clock())
        write_exceptions(
            self.swap,
            context.problems,
            title=self.title,
            book_name=self.book.name,
            sheets=self.book_sheets,
        )
        template = ensure_statement_template(self.book, self.swap)
        work = self.swap.add(Kind.WORK, "", None, source=template)
        if not work.visible:
            work.visible = True  # a hidden template gives hidden copies
        # Every statement in the program currency: the copy gets its number formats once.
        # With partners in other currencies (X2) it keeps the placeholders, and each
        # statement puts in its own currency and decimals.
        shared = {} if foreign_settlers(context.program) else common_scalars(context)
        prepared = prepare_template(work, template.name, format_replacements(shared))
        index = index_close(context.result)
        total = len(partners)
        for done, pid in enumerate(partners, start=1):
            sheet = self.swap.add(Kind.STATEMENT, pid, self.statements[pid], source=work)
            fill = statement_fill(context, pid, index)
            fill_sheet(XlwingsSheet(sheet, prepared), fill, max_blocks=WRITE_BLOCKS)
            context.progress(Stage.WRITE, done, total, pid)
