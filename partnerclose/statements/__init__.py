"""Partner statements and the close pack, filled from templates (docs/templates.md).

The pure parts (values, data, template, references, plan, sheet) import no
spreadsheet library, so that a live Excel backend can use them without
openpyxl; `xlsx` is the openpyxl backend and `writers` the close's writers.
Import from the submodules; this package imports nothing on purpose.
"""
