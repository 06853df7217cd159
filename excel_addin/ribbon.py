"""The add-in's ribbon: one place that lists its buttons and what each runs.

The add-in's VBA is xlwings's, kept byte for byte (`excel_addin.build`), and has
one ribbon macro, `RibbonMyAddin.RunMain`, which runs `partnerclose_addin.main()`:
the action picked on the Close sheet (`layout.Action`: validate, draft close,
final close, reopen, history, check this computer, self-test). A new feature is
a new `Action` with its handler in `entry` (and its drop-down entry comes with
it); once the VBA project is generated with a macro per button, each `Button`
here gets its own `macro` and Python call (`partnerclose_addin.action`).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

TAB_LABEL = "Partner Close"
BUTTON_LABEL = "Run close"
MACRO = "RibbonMyAddin.RunMain"  # module.macro in the template's VBA project
NAMESPACE = "http://schemas.microsoft.com/office/2006/01/customui"


@dataclass(frozen=True, slots=True)
class Button:
    id: str
    label: str
    macro: str
    image: str  # a built-in Office image (imageMso)
    screentip: str
    supertip: str
    size: str = "large"


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
                "runCloseButton",
                BUTTON_LABEL,
                MACRO,
                "MacroPlay",
                "Run the close",
                "Does what the Close sheet of the active workbook asks for: validate, draft "
                "close, final close, reopen, history, check this computer or self-test.",
            ),
        ),
    ),
)


def custom_ui(groups: tuple[Group, ...] = GROUPS) -> str:
    """customUI.xml (the 2006 schema, which every Excel since 2007 reads)."""
    parts = []
    for group in groups:
        buttons = "".join(
            f"\n          <button id={quoteattr(b.id)} label={quoteattr(b.label)} "
            f"size={quoteattr(b.size)} imageMso={quoteattr(b.image)} "
            f"onAction={quoteattr(b.macro)} screentip={quoteattr(b.screentip)} "
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
