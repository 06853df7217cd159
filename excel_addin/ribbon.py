"""The add-in's ribbon: one place that lists its buttons, the VBA callback each
calls and the Python each callback runs.

Each button's `onAction` is a callback of the VBA module `PartnerCloseRibbon`
(`excel_addin/vba/PartnerCloseRibbon.bas`), which runs
`import partnerclose_addin; partnerclose_addin.<python>` through RunPython. A new
feature is a new `Button` here and its one-line callback there (the build's
tests check that the two agree); the Close sheet's Action cell, run by *Run close*,
stays the other way to every action.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

TAB_LABEL = "Partner Close"
RIBBON_MODULE = "PartnerCloseRibbon"  # the VBA module of the callbacks
NAMESPACE = "http://schemas.microsoft.com/office/2006/01/customui"


@dataclass(frozen=True, slots=True)
class Button:
    id: str
    label: str
    callback: str  # a Public Sub of RIBBON_MODULE
    python: str  # what the callback runs: partnerclose_addin.<python>
    image: str  # a built-in Office image (imageMso)
    screentip: str
    supertip: str
    size: str = "large"

    @property
    def on_action(self) -> str:
        return f"{RIBBON_MODULE}.{self.callback}"


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    label: str
    buttons: tuple[Button, ...]


GROUPS = (
    Group(
        "partnerCloseGroup",
        "Monthly close",
        (
            Button(
                "validateButton",
                "Validate",
                "PC_Validate",
                "action('validate')",
                "DataValidation",
                "Check the input",
                "Reads the program sheets and the partner workbooks for the period on the "
                "Close sheet and lists what is wrong on the Exceptions sheet. Changes nothing.",
            ),
            Button(
                "draftCloseButton",
                "Draft close",
                "PC_DraftClose",
                "action('draft')",
                "MacroPlay",
                "Close the period as a draft",
                "Computes the period on the Close sheet, writes a statement sheet per partner, "
                "the Close Summary and the close folder. The period stays open.",
            ),
            Button(
                "finalCloseButton",
                "Final close",
                "PC_FinalClose",
                "action('final')",
                "ReviewProtectWorkbook",
                "Close the period finally",
                "Asks first, then closes the period on the Close sheet and locks it in the "
                "ledger: the statements say FINAL.",
            ),
            Button(
                "runCloseButton",
                "Run close",
                "PC_RunClose",
                "main()",
                "Refresh",
                "Do what the Close sheet says",
                "Runs the action picked in the Close sheet's Action cell: validate, draft "
                "close, final close, reopen, approve, reject, history, check this computer "
                "or self-test.",
                size="normal",
            ),
        ),
    ),
    Group(
        "partnerCloseLedgerGroup",
        "Ledger",
        (
            Button(
                "reopenButton",
                "Reopen",
                "PC_Reopen",
                "action('reopen')",
                "Undo",
                "Reopen the last final period",
                "Asks first, then unlocks the period on the Close sheet so that it can be "
                "closed again; the reason typed next to Reason is kept in the audit trail.",
            ),
            Button(
                "approveButton",
                "Approve",
                "PC_Approve",
                "action('approve')",
                "ReviewAcceptChange",
                "Approve the period's draft",
                "Approves the latest draft close of the period on the Close sheet, as the "
                "second person: whoever ran the draft cannot approve it. A final close of a "
                "program that requires approval needs it.",
            ),
            Button(
                "rejectButton",
                "Reject",
                "PC_Reject",
                "action('reject')",
                "ReviewRejectChange",
                "Reject the period's draft",
                "Rejects the latest draft close of the period on the Close sheet; the reason "
                "typed next to Reason is kept in the audit trail.",
            ),
            Button(
                "whatIfButton",
                "What-if",
                "PC_WhatIf",
                "action('whatif')",
                "WhatIfAnalysisMenu",
                "Compare the Scenarios sheet's scenarios",
                "Computes each scenario of the Scenarios sheet beside the close of the period "
                "on the Close sheet and writes the comparison to the What-if sheet: per "
                "participant and component, pools, margin check and reserve. Nothing is "
                "recorded.",
            ),
            Button(
                "historyButton",
                "History",
                "PC_History",
                "action('history')",
                "ReviewTrackChanges",
                "List the ledger's runs",
                "Writes every run and audit entry of this workbook's ledger to the Close "
                "History sheet.",
            ),
        ),
    ),
    Group(
        "partnerCloseSendGroup",
        "Send",
        (
            Button(
                "sendButton",
                "Send statements",
                "PC_SendStatements",
                "action('send')",
                "FileSendAsAttachment",
                "E-mail each partner its statement",
                "Writes one e-mail per partner with its PDF statement for the final close of "
                "the period on the Close sheet into the close folder's emails folder; open "
                "them in Outlook and send. Partners without an e-mail address are listed.",
            ),
        ),
    ),
    Group(
        "partnerCloseHelpGroup",
        "Help",
        (
            Button(
                "checkButton",
                "Check this computer",
                "PC_CheckComputer",
                "doctor()",
                "Help",
                "Check what PartnerClose needs",
                "Checks Python, the libraries, the templates, whether Excel may start Python, "
                "the add-in file and this workbook's folder and ledger, and says what to fix.",
            ),
            Button(
                "selfTestButton",
                "Self-test",
                "PC_SelfTest",
                "selftest()",
                "HappyFace",
                "Run the demo through the add-in",
                "Runs a demo program through the add-in in this Excel (validate, draft, "
                "statements, final, history) in a folder of its own and writes a report to "
                "send to whoever supports PartnerClose.",
            ),
        ),
    ),
)
BUTTONS = tuple(button for group in GROUPS for button in group.buttons)


def custom_ui(groups: tuple[Group, ...] = GROUPS) -> str:
    """customUI.xml (the 2006 schema, which every Excel since 2007 reads)."""
    parts = []
    for group in groups:
        buttons = "".join(
            f"\n          <button id={quoteattr(b.id)} label={quoteattr(b.label)} "
            f"size={quoteattr(b.size)} imageMso={quoteattr(b.image)} "
            f"onAction={quoteattr(b.on_action)} screentip={quoteattr(b.screentip)} "
            f"supertip={quoteattr(b.supertip)} />"
            for b in group.buttons
        )
        parts.append(
            f"\n        <group id={quoteattr(group.id)} label={quoteattr(group.label)}>"
            f"{buttons}\n        </group>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<customUI xmlns="{NAMESPACE}">\n  <ribbon>\n    <tabs>\n'
        f'      <tab id="partnerCloseTab" label={quoteattr(TAB_LABEL)}>'
        f"{''.join(parts)}\n      </tab>\n    </tabs>\n  </ribbon>\n</customUI>\n"
    )
