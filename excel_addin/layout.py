"""The Close control sheet and the sheets the add-in makes: names and labels.

Pure constants, shared by the add-in (which finds its cells by these labels in
column A, so rows may be moved) and by `templates/build_templates.py` (which
lays the sheet out in the program template).
"""

from __future__ import annotations

from enum import StrEnum

CLOSE_SHEET = "Close"
STATEMENT_TEMPLATE_SHEET = "Statement Template"
SUMMARY_SHEET = "Close Summary"
EXCEPTIONS_SHEET = "Exceptions"
HISTORY_SHEET = "Close History"
WHATIF_SHEET = "What-if"
STATEMENT_PREFIX = "Stmt "  # + partner id: `Stmt P001`


class Action(StrEnum):
    """What the Run close button does (the drop-down's values)."""

    VALIDATE = "Validate"
    DRAFT = "Draft close"
    FINAL = "Final close"
    REOPEN = "Reopen"  # the last final period, with the reason next to "Reason"
    HISTORY = "History"  # the ledger's runs, on a Close History sheet
    APPROVE = "Approve"  # the period's latest draft, by someone other than its preparer
    REJECT = "Reject"  # the same, with the reason next to "Reason"
    WHATIF = "What-if"  # the Scenarios sheet beside the close, on a What-if sheet
    SEND = "Send statements"  # one .eml file per partner (Outlook opens them)
    CHECK = "Check this computer"  # partnerclose doctor and Excel's checks
    SELFTEST = "Self-test"  # the demo through the add-in, with a report


CLOSE_ACTIONS = (Action.DRAFT, Action.FINAL)
REPORT_ACTIONS = (Action.CHECK, Action.SELFTEST)  # about this computer, not the workbook


# Input labels (column A) of the Close sheet; the value is in column B.
PERIOD_LABEL = "Period"
ACTION_LABEL = "Action"
REASON_LABEL = "Reason"  # why a period is reopened or a draft rejected (audit trail)
# For a close that restates final periods (rules.md P3): the period(s), comma-separated,
# and the folder of the corrected workbooks (relative to the workbook's folder).
RESTATE_LABEL = "Restate period"
CORRECTIONS_LABEL = "Corrections folder"

# Outcome labels (column A), in the order the template lays them out.
TIME_LABEL = "Time"
RUN_PERIOD_LABEL = "For period"
RUN_ACTION_LABEL = "Action taken"
STATUS_LABEL = "Status"
NET_LABEL = "Net to partners"
STATEMENTS_LABEL = "Statements"
ERRORS_LABEL = "Errors"
WARNINGS_LABEL = "Warnings"
NOTES_LABEL = "Notes"
DETAILS_LABEL = "Details"
FOLDER_LABEL = "Folder"  # where the workbook, its partner folder, ledger and close folder are
LEDGER_LABEL = "Ledger"
APPROVAL_LABEL = "Approval"  # the period's approval state, after every run
OUTCOME_LABELS = (
    TIME_LABEL,
    RUN_PERIOD_LABEL,
    RUN_ACTION_LABEL,
    STATUS_LABEL,
    NET_LABEL,
    STATEMENTS_LABEL,
    ERRORS_LABEL,
    WARNINGS_LABEL,
    NOTES_LABEL,
    DETAILS_LABEL,
    FOLDER_LABEL,
    LEDGER_LABEL,
    APPROVAL_LABEL,
)
READ_ROWS = 40  # the Close sheet is read as A1:C40 (one range read)
