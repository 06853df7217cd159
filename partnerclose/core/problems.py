"""Problems are values: every one carries where it was found."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How serious a problem is: an error blocks a final close, a warning or info does not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with the input, or one thing a close wants a user to know."""

    severity: Severity
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""  # "G14", or "14" for a whole row, or "" for the sheet or file
    column: str = ""  # the column's header name, where one applies
    reference: str = ""  # for an unknown reference: the id that was not found

    @property
    def location(self) -> str:
        """`program.xlsx:Deals!G14`, `program.xlsx:Deals`, `program.xlsx` or ``."""
        where = self.file
        if self.sheet:
            where += f":{self.sheet}"
            if self.cell:
                where += f"!{self.cell}"
        return where

    def __str__(self) -> str:
        """The problem as a user reads it: `program.xlsx:Deals!G14: warning: ...`."""
        prefix = f"{self.location}: " if self.location else ""
        tag = "" if self.severity is Severity.ERROR else f"{self.severity}: "
        return f"{prefix}{tag}{self.message}"


def has_errors(problems: Iterable[Problem]) -> bool:
    """Whether any of the problems is an error (which blocks a final close)."""
    return any(p.severity is Severity.ERROR for p in problems)


def sort_key(problem: Problem) -> tuple[int, str, str, int, str, str]:
    """Errors first, then by place (row numbers compare as numbers)."""
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    digits = "".join(ch for ch in problem.cell if ch.isdigit())
    letters = "".join(ch for ch in problem.cell if ch.isalpha())
    return (
        order[problem.severity],
        problem.file,
        problem.sheet,
        int(digits) if digits else 0,
        letters.rjust(3),
        problem.message,
    )


def did_you_mean(found: str, candidates: Iterable[str]) -> str:
    """`; did you mean "Core"?` when a candidate is close to `found`, else ``."""
    by_lower = {name.lower(): name for name in sorted(set(candidates))}
    close = difflib.get_close_matches(found.lower(), list(by_lower), n=1, cutoff=0.6)
    return f'; did you mean "{by_lower[close[0]]}"?' if close else ""


def cap_per_file(problems: Sequence[Problem], limit: int) -> list[Problem]:
    """At most `limit` problems per file, then one line that says how many more there are.

    The first ones, in report order, are kept, so a sheet of a million bad rows stays readable.
    Problems without a file are kept.
    """
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.file] = counts.get(problem.file, 0) + 1
    if all(count <= limit for file, count in counts.items() if file):
        return list(problems)
    kept: list[Problem] = []
    dropped: dict[str, list[Problem]] = {}
    shown: dict[str, int] = {}
    for problem in sorted(problems, key=sort_key):
        if not problem.file or counts[problem.file] <= limit:
            kept.append(problem)
        elif shown.get(problem.file, 0) < limit:
            shown[problem.file] = shown.get(problem.file, 0) + 1
            kept.append(problem)
        else:
            dropped.setdefault(problem.file, []).append(problem)
    order = list(Severity)
    for file, rest in dropped.items():
        worst = min((p.severity for p in rest), key=order.index)
        kept.append(
            Problem(
                worst,
                f"{len(rest):,} more problems in this file are not listed (the first "
                f"{limit:,} are); correct those and check the file again",
                file,
            )
        )
    return kept


_DIGITS = re.compile(r"\d")


def id_pattern(text: str) -> str:
    """An id with its digits blanked: `P007` and `P010` share the pattern `P###`."""
    return _DIGITS.sub("#", text)


def did_you_mean_id(found: str, candidates: Iterable[str]) -> str:
    """A suggestion for an unknown id, only where it is likely a typo.

    Two ids of the same pattern that differ only in their digits (`P007`,
    `P010`) both look valid: neither is suggested for the other, since the
    user may well mean a partner that is not in the program yet.
    """
    pattern = id_pattern(found)
    return did_you_mean(found, (c for c in candidates if id_pattern(c) != pattern))
