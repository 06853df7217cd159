"""The `partnerclose` command line: demo, validate, close, reopen, history.

Problems go to standard error, one per line. Exit codes (outputs.md): 0 done,
2 invalid input, 3 refused by the ledger, 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from partnerclose import __version__
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, Severity, has_errors, sort_key
from partnerclose.reading.inputs import load_inputs

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_REFUSED = 3


def last_month(today: date | None = None) -> Period:
    return Period.of(today or date.today()).shift(-1)


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def print_problems(problems: Sequence[Problem], stream: TextIO) -> None:
    for problem in sorted(problems, key=sort_key):
        print(problem, file=stream)
    counts = {s: sum(p.severity is s for p in problems) for s in Severity}
    print(
        f"{counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, "
        f"{counts[Severity.INFO]} notes",
        file=stream,
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from partnerclose.demo import write_demo  # openpyxl-heavy: load only when asked

    program = write_demo(Path(args.dir), partners=args.partners, period=args.period,
                         seed=args.seed)
    print(f"Demo program for {args.period} written to {program}")
    print(f"Next: partnerclose validate {program} --period {args.period}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    inputs = load_inputs(Path(args.program), args.period)
    print_problems(inputs.problems, sys.stderr)
    if not inputs.ok:
        return EXIT_INVALID
    print(f"{args.program}: valid for {args.period} "
          f"({len(inputs.data.submissions)} partner workbooks read)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partnerclose",
        description="Monthly partner close: cost sharing, revenue share, co-marketing and "
        "milestone payments, with statements.",
    )
    parser.add_argument("--version", action="version", version=f"partnerclose {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="write a realistic sample program")
    demo.add_argument("dir", help="folder to write program.xlsx and partners/ into")
    demo.add_argument("--partners", type=int, default=12, help="number of partners (12)")
    demo.add_argument("--period", type=_period, default=last_month(),
                      help="period YYYY-MM (default: last month)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (7)")
    demo.set_defaults(run=cmd_demo)

    validate = commands.add_parser("validate", help="check a program and its partner workbooks")
    validate.add_argument("program", help="the program workbook (.xlsx or .xlsm)")
    validate.add_argument("--period", type=_period, default=last_month(),
                          help="period YYYY-MM (default: last month)")
    validate.set_defaults(run=cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
