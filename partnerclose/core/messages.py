"""E-mail templates: a subject line and a body with `{placeholder}` fields.

A template file (templates/statement_email.txt, templates/request_email.txt)
starts with `Subject: ...`, then a blank line, then the body. A placeholder is a
name in braces; `{{` and `}}` are literal braces. A name the template uses that
is not offered is a problem of the template (with its line), not a blank.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from partnerclose.core.problems import Problem, Severity

_FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")

# The placeholders of the statement e-mail (docs/month.md lists them too).
STATEMENT_FIELDS = (
    "partner_id",
    "partner_name",
    "program_name",
    "period",
    "net",
    "currency",
    "direction",
    "statement_number",
    "due_date",
)
# The placeholders of the request e-mail of `prepare`.
REQUEST_FIELDS = ("partner_id", "partner_name", "program_name", "period", "workbook")


@dataclass(frozen=True, slots=True)
class MessageText:
    """One e-mail ready to send: its subject and body, placeholders filled in."""

    subject: str
    body: str


def render(
    template: str, values: Mapping[str, str], file: str
) -> tuple[MessageText, list[Problem]]:
    """The template with its placeholders filled in; problems name the template's line."""
    problems: list[Problem] = []
    lines = template.replace("\r\n", "\n").split("\n")
    if not lines or not lines[0].lower().startswith("subject:"):
        problems.append(
            Problem(
                Severity.ERROR,
                'the e-mail template must start with a line "Subject: ..." and a blank line',
                file,
                cell="1",
            )
        )
        return MessageText("", ""), problems
    body_start = 2 if len(lines) > 1 and not lines[1].strip() else 1
    filled: list[str] = []
    for number, line in enumerate(lines, start=1):

        def field(match: re.Match[str], number: int = number) -> str:
            token = match.group(0)
            if token in ("{{", "}}"):
                return token[0]
            name = match.group(1)
            if name in values:
                return values[name]
            problems.append(
                Problem(
                    Severity.ERROR,
                    f"the e-mail template uses {{{name}}}, which is not a placeholder; "
                    f"known: {', '.join('{' + known + '}' for known in values)}",
                    file,
                    cell=str(number),
                )
            )
            return token

        filled.append(_FIELD.sub(field, line))
    subject = filled[0].split(":", 1)[1].strip()
    return MessageText(subject, "\n".join(filled[body_start:]).rstrip("\n") + "\n"), problems
