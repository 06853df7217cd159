"""The ledger's commands of revision 2: approve, reject, verify, inputs, ledger-setup.

They share `--ledger PATH-or-URL` (ledger/location.py) with close, reopen and history.
Exit codes as outputs.md: 0 done, 3 refused by the ledger, 4 `verify` found a record
that does not fit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.evidence import Verification, choose_run, export_inputs, verify_period
from partnerclose.ledger.location import (
    describe_ledger,
    ledger_exists,
    ledger_location,
    open_ledger,
)
from partnerclose.ledger.store import LedgerRefusedError
from partnerclose.urls import is_server_url

EXIT_OK = 0
EXIT_REFUSED = 3
EXIT_DIFFERENCE = 4

LEDGER_HELP = (
    "ledger file, or a postgresql:// URL of a team's ledger server (default: the "
    "environment variable PARTNERCLOSE_LEDGER, else PROGRAM.ledger.sqlite)"
)


def ledger_of(args: argparse.Namespace) -> Path | str:
    """Where the command's program keeps its ledger."""
    return ledger_location(Path(args.program), args.ledger)


def cmd_decide(args: argparse.Namespace, approved: bool) -> int:
    where = ledger_of(args)
    program = Path(args.program)
    text = args.comment if approved else args.reason
    try:
        if not ledger_exists(where, program):
            message = f"no ledger at {describe_ledger(where)}; no draft to decide on"
            print(f"partnerclose: {message}", file=sys.stderr)
            return EXIT_REFUSED
        with open_ledger(where, program) as ledger:
            ledger.decide(args.period, approved, text or "")
            state = ledger.approval(args.period)
    except LedgerRefusedError as exc:
        print(f"partnerclose: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(state.describe())
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    where = ledger_of(args)
    program = Path(args.program)
    try:
        if not ledger_exists(where, program):
            if args.period is not None:
                print(
                    f"partnerclose: no ledger at {describe_ledger(where)}; {args.period} has "
                    "no final close to verify",
                    file=sys.stderr,
                )
                return EXIT_REFUSED
            print(f"No closes yet (no ledger at {describe_ledger(where)}); nothing to verify")
            return EXIT_OK
        with open_ledger(where, program, read_only=True) as ledger:
            breaks = ledger.verify()
            runs, records = len(ledger.history()), len(ledger.audit_trail())
            checked = None if args.period is None or breaks else verify_period(ledger, args.period)
    except LedgerRefusedError as exc:
        print(f"partnerclose: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if breaks:
        for found in breaks:
            message = f"{found.record} does not fit the hash chain: {found.why}"
            print(f"partnerclose: {message}", file=sys.stderr)
        return EXIT_DIFFERENCE
    runs_text = f"{runs} run" if runs == 1 else f"{runs} runs"
    records_text = f"{records} audit record" if records == 1 else f"{records} audit records"
    print(f"The ledger's hash chain holds: {runs_text} and {records_text} verified")
    return EXIT_OK if checked is None else _report_verification(checked)


def _report_verification(found: Verification) -> int:
    """`verify --period`: identical (0), or each differing line (4)."""
    run = found.run
    what = f"the final close of {run.period} (run {run.run_id})"
    if found.identical:
        print(f"Recomputed {what} from its kept inputs: all {found.lines} lines are identical")
        return EXIT_OK
    for problem in found.problems:
        if problem.severity is Severity.ERROR:
            print(f"partnerclose: {problem}", file=sys.stderr)
    if found.problems:
        print(
            f"partnerclose: the kept inputs of {what} are no longer valid; it cannot be "
            "recomputed from them",
            file=sys.stderr,
        )
        return EXIT_DIFFERENCE
    print(
        f"partnerclose: recomputing {what} from its kept inputs gives "
        f"{len(found.differences)} differing line{'s' if len(found.differences) != 1 else ''}:",
        file=sys.stderr,
    )
    print("partner\tcomponent\titem\trecorded\trecomputed", file=sys.stderr)
    for diff in found.differences:
        recorded = "—" if diff.recorded is None else str(diff.recorded)
        recomputed = "—" if diff.recomputed is None else str(diff.recomputed)
        detail = f"\t({diff.detail})" if diff.detail else ""
        print(
            f"{diff.partner_id}\t{diff.component}\t{diff.item}\t{recorded}\t{recomputed}{detail}",
            file=sys.stderr,
        )
    return EXIT_DIFFERENCE


def cmd_inputs(args: argparse.Namespace) -> int:
    where = ledger_of(args)
    program = Path(args.program)
    try:
        if not ledger_exists(where, program):
            print(f"partnerclose: no ledger at {describe_ledger(where)}", file=sys.stderr)
            return EXIT_REFUSED
        with open_ledger(where, program, read_only=True) as ledger:
            run = choose_run(ledger, args.period, args.run_id)
            exported = export_inputs(ledger, run, Path(args.out))
    except LedgerRefusedError as exc:
        print(f"partnerclose: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"Wrote the {len(exported.files)} input workbooks of run {run.run_id} "
        f"({run.period}, {run.kind}) to {args.out}"
    )
    for path in exported.files:
        print(f"  {path}")
    return EXIT_OK


def cmd_setup(args: argparse.Namespace) -> int:
    where = ledger_of(args)
    if not is_server_url(where):
        print(
            "partnerclose: ledger-setup prepares a ledger on a PostgreSQL server; give its "
            "postgresql:// URL with --ledger or PARTNERCLOSE_LEDGER",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    try:
        from partnerclose.ledger.postgres import setup_server  # psycopg only when used

        print(setup_server(str(where), Path(args.program).name))
    except LedgerRefusedError as exc:
        print(f"partnerclose: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def add_ledger_commands(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]
    period: Callable[[str], Period],
) -> None:
    """approve, reject, verify and ledger-setup, on the command line's subcommands."""
    approve = commands.add_parser("approve", help="approve the period's latest draft")
    approve.add_argument("program", help="the program workbook")
    approve.add_argument("--period", type=period, required=True, help="period YYYY-MM")
    approve.add_argument("--comment", default="", help="kept in the audit trail")
    approve.add_argument("--ledger", help=LEDGER_HELP)
    approve.set_defaults(run=lambda args: cmd_decide(args, True))

    reject = commands.add_parser("reject", help="reject the period's latest draft, with a reason")
    reject.add_argument("program", help="the program workbook")
    reject.add_argument("--period", type=period, required=True, help="period YYYY-MM")
    reject.add_argument("--reason", required=True, help="why; kept in the audit trail")
    reject.add_argument("--ledger", help=LEDGER_HELP)
    reject.set_defaults(run=lambda args: cmd_decide(args, False))

    verify = commands.add_parser(
        "verify",
        help="check the ledger's hash chain and kept inputs; with --period, recompute that "
        "final close from its kept inputs",
    )
    verify.add_argument("program", help="the program workbook")
    verify.add_argument(
        "--period",
        type=period,
        help="recompute this period's final close and compare every line (exit 4: differs)",
    )
    verify.add_argument("--ledger", help=LEDGER_HELP)
    verify.set_defaults(run=cmd_verify)

    inputs = commands.add_parser(
        "inputs", help="write the input workbooks a run read (kept in the ledger) to a folder"
    )
    inputs.add_argument("program", help="the program workbook")
    inputs.add_argument("--period", type=period, required=True, help="period YYYY-MM")
    inputs.add_argument(
        "--run",
        type=int,
        dest="run_id",
        help="the run (default: the period's final close, else its draft)",
    )
    inputs.add_argument("--out", required=True, help="a new or empty folder")
    inputs.add_argument("--ledger", help=LEDGER_HELP)
    inputs.set_defaults(run=cmd_inputs)

    setup = commands.add_parser(
        "ledger-setup", help="prepare a program's ledger on a PostgreSQL server (administrator)"
    )
    setup.add_argument("program", help="the program workbook")
    setup.add_argument("--ledger", help=LEDGER_HELP)
    setup.set_defaults(run=cmd_setup)
