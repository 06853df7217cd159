"""The ledger's commands of revision 2: approve, reject, verify, ledger-setup.

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
from partnerclose.ledger.location import (
    describe_ledger,
    ledger_exists,
    ledger_location,
    open_ledger,
)
from partnerclose.ledger.postgres import is_server_url, setup_server
from partnerclose.ledger.store import LedgerRefusedError

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
            print(f"No closes yet (no ledger at {describe_ledger(where)}); nothing to verify")
            return EXIT_OK
        with open_ledger(where, program, read_only=True) as ledger:
            breaks = ledger.verify()
            runs, records = len(ledger.history()), len(ledger.audit_trail())
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

    verify = commands.add_parser("verify", help="check the ledger's hash chain")
    verify.add_argument("program", help="the program workbook")
    verify.add_argument("--ledger", help=LEDGER_HELP)
    verify.set_defaults(run=cmd_verify)

    setup = commands.add_parser(
        "ledger-setup", help="prepare a program's ledger on a PostgreSQL server (administrator)"
    )
    setup.add_argument("program", help="the program workbook")
    setup.add_argument("--ledger", help=LEDGER_HELP)
    setup.set_defaults(run=cmd_setup)
