"""Currencies (rules.md X): which rate applies where, and the checks of X3.

X1 turns every deal and campaign amount in another currency into the program
currency at the period's average rate, once per row, before any rule sees it.
X2 shows each line of a partner that settles in another currency in that
currency at the period's closing rate. Both conversions round in the money
module; this module only picks the rate. The ISO 4217 codes and minor units
come in as `CurrencyCodes` (the reader takes them from Babel), so the core
stays free of data files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from decimal import Decimal

from partnerclose.core.lines import Component
from partnerclose.core.money import ONE, to_program_currency, to_settlement_currency
from partnerclose.core.participation import participation
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import (
    Campaign,
    Conversion,
    Deal,
    DealStatus,
    FxRate,
    Loc,
    PeriodData,
    Program,
)


@dataclass(frozen=True, slots=True)
class CurrencyCodes:
    """ISO 4217: minor units by code, and the codes' symbols (`€` -> EUR) for hints."""

    minor_units: Mapping[str, int]
    symbols: Mapping[str, str] = field(default_factory=dict)

    def __contains__(self, code: object) -> bool:
        """Whether `code` is an ISO 4217 currency code."""
        return code in self.minor_units

    def suggestion(self, found: str) -> str:
        """`; did you mean "EUR"?` for a code one letter off, a lowercase code or a symbol."""
        text = found.strip()
        guess = self.symbols.get(text)
        if guess is None and text.upper() in self.minor_units:
            guess = text.upper()
        if guess is None and len(text) == 3:
            upper = text.upper()
            near = [
                code
                for code in self.minor_units
                if len(code) == 3 and sum(a != b for a, b in zip(code, upper, strict=True)) == 1
            ]
            # Prefer a code that keeps the first two letters (EUT -> EUR, not XUT).
            near.sort(key=lambda code: (code[:2] != upper[:2], code))
            guess = near[0] if near else None
        if guess is None and len(text) > 3 and text[:3].upper() in self.minor_units:
            guess = text[:3].upper()  # EURO, USD$
        return f'; did you mean "{guess}"?' if guess else ""


@dataclass(frozen=True, slots=True)
class SettlementRate:
    """How a partner's lines show in its settlement currency (rules.md X2)."""

    currency: str
    rate: Decimal  # the period's closing rate; 1 for the program currency
    decimals: int

    def settle(self, amount: Decimal) -> Decimal:
        """A line's amount in the settlement currency."""
        if self.rate == ONE:
            return amount
        return to_settlement_currency(amount, self.rate, self.decimals)


def period_rates(program: Program, period: Period) -> dict[str, FxRate]:
    """The period's FxRates row per currency (the first, if there are two)."""
    found: dict[str, FxRate] = {}
    for row in program.fx_rates:
        if row.period == period:
            found.setdefault(row.currency, row)
    return found


def settlement_currency(program: Program, partner_id: str) -> str:
    """X2: the currency the partner settles in (the program currency when none is given)."""
    for partner in program.partners:
        if partner.partner_id == partner_id:
            return partner.currency or program.settings.currency
    return program.settings.currency


def settlement_rates(program: Program, period: Period) -> dict[str, SettlementRate]:
    """X2: every participant's settlement rate for the period.

    HOST and partners in the program currency settle at rate 1.
    """
    code, decimals = program.settings.currency, program.settings.decimals
    rates = period_rates(program, period)
    own = SettlementRate(code, ONE, decimals)
    found = {"HOST": own}
    for partner in program.partners:
        row = rates.get(partner.currency) if partner.currency not in ("", code) else None
        found[partner.partner_id] = (
            own if row is None else SettlementRate(row.currency, row.closing, row.decimals)
        )
    return found


def foreign_settlers(program: Program) -> list[str]:
    """The partners that settle in a currency other than the program's."""
    code = program.settings.currency
    return [p.partner_id for p in program.partners if p.currency not in ("", code)]


def settled_totals(
    program: Program,
    period: Period,
    lines: Iterable[tuple[str, str, Component, Decimal]],
) -> tuple[dict[str, dict[Component, Decimal]], list[Problem]]:
    """Participant -> component -> Σ earlier lines in its settlement currency (X2).

    `lines` are (period, participant, component, amount) of earlier final closes.
    Each line converts at the closing rate of its own period, as that period's
    statement showed it, so that a year to date in EUR is the sum of the EUR
    amounts the partner was sent. A period whose rate is no longer in FxRates
    converts at this period's closing rate, said as a warning at the sheet.
    """
    current = settlement_rates(program, period)
    code = program.settings.currency
    by_period: dict[str, dict[str, FxRate]] = {}
    for fx in program.fx_rates:
        by_period.setdefault(str(fx.period), {}).setdefault(fx.currency, fx)
    totals: dict[str, dict[Component, Decimal]] = {}
    missing: set[tuple[str, str]] = set()
    for when, partner_id, component, amount in lines:
        rate = current.get(partner_id)
        if rate is None or rate.currency == code:
            continue
        then = by_period.get(when, {}).get(rate.currency)
        if then is None:
            missing.add((when, rate.currency))
        else:
            rate = SettlementRate(then.currency, then.closing, then.decimals)
        mine = totals.setdefault(partner_id, {})
        mine[component] = mine.get(component, Decimal(0)) + rate.settle(amount)
    loc = Loc(program.settings.loc.file, "FxRates", 1)
    problems = [
        loc.warning(
            f"no FxRates row for {currency} in {when}: the year to date and last period of "
            f"partners settling in {currency} use the closing rate of {period} for {when}; "
            f"add the row of {when} to show them as they were sent"
        )
        for when, currency in sorted(missing)
    ]
    return totals, problems


# --- X1: inputs into the program currency -------------------------------------------


def conversion_of(program: Program, period: Period) -> Conversion | None:
    """X1's terms for `period`; None when it has no FxRates row (one currency)."""
    rates = period_rates(program, period)
    if not rates:
        return None
    code = program.settings.currency
    settles = {p.partner_id: p.currency or code for p in program.partners}
    return Conversion(
        code,
        program.settings.decimals,
        tuple(sorted((c, rate.average) for c, rate in rates.items())),
        tuple(settles.items()),
    )


def convert_deals(conversion: Conversion | None, deals: Sequence[Deal]) -> tuple[Deal, ...]:
    """X1 for deal rows: each in another currency, in the program currency.

    A deal keeps its currency (filled in when blank) and, in `source_amount`, its amount
    in it (R5 takes its ratio on those). A deal converted before, with other terms, is
    converted again from what it was given; with `conversion` None it is given back as
    it was read. A currency without a rate is left as it is: validation reports it
    (check_currencies) and nothing is closed.
    """
    if conversion is None:
        return tuple(_as_given(row) if row.source_amount is not None else row for row in deals)
    code, decimals = conversion.currency, conversion.decimals
    settles = dict(conversion.settles)
    # The average rate of each currency; None for the program currency's own rows.
    average_of: dict[str, Decimal | None] = dict(conversion.averages)
    average_of[code] = None
    # A million deals, in one loop without calls but the rounding: those in the program
    # currency (most of them) are passed on as they are.
    converted: list[Deal] = []
    keep = converted.append
    for row in deals:
        source = row.source_amount
        given, amount = (
            (row.currency, row.amount) if source is None else (row.given_currency, source)
        )
        currency = given or settles.get(row.partner_id, code)
        average = average_of.get(currency)
        if average is None:
            keep(row if source is None else _as_given(row))
            continue
        # Positional, not dataclasses.replace: a million deals, and replace was 3/4 of X1.
        keep(
            Deal(
                row.partner_id,
                row.deal_id,
                row.close_date,
                row.product,
                row.deal_type,
                to_program_currency(amount, average, decimals),
                row.status,
                row.registered,
                row.created_date,
                row.customer,
                row.original_deal_id,
                currency,
                amount,
                given,
                row.loc,
            )
        )
    return tuple(converted)


def _as_given(row: Deal) -> Deal:
    """A converted deal as it was read: its amount and currency as given."""
    assert row.source_amount is not None
    return replace(
        row,
        amount=row.source_amount,
        currency=row.given_currency,
        source_amount=None,
        given_currency="",
    )


def converted_data(conversion: Conversion | None, data: PeriodData) -> PeriodData:
    """`data` with its deals converted at `conversion` (X1); as it is when they already are."""
    if data.converted == conversion:
        return data
    return replace(data, deals=convert_deals(conversion, data.deals), converted=conversion)


def as_given(data: PeriodData) -> PeriodData:
    """`data` as it was read: deals converted by X1 given back in their own currency.

    For what changes inputs before the rules (scenarios): a change to a deal is a change
    to the deal as the partner gave it.
    """
    return converted_data(None, data)


def convert_inputs(program: Program, period: Period, data: PeriodData) -> PeriodData:
    """Deals and campaigns in another currency, in the program currency (X1).

    The reader converts deals as it checks each workbook's rows (validation.check_rows),
    so that here, on the same terms, only the few campaigns are left to convert.
    Validation has made sure every rate needed is there.
    """
    conversion = conversion_of(program, period)
    data = converted_data(conversion, data)
    if conversion is None:  # one currency: nothing to convert (and no copy of a million deals)
        return data
    code, decimals = conversion.currency, conversion.decimals
    settles = dict(conversion.settles)
    average_of: dict[str, Decimal | None] = dict(conversion.averages)
    average_of[code] = None

    def campaign(row: Campaign) -> Campaign:
        currency = row.currency or settles.get(row.partner_id, code)
        average = average_of[currency]
        if average is None:
            return row

        def into(value: Decimal | None) -> Decimal | None:
            return None if value is None else to_program_currency(value, average, decimals)

        return replace(
            row,
            spend=to_program_currency(row.spend, average, decimals),
            pipeline=into(row.pipeline),
            attributed_revenue=into(row.attributed_revenue),
            currency=currency,
        )

    return replace(data, campaigns=tuple(map(campaign, data.campaigns)))


# --- X3: the checks -----------------------------------------------------------------


def check_currencies(
    program: Program,
    period: Period,
    data: PeriodData,
    codes: CurrencyCodes,
    rejected: Set[str] = frozenset(),
) -> list[Problem]:
    """Every currency problem of rules.md X3 at its cell.

    `rejected` holds currencies of FxRates rows the reader refused (a rate of
    "abc"): their rate is not reported again as missing.
    """
    settings = program.settings
    code = settings.currency
    problems: list[Problem] = []
    if code not in codes:
        problems.append(_unknown_code(settings.loc, code, "currency", codes))
    problems += _check_rate_rows(program.fx_rates, code, codes)
    rates = period_rates(program, period)

    def needs(loc: Loc, currency: str, what: str) -> None:
        if currency == code or currency not in codes or currency in rates:
            return
        if currency in rejected:
            return
        problems.append(
            loc.error(
                f"no FxRates row for {currency} in {period} (needed for {what}); add a row "
                f"with period {period}, currency {currency}, average and closing",
                "currency",
            )
        )

    settles: dict[str, str] = {}
    for partner in program.partners:
        settles[partner.partner_id] = partner.currency or code
        if not partner.currency:
            continue
        if partner.currency not in codes:
            problems.append(_unknown_code(partner.loc, partner.currency, "currency", codes))
        elif participation(partner, period).takes_part:
            needs(
                partner.loc, partner.currency, f"partner {partner.partner_id}, which settles in it"
            )
    # Only rows with a currency of their own or of a partner in another currency can
    # need a rate: one pass of a cheap test over a million deals of a one-currency program.
    abroad = {pid for pid, currency in settles.items() if currency != code}
    rows: list[Deal | Campaign] = [d for d in data.deals if d.currency or d.partner_id in abroad]
    rows += [c for c in data.campaigns if c.currency or c.partner_id in abroad]
    for row in rows:
        given = _given_currency(row)
        if given and given not in codes:
            problems.append(_unknown_code(row.loc, given, "currency", codes))
            continue
        currency = given or settles.get(row.partner_id, code)
        kind = "deal" if isinstance(row, Deal) else "campaign"
        name = row.deal_id if isinstance(row, Deal) else row.campaign_id
        needs(row.loc, currency, f"{kind} {name}")
    if any(isinstance(row, Deal) for row in rows):  # else every deal is in `code`
        problems += _check_reversal_currencies(data.deals, settles, code)
    return problems


def _given_currency(row: Deal | Campaign) -> str:
    """The row's currency cell as given (X1 fills in a converted deal's blank one)."""
    if isinstance(row, Deal) and row.source_amount is not None:
        return row.given_currency
    return row.currency


def _unknown_code(loc: Loc, found: str, column: str, codes: CurrencyCodes) -> Problem:
    return loc.error(
        f'currency must be an ISO 4217 code such as USD, EUR or JPY, got "{found}"'
        + codes.suggestion(found),
        column,
    )


def _check_rate_rows(
    rows: Sequence[FxRate], program_code: str, codes: CurrencyCodes
) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[tuple[Period, str], FxRate] = {}
    for row in rows:
        if row.currency not in codes:
            problems.append(_unknown_code(row.loc, row.currency, "currency", codes))
        elif row.currency == program_code:
            problems.append(
                row.loc.error(
                    f"FxRates lists {row.currency}, the program currency, whose rate is 1 by "
                    "definition; remove the row",
                    "currency",
                )
            )
        for column in ("average", "closing"):
            value: Decimal = getattr(row, column)
            if value <= 0:
                problems.append(
                    row.loc.error(f"{column} must be a rate > 0, got {value.normalize():f}", column)
                )
        key = (row.period, row.currency)
        earlier = first.setdefault(key, row)
        if earlier is not row:
            for twin, other in ((earlier, row), (row, earlier)):
                problems.append(
                    twin.loc.error(
                        f"FxRates has two rows for {row.currency} in {row.period} "
                        f"(rows {min(twin.loc.row, other.loc.row)} and "
                        f"{max(twin.loc.row, other.loc.row)}); keep one",
                        "currency",
                    )
                )
    return list(dict.fromkeys(problems))


_REVERSAL_STATUSES = frozenset({DealStatus.REFUNDED, DealStatus.CHURNED})


def _check_reversal_currencies(
    deals: Sequence[Deal], settles: Mapping[str, str], program_code: str
) -> list[Problem]:
    """A reversal must be in its original deal's currency (X1, R5)."""

    def currency_of(deal: Deal) -> str:
        return deal.currency or settles.get(deal.partner_id, program_code)

    reversals = [d for d in deals if d.status in _REVERSAL_STATUSES]
    if not reversals:
        return []
    # Only the deals the reversals name: not a map of a million deals.
    named = {d.original_deal_id for d in reversals}
    by_id = {d.deal_id: d for d in deals if d.deal_id in named}
    problems: list[Problem] = []
    for row in reversals:
        original = by_id.get(row.original_deal_id)
        if original is None or currency_of(original) == currency_of(row):
            continue
        problems.append(
            row.loc.error(
                f"{row.deal_id} reverses deal {original.deal_id}, which is in "
                f"{currency_of(original)}, but is in {currency_of(row)}; a reversal must be "
                f"in its deal's currency",
                "currency",
            )
        )
    return problems


def rates_used(program: Program, period: Period) -> dict[str, dict[str, str]]:
    """X3: the period's rates as the ledger keeps them with a run.

    `{"fx_rates": {"EUR": "average 1.0800 closing 1.1000 source ECB"}}`, or nothing.
    """
    rows = period_rates(program, period)
    if not rows:
        return {}
    return {
        "fx_rates": {
            code: f"average {row.average} closing {row.closing}"
            + (f" source {row.source}" if row.source else "")
            for code, row in sorted(rows.items())
        }
    }
