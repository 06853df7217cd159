"""How numbers look on screen: grouped, right-aligned, exact to the currency unit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from partnerclose.api import HOST, Component, round_money

COMPONENT_LABELS: dict[Component, str] = {component: component.label for component in Component}

# Two-line headers for the summary table, where a column per component must fit.
COMPONENT_HEADERS: dict[Component, str] = {
    Component.COST_SHARE: "Cost\nshare",
    Component.GUARDRAIL: "Guardrail",
    Component.IN_KIND_CREDIT: "In-kind\ncredit",
    Component.RESERVE_CONTRIBUTION: "Reserve\ncontrib.",
    Component.RESERVE_REFUND: "Reserve\nrefund",
    Component.WIND_DOWN_FEE: "Wind-down\nfee",
    Component.REVENUE_SHARE: "Revenue\nshare",
    Component.TRUE_UP: "True-up",
    Component.CLAWBACK: "Clawback",
    Component.REVENUE_CAP: "Revenue\ncap",
    Component.MDF: "MDF",
    Component.MILESTONE: "Milestone",
    Component.MILESTONE_RELEASE: "Milestone\nrelease",
    Component.DEFERRED_RELEASE: "Deferred\nrelease",
}

MINUS = "-"


def money(value: Decimal, decimals: int = 2) -> str:
    """`-1,234.56`: rounded half up to the currency unit, grouped, never `-0.00`."""
    rounded = round_money(value, decimals)
    if rounded.is_zero():
        rounded = rounded.copy_abs()
    return f"{rounded:,.{decimals}f}"


def parse_money(text: str) -> Decimal:
    """The inverse of `money` (used by tests and by copy/paste of a cell)."""
    return Decimal(text.replace(",", "").replace("\u2212", MINUS))


def number(value: Decimal, places: int = 2) -> str:
    """A quantity: grouped, at most `places` decimals, trailing zeros dropped."""
    rounded = round_money(value, places)
    text = f"{rounded:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(value: Decimal, places: int = 1) -> str:
    """A share or rate as a percentage: 0.3046 -> `30.5 %`, 0.3 -> `30.0 %`."""
    return f"{money(value * 100, places)} %"


def rate_or_quantity(value: Decimal | None, places: int = 4) -> str:
    """A rate or quantity to `places` decimals; "" when there is none."""
    return "" if value is None else number(value, places)


def component_label(component: Component) -> str:
    """A line component as the statement names it (`Cost share`)."""
    return COMPONENT_LABELS.get(component, component.value.replace("_", " ").capitalize())


def component_header(component: Component) -> str:
    """A component as a column header of the summary table."""
    return COMPONENT_HEADERS.get(component, component_label(component))


def participant_label(participant_id: str, names: dict[str, str]) -> str:
    """`P001 · Acme Analytics`, or `Host` for the program's owner."""
    if participant_id == HOST:
        return "Host"
    name = names.get(participant_id, "")
    return f"{participant_id} · {name}" if name else participant_id


def plural(count: int, word: str, many: str | None = None) -> str:
    """A count with its noun, singular or plural: `1 error`, `3 warnings`."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def local_time(text: str) -> str:
    """`2026-11-03T09:12:44+00:00` in the user's time zone, to the minute."""
    try:
        return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text
