"""M1-M7 in one close (milestones.py). Multi-period behaviour: test_milestones_periods.py."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from partnerclose.core.lines import Component
from partnerclose.core.milestones import MilestoneState
from partnerclose.core.problems import Severity
from partnerclose.core.records import Gate, PartnerStatus, Recurrence
from tests.core.factories_milestones import (
    JAN,
    MAR,
    close,
    metric,
    milestone,
    partner,
    phase,
    program,
)

D = Decimal  # short for literals
T = TypeVar("T")


def only(items: Sequence[T]) -> T:
    (item,) = items
    return item


def test_example_m_d_once_disputed_budget_and_shock() -> None:
    # Linear F 0.40 / T 0.60 / C 0.80, payouts 2,000 / 10,000 / 14,000:
    # v = 0.70 → 10,000 + 4,000 × 0.5 = 12,000.00
    m = milestone(
        payouts=("2000.00", "10000.00", "14000.00"), phase_id="PH1", verification_required=True
    )
    prog = program(
        (m,),
        phases=(phase(budget="20000.00"),),
        interim_payment_pct=D("0.5"),
        shock_factor=D("0.8"),
    )
    state = MilestoneState(accrued={"MS1": D("6000.00")}, phase_spent={"PH1": D("18000.00")})
    result = close(prog, MAR, (metric("activation_rate", "0.70", disputed=True),), state=state)

    detail = only(result.details)
    assert detail.curve_payout == D("12000.00")
    assert detail.due == D("6000.00")  # 12,000 − 6,000 accrued
    assert detail.held == D("3000.00")  # 6,000 − 0.5 × 6,000
    assert detail.not_paid == D("1000.00")  # 3,000 payable, 2,000 fits the budget
    assert detail.paid == D("1600.00")  # 2,000 × 0.8
    assert detail.deferred == D("400.00")
    assert detail.status == "disputed: interim paid; phase budget reached; deferred (shock)"

    line = only(result.lines)
    assert (line.component, line.item, line.amount, line.rule) == (
        Component.MILESTONE,
        "MS1",
        D("1600.00"),
        "M5",
    )
    assert line.quantity == D("0.70")
    # accrued 6,000 + 1,600 + 3,000 + 400; the 1,000 cut by the budget is not accrued
    assert result.next_state.accrued == {"MS1": D("11000.00")}
    assert result.next_state.held == {"MS1": D("3000.00")}
    assert result.next_state.deferred == {"MS1": D("400.00")}
    assert result.next_state.phase_spent == {"PH1": D("20000.00")}  # 18,000 + 1,600 + 400


def test_example_m_c_in_a_close() -> None:
    m = milestone(retention_metric="retention", retention_target="0.85")
    result = close(
        program((m,)), MAR, (metric("activation_rate", "0.70"), metric("retention", "0.68"))
    )
    detail = only(result.details)
    assert (detail.curve_payout, detail.retention_multiplier, detail.payout) == (
        D("12500.00"),
        D("0.8"),
        D("12000.00"),
    )
    assert only(result.lines).amount == D("12000.00")
    assert only(result.lines).rule == "M3"


def test_missing_retention_value_pays_no_upside_and_warns() -> None:
    m = milestone(retention_metric="retention", retention_target="0.85")
    result = close(program((m,)), MAR, (metric("activation_rate", "0.70"),))
    assert only(result.lines).amount == D("10000.00")  # 12,500 with m = 0 → Pt
    problem = only(result.problems)
    assert problem.severity is Severity.WARNING
    assert "retention" in problem.message


def test_not_reported_pays_and_accrues_nothing() -> None:
    result = close(program((milestone(),)), MAR)
    line = only(result.lines)
    assert (line.amount, line.status, line.quantity) == (D("0.00"), "not reported", None)
    assert only(result.details).status == "not reported"
    assert result.next_state.accrued == {}
    problem = only(result.problems)
    assert problem.severity is Severity.WARNING
    assert "activation_rate" in problem.message


def test_unverified_metric_is_held_when_verification_is_required() -> None:
    m = milestone(verification_required=True)
    result = close(program((m,)), MAR, (metric("activation_rate", "0.50", verified=False),))
    line = only(result.lines)
    assert (line.amount, line.status, line.rule) == (D("0.00"), "pending verification", "M4")
    assert result.next_state.held == {"MS1": D("6000.00")}
    assert result.next_state.accrued == {"MS1": D("6000.00")}


def test_unverified_metric_pays_when_verification_is_not_required() -> None:
    m = milestone(verification_required=False)
    result = close(program((m,)), MAR, (metric("activation_rate", "0.50", verified=False),))
    assert only(result.lines).amount == D("6000.00")
    assert only(result.lines).status == "paid"


def test_disputed_with_default_interim_holds_everything() -> None:
    # interim_payment_pct defaults to 0: 0 paid now, all 6,000 held
    result = close(
        program((milestone(),)), MAR, (metric("activation_rate", "0.50", disputed=True),)
    )
    assert only(result.lines).amount == D("0.00")
    assert result.next_state.held == {"MS1": D("6000.00")}


def test_interim_payment_is_rounded() -> None:
    # at the floor: due 2,000.01; interim 1/3: 666.67 paid now, 1,333.34 held
    m = milestone(payouts=("2000.01", "10000.00", "15000.00"), levels=("0.40", "0.60", "0.80"))
    prog = program((m,), interim_payment_pct=D(1) / D(3))
    result = close(prog, MAR, (metric("activation_rate", "0.40", disputed=True),))
    assert only(result.lines).amount == D("666.67")  # 2,000.01 ÷ 3 = 666.67
    assert result.next_state.held == {"MS1": D("1333.34")}


def test_computed_metric_counts_as_verified_and_undisputed() -> None:
    m = milestone(metric="win_rate", verification_required=True)
    result = close(program((m,)), MAR, computed={"P001": {"win_rate": D("0.5")}})
    assert only(result.lines).amount == D("6000.00")
    detail = only(result.details)
    assert (detail.computed_metric, detail.verified, detail.disputed) == (True, True, False)
    assert result.problems == ()


def test_reported_metric_takes_precedence_over_computed_with_an_info() -> None:
    m = milestone(metric="win_rate")
    result = close(
        program((m,)), MAR, (metric("win_rate", "0.70"),), computed={"P001": {"win_rate": D("0.5")}}
    )
    assert only(result.lines).amount == D("12500.00")  # 0.70, not 0.5
    problem = only(result.problems)
    assert problem.severity is Severity.INFO
    assert "0.70" in problem.message
    assert "0.5" in problem.message


def test_paused_phase_pays_and_accrues_nothing() -> None:
    m = milestone(phase_id="PH1")
    prog = program((m,), phases=(phase(gate=Gate.PAUSE, budget="100000"),))
    result = close(prog, MAR, (metric("activation_rate", "0.70"),))
    line = only(result.lines)
    assert (line.amount, line.status, line.rule) == (D("0.00"), "phase paused", "M6")
    assert result.next_state == MilestoneState()


def test_adjust_gate_pays_and_flags_terms_under_review() -> None:
    m = milestone(phase_id="PH1")
    result = close(
        program((m,), phases=(phase(gate=Gate.ADJUST),)), MAR, (metric("activation_rate", "0.50"),)
    )
    line = only(result.lines)
    assert (line.amount, line.status) == (D("6000.00"), "paid; terms under review")


def test_monthly_milestone_ignores_accrued() -> None:
    m = milestone(recurrence=Recurrence.MONTHLY)
    state = MilestoneState(accrued={"MS1": D("50000.00")})
    result = close(program((m,)), MAR, (metric("activation_rate", "0.50"),), state=state)
    assert only(result.lines).amount == D("6000.00")
    assert result.next_state.accrued == {"MS1": D("56000.00")}


def test_once_milestone_below_what_it_accrued_pays_nothing() -> None:
    state = MilestoneState(accrued={"MS1": D("12500.00")})
    result = close(program((milestone(),)), MAR, (metric("activation_rate", "0.50"),), state=state)
    line = only(result.lines)
    assert (line.amount, line.status, line.rule) == (D("0.00"), "nothing due", "M2")
    assert result.next_state.accrued == {"MS1": D("12500.00")}


def test_budget_is_used_in_milestone_id_order_whatever_the_row_order() -> None:
    # Phase budget 10,000: MS1 pays 6,000 first, MS2 (due 6,000) gets the 4,000 left.
    ms1 = milestone("MS1", phase_id="PH1")
    ms2 = milestone("MS2", phase_id="PH1", metric="other")
    reported = (metric("activation_rate", "0.50"), metric("other", "0.50"))
    for rows in ((ms1, ms2), (ms2, ms1)):
        prog = program(rows, phases=(phase(budget="10000.00"),))
        for metrics in (reported, reported[::-1]):
            result = close(prog, MAR, metrics)
            assert [(x.item, x.amount) for x in result.lines] == [
                ("MS1", D("6000.00")),
                ("MS2", D("4000.00")),
            ]
            assert result.lines[1].status == "paid; phase budget reached"
            assert result.lines[1].rule == "M6"
            assert result.next_state.accrued == {"MS1": D("6000.00"), "MS2": D("4000.00")}
            assert result.next_state.phase_spent == {"PH1": D("10000.00")}


def test_shock_factor_defers_the_rest() -> None:
    # 6,000 × 0.75 = 4,500 paid, 1,500 deferred
    result = close(
        program((milestone(),), shock_factor=D("0.75")), MAR, (metric("activation_rate", "0.50"),)
    )
    line = only(result.lines)
    assert (line.amount, line.status, line.rule) == (D("4500.00"), "paid; deferred (shock)", "M5")
    assert result.next_state.deferred == {"MS1": D("1500.00")}
    assert result.next_state.accrued == {"MS1": D("6000.00")}


def test_exit_month_is_computed_but_not_after() -> None:
    exiting = partner(status=PartnerStatus.EXITING, exit_date=date(2026, 3, 10), wind_down_months=2)
    prog = program((milestone(),), partners=(exiting,))
    reported = (metric("activation_rate", "0.50"),)
    assert only(close(prog, MAR, reported).lines).amount == D("6000.00")
    after = close(prog, MAR.shift(1), reported)  # wind-down month 1: nothing new
    assert after.lines == ()
    assert only(after.details).status == "after exit"
    assert after.next_state == MilestoneState()


def test_partner_not_started_gets_nothing() -> None:
    later = partner(start_date=date(2026, 4, 1))
    result = close(
        program((milestone(),), partners=(later,)), MAR, (metric("activation_rate", "0.50"),)
    )
    assert result.lines == ()
    assert only(result.details).status == "not started"


def test_held_and_deferred_are_released_after_exit() -> None:
    gone = partner(status=PartnerStatus.EXITED, exit_date=date(2026, 1, 15))
    m = milestone(verification_required=True)
    state = MilestoneState(
        accrued={"MS1": D("9000")}, held={"MS1": D("5000")}, deferred={"MS1": D("1000")}
    )
    result = close(
        program((m,), partners=(gone,)),
        MAR,
        (metric("activation_rate", "0.70", verified=True),),
        state=state,
    )
    assert [(x.component, x.amount, x.rule) for x in result.lines] == [
        (Component.MILESTONE_RELEASE, D("5000.00"), "M4"),
        (Component.DEFERRED_RELEASE, D("1000.00"), "M5"),
    ]
    detail = only(result.details)
    assert detail.status == "after exit; held amount released; deferred amount released"
    assert (detail.released_held, detail.released_deferred) == (D("5000"), D("1000"))
    assert result.next_state.held == {}
    assert result.next_state.deferred == {}
    assert result.next_state.accrued == {"MS1": D("9000")}


def test_released_hold_is_limited_by_the_phase_budget() -> None:
    # Budget 10,000, spent 8,000: of a 5,000 hold only 2,000 is released; the other
    # 3,000 leaves the hold and accrued (it stays due).
    m = milestone(phase_id="PH1", verification_required=True)
    prog = program((m,), phases=(phase(budget="10000.00"),))
    state = MilestoneState(
        accrued={"MS1": D("5000.00")}, held={"MS1": D("5000.00")}, phase_spent={"PH1": D("8000.00")}
    )
    result = close(prog, MAR, (metric("activation_rate", "0.35"),), state=state)
    release = next(x for x in result.lines if x.component is Component.MILESTONE_RELEASE)
    assert release.amount == D("2000.00")
    assert result.next_state.accrued == {"MS1": D("2000.00")}
    assert result.next_state.held == {}
    assert result.next_state.phase_spent == {"PH1": D("10000.00")}
    assert "phase budget reached" in only(result.details).status


def test_releases_wait_while_the_phase_is_paused() -> None:
    m = milestone(phase_id="PH1", verification_required=True)
    prog = program((m,), phases=(phase(gate=Gate.PAUSE),))
    state = MilestoneState(
        accrued={"MS1": D("5000")}, held={"MS1": D("3000")}, deferred={"MS1": D("2000")}
    )
    result = close(prog, MAR, (metric("activation_rate", "0.70"),), state=state)
    assert [x.amount for x in result.lines] == [D("0.00")]  # the paused milestone line
    assert result.next_state == state


def test_state_of_a_removed_milestone_is_kept_with_a_warning() -> None:
    state = MilestoneState(accrued={"OLD": D("100")}, held={"OLD": D("100")})
    result = close(program(()), MAR, state=state)
    assert result.next_state == state
    assert "OLD" in only(result.problems).message


def test_zero_decimal_currency() -> None:
    # 6,000.5 would round to 6,001 with decimals 0
    m = milestone(payouts=("2000", "10001", "15000"))
    result = close(program((m,), decimals=0), MAR, (metric("activation_rate", "0.50"),))
    assert only(result.lines).amount == D("6001")


def test_result_does_not_depend_on_row_order() -> None:
    ms = tuple(milestone(f"MS{i}", metric=f"m{i}", phase_id="PH1") for i in range(1, 5))
    reported = tuple(metric(f"m{i}", "0.7", disputed=i == 2) for i in range(1, 5))
    state = MilestoneState(phase_spent={"PH1": D("1000")})
    kwargs: dict[str, Any] = {"interim_payment_pct": D("0.5"), "shock_factor": D("0.9")}
    forward = close(
        program(ms, phases=(phase(budget="30000"),), **kwargs), JAN, reported, state=state
    )
    backward = close(
        program(ms[::-1], phases=(phase(budget="30000"),), **kwargs),
        JAN,
        reported[::-1],
        state=state,
    )
    assert forward == backward


def test_a_release_uses_the_phase_budget_before_new_payouts() -> None:
    # Budget 10,000, nothing spent: the 6,000 hold of MS2 is released first, so the
    # 6,000 now due on MS1 (which sorts earlier) gets only the 4,000 left.
    ms1 = milestone("MS1", phase_id="PH1", recurrence=Recurrence.MONTHLY)
    ms2 = milestone("MS2", metric="other", phase_id="PH1", verification_required=True)
    state = MilestoneState(accrued={"MS2": D("6000.00")}, held={"MS2": D("6000.00")})
    result = close(
        program((ms1, ms2), phases=(phase(budget="10000.00"),)),
        MAR,
        (metric("activation_rate", "0.50"), metric("other", "0.35")),
        state=state,
    )
    assert [(x.component, x.item, x.amount) for x in result.lines] == [
        (Component.MILESTONE, "MS1", D("4000.00")),
        (Component.MILESTONE, "MS2", D("0.00")),
        (Component.MILESTONE_RELEASE, "MS2", D("6000.00")),
    ]
    assert result.next_state.phase_spent == {"PH1": D("10000.00")}


def test_precedence_info_is_given_once_per_partner_and_metric() -> None:
    ms = (milestone("MS1", metric="win_rate"), milestone("MS2", metric="win_rate"))
    result = close(
        program(ms),
        MAR,
        (metric("win_rate", "0.70"),),
        computed={"P001": {"win_rate": D("0.5")}},
    )
    assert [p.severity for p in result.problems] == [Severity.INFO]
