"""Who was expected to send data for a period, and who sent none.

An active partner taking part in the period is expected to report (a partner
workbook, or rows in the program's data sheets). A month in which no partner
workbook arrived at all is most often a wrong period or folder, so closing it
needs an explicit choice (workbooks.md, "Bad input"); a partner without data
gets a statement that says so (outputs.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from operator import attrgetter

from partnerclose.core.participation import participation
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import Partner, PartnerStatus, PeriodData, Program

_PARTNER_ID = attrgetter("partner_id")
_SHOWN = 5  # ids named in a message before "…"


def expected_partners(program: Program, period: Period) -> list[Partner]:
    """Partners expected to report for the period: active and taking part."""
    return [
        partner
        for partner in program.partners
        if partner.status is PartnerStatus.ACTIVE and participation(partner, period).takes_part
    ]


def partners_without_data(program: Program, period: Period, data: PeriodData) -> tuple[str, ...]:
    """Expected partners with no workbook and no data row from any source, in program order."""
    submitted = set(map(_PARTNER_ID, data.submissions))
    missing = [
        p.partner_id for p in expected_partners(program, period) if p.partner_id not in submitted
    ]
    if not missing:  # the usual month: no need to look at a million rows
        return ()
    rows: Iterable[object] = chain(data.usage, data.deals, data.metrics, data.campaigns)
    reporting = set(map(_PARTNER_ID, rows))
    return tuple(pid for pid in missing if pid not in reporting)


def _some(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_SHOWN])
    return shown + (", …" if len(ids) > _SHOWN else "")


def empty_period_problem(
    program: Program, period: Period, data: PeriodData, folder: str, allow_empty: bool
) -> Problem | None:
    """The problem when no partner workbook of the period arrived at all.

    An error while expected partners have no data, or with `allow_empty` a note that the month is
    closed without it.
    """
    if data.submissions:
        return None
    missing = partners_without_data(program, period, data)
    if not missing:
        return None
    count = len(missing)
    who = f"{count} active partner{'s' if count != 1 else ''} ({_some(missing)})"
    loc = program.settings.loc
    if allow_empty:
        return loc.info(
            f"closing {period} with no partner workbooks, as allowed: {who} sent no data for "
            "it, and each of their statements says so",
            "partner_folder",
        )
    return loc.error(
        f"no partner workbook of {period} was found in {folder}, and {who} sent no data "
        f"for it; check the period and the partner folder, or allow a close without partner "
        "data (--allow-empty)",
        "partner_folder",
    )
