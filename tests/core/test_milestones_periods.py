"""Milestones over three closes (Jan, Feb, Mar 2026), passing next_state along.

Each close may change the program (a gate, the shock factor, a budget) and
the reported metrics, as finance would between months.
"""

from decimal import Decimal

from partnerclose.core.lines import Component
from partnerclose.core.milestones import MilestoneResult, MilestoneState
from partnerclose.core.records import Gate, MetricValue, Program, Recurrence
from tests.core.factories_milestones import FEB, JAN, MAR, close, metric, milestone, phase, program

D = Decimal  # short for literals


def run_closes(
    closes: list[tuple[Program, tuple[MetricValue, ...], dict[str, dict[str, D]]]],
) -> list[MilestoneResult]:
    """Jan, Feb, Mar: each close starts from the state the previous one left."""
    state, results = MilestoneState(), []
    for period, (prog, reported, computed) in zip((JAN, FEB, MAR), closes, strict=True):
        result = close(prog, period, reported, computed, state)
        results.append(result)
        state = result.next_state
    return results


def amounts(result: MilestoneResult) -> list[tuple[str, str, D]]:
    return [(x.component.value, x.item, x.amount) for x in result.lines]


def test_once_milestone_pays_only_increases() -> None:
    prog = program((milestone(),))  # Example M-a, linear, once
    jan, feb, mar = run_closes(
        [
            (prog, (metric("activation_rate", "0.50"),), {}),  # curve 6,000
            (prog, (metric("activation_rate", "0.70"),), {}),  # curve 12,500
            (prog, (metric("activation_rate", "0.60"),), {}),  # curve 10,000: below accrued
        ]
    )
    assert amounts(jan) == [("milestone", "MS1", D("6000.00"))]
    assert amounts(feb) == [("milestone", "MS1", D("6500.00"))]  # 12,500 − 6,000
    assert amounts(mar) == [("milestone", "MS1", D("0.00"))]  # never less than 0
    assert mar.lines[0].status == "nothing due"
    assert [r.next_state.accrued["MS1"] for r in (jan, feb, mar)] == [
        D("6000.00"),
        D("12500.00"),
        D("12500.00"),
    ]


def test_hold_is_released_when_the_metric_is_verified() -> None:
    # certified_staff: F 0 / T 10 / C 20, payouts 0 / 1,000 / 2,000, verification required
    prog = program(
        (
            milestone(
                metric="certified_staff",
                levels=("0", "10", "20"),
                payouts=("0.00", "1000.00", "2000.00"),
                verification_required=True,
            ),
        )
    )
    jan, feb, mar = run_closes(
        [
            (prog, (metric("certified_staff", "10", verified=False),), {}),  # 1,000 held
            (prog, (metric("certified_staff", "15", verified=False),), {}),  # +500 held
            (prog, (metric("certified_staff", "15", verified=True),), {}),  # release 1,500
        ]
    )
    assert amounts(jan) == [("milestone", "MS1", D("0.00"))]
    assert jan.lines[0].status == "pending verification"
    assert jan.next_state.held == {"MS1": D("1000.00")}
    # Feb: curve 1,500, accrued 1,000 → due 500, held as well; nothing released
    assert amounts(feb) == [("milestone", "MS1", D("0.00"))]
    assert feb.next_state.held == {"MS1": D("1500.00")}
    assert feb.next_state.accrued == {"MS1": D("1500.00")}
    # Mar: verified; the 1,500 held is released; nothing new is due (1,500 − 1,500)
    assert sorted(amounts(mar)) == [
        ("milestone", "MS1", D("0.00")),
        ("milestone_release", "MS1", D("1500.00")),
    ]
    assert mar.next_state.held == {}
    assert mar.next_state.accrued == {"MS1": D("1500.00")}
    assert mar.details[0].status == "nothing due; held amount released"


def test_disputed_payout_pays_interim_then_the_rest() -> None:
    # curve 6,000 at 0.50; interim 40 %: 2,400 now, 3,600 held until the dispute ends
    prog = program((milestone(verification_required=True),), interim_payment_pct=D("0.4"))
    jan, feb, mar = run_closes(
        [
            (prog, (metric("activation_rate", "0.50", disputed=True),), {}),
            (prog, (metric("activation_rate", "0.50", disputed=True),), {}),  # still open
            (prog, (metric("activation_rate", "0.50"),), {}),  # settled: verified, undisputed
        ]
    )
    assert amounts(jan) == [("milestone", "MS1", D("2400.00"))]
    assert jan.lines[0].status == "disputed: interim paid"
    assert jan.next_state.held == {"MS1": D("3600.00")}
    assert amounts(feb) == [("milestone", "MS1", D("0.00"))]  # due 6,000 − 6,000 accrued
    assert feb.next_state.held == {"MS1": D("3600.00")}
    releases = [x for x in mar.lines if x.component is Component.MILESTONE_RELEASE]
    assert [(x.amount, x.rule) for x in releases] == [(D("3600.00"), "M4")]
    assert mar.next_state.held == {}
    total_paid = sum((x.amount for r in (jan, feb, mar) for x in r.lines), D(0))
    assert total_paid == D("6000.00")


def test_shock_deferral_is_released_when_the_factor_returns_to_1() -> None:
    # monthly, on computed revenue: F 100,000 / T 200,000 / C 300,000, payouts
    # 2,000 / 6,000 / 10,000; revenue 150,000 → 2,000 + 4,000 × 0.5 = 4,000 each month
    m = milestone(
        metric="revenue",
        levels=("100000", "200000", "300000"),
        payouts=("2000.00", "6000.00", "10000.00"),
        recurrence=Recurrence.MONTHLY,
        verification_required=True,
    )
    computed = {"P001": {"revenue": D("150000")}}
    jan, feb, mar = run_closes(
        [
            (program((m,), shock_factor=D("0.75")), (), computed),  # 3,000 paid, 1,000 deferred
            (program((m,), shock_factor=D("0.9")), (), computed),  # 3,600 paid, 400 deferred
            (program((m,)), (), computed),  # factor 1: 4,000 paid, 1,400 released
        ]
    )
    assert amounts(jan) == [("milestone", "MS1", D("3000.00"))]
    assert jan.next_state.deferred == {"MS1": D("1000.00")}
    assert amounts(feb) == [("milestone", "MS1", D("3600.00"))]  # no release under a shock
    assert feb.next_state.deferred == {"MS1": D("1400.00")}
    assert sorted(amounts(mar)) == [
        ("deferred_release", "MS1", D("1400.00")),
        ("milestone", "MS1", D("4000.00")),
    ]
    assert mar.next_state.deferred == {}
    assert {x.component: x.rule for x in mar.lines} == {
        Component.DEFERRED_RELEASE: "M5",
        Component.MILESTONE: "M1",
    }


def test_phase_budget_stops_payments_across_periods() -> None:
    # monthly 6,000 (v 0.50) in a phase with budget 15,000
    prog = program(
        (milestone(recurrence=Recurrence.MONTHLY, phase_id="PH1"),),
        phases=(phase(budget="15000.00"),),
    )
    reported = (metric("activation_rate", "0.50"),)
    jan, feb, mar = run_closes([(prog, reported, {})] * 3)
    assert [r.lines[0].amount for r in (jan, feb, mar)] == [
        D("6000.00"),
        D("6000.00"),
        D("3000.00"),  # 15,000 − 12,000 left in March
    ]
    assert mar.lines[0].status == "paid; phase budget reached"
    assert mar.details[0].not_paid == D("3000.00")
    assert [r.next_state.phase_spent["PH1"] for r in (jan, feb, mar)] == [
        D("6000.00"),
        D("12000.00"),
        D("15000.00"),
    ]


def test_budget_cut_of_a_once_milestone_stays_due() -> None:
    # once, curve 12,500 (v 0.70); budget 10,000 in Jan and Feb, raised to 12,000 in Mar
    m = milestone(phase_id="PH1")
    reported = (metric("activation_rate", "0.70"),)
    jan, feb, mar = run_closes(
        [
            (program((m,), phases=(phase(budget="10000.00"),)), reported, {}),
            (program((m,), phases=(phase(budget="10000.00"),)), reported, {}),
            (program((m,), phases=(phase(budget="12000.00"),)), reported, {}),
        ]
    )
    assert [r.lines[0].amount for r in (jan, feb, mar)] == [
        D("10000.00"),
        D("0.00"),
        D("2000.00"),
    ]
    # Feb: due 2,500 (not accrued in Jan), all of it cut
    assert feb.details[0].due == D("2500.00")
    assert feb.details[0].not_paid == D("2500.00")
    assert feb.lines[0].status == "phase budget reached"
    assert mar.next_state.accrued == {"MS1": D("12000.00")}  # 500 still due


def test_paused_phase_accrues_nothing() -> None:
    m = milestone(phase_id="PH1")
    paused = program((m,), phases=(phase(gate=Gate.PAUSE),))
    proceed = program((m,), phases=(phase(gate=Gate.PROCEED),))
    jan, feb, mar = run_closes(
        [
            (paused, (metric("activation_rate", "0.50"),), {}),  # curve 6,000: nothing
            (proceed, (metric("activation_rate", "0.50"),), {}),  # all 6,000 due
            (paused, (metric("activation_rate", "0.70"),), {}),  # curve 12,500: nothing
        ]
    )
    assert jan.lines[0].amount == D("0.00")
    assert jan.lines[0].status == "phase paused"
    assert jan.next_state.accrued == {}
    assert feb.lines[0].amount == D("6000.00")
    assert mar.lines[0].amount == D("0.00")
    assert mar.next_state.accrued == {"MS1": D("6000.00")}


def test_all_together_in_one_program() -> None:
    # MS1 once (0.50 → 0.70), MS2 monthly in budgeted phase, disputes and a shock in Feb.
    ms1 = milestone("MS1")
    ms2 = milestone(
        "MS2",
        metric="nps",
        recurrence=Recurrence.MONTHLY,
        phase_id="PH1",
        verification_required=True,
    )
    phases = (phase(budget="14000.00"),)
    jan_prog = program((ms1, ms2), phases=phases, interim_payment_pct=D("0.5"))
    feb_prog = program(
        (ms1, ms2), phases=phases, interim_payment_pct=D("0.5"), shock_factor=D("0.8")
    )
    mar_prog = program((ms1, ms2), phases=phases, interim_payment_pct=D("0.5"))
    jan, feb, mar = run_closes(
        [
            # MS1 6,000 paid; MS2 6,000 due, disputed: 3,000 paid, 3,000 held (spent 3,000)
            (
                jan_prog,
                (metric("activation_rate", "0.50"), metric("nps", "0.50", disputed=True)),
                {},
            ),
            # MS1 due 6,500 → 5,200 paid, 1,300 deferred; MS2 hold released (3,000, spent
            # 6,000) and 6,000 due → 4,800 paid, 1,200 deferred (spent 12,000)
            (feb_prog, (metric("activation_rate", "0.70"), metric("nps", "0.50")), {}),
            # deferrals released (1,300 + 1,200); MS2 6,000 due, 2,000 fits the budget
            (mar_prog, (metric("activation_rate", "0.70"), metric("nps", "0.50")), {}),
        ]
    )
    assert sorted(amounts(jan)) == [
        ("milestone", "MS1", D("6000.00")),
        ("milestone", "MS2", D("3000.00")),
    ]
    assert sorted(amounts(feb)) == [
        ("milestone", "MS1", D("5200.00")),
        ("milestone", "MS2", D("4800.00")),
        ("milestone_release", "MS2", D("3000.00")),
    ]
    assert sorted(amounts(mar)) == [
        ("deferred_release", "MS1", D("1300.00")),
        ("deferred_release", "MS2", D("1200.00")),
        ("milestone", "MS1", D("0.00")),
        ("milestone", "MS2", D("2000.00")),
    ]
    end = mar.next_state
    assert end.held == {}
    assert end.deferred == {}
    assert end.phase_spent == {"PH1": D("14000.00")}
    assert end.accrued == {"MS1": D("12500.00"), "MS2": D("14000.00")}
