"""The `partnerclose` command line: demo, validate, close, reopen, history, prepare, send,
doctor, and the ledger's approve, reject, verify and ledger-setup (ledger_cli.py).

Problems go to standard error, one per line. Exit codes (outputs.md): 0 done,
2 invalid input, 3 refused (by the ledger, or an output folder a close may not
replace), 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from partnerclose import __version__
from partnerclose.core.money import round_money
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, Severity, has_errors, sort_key
from partnerclose.core.records import HOST, Engine
from partnerclose.ledger.location import describe_ledger, ledger_exists, open_ledger
from partnerclose.ledger.store import LedgerRefusedError
from partnerclose.ledger_cli import LEDGER_HELP, add_ledger_commands, ledger_of
from partnerclose.pipeline import (
    DEFAULT_WRITERS,
    LINES_FORMATS,
    NO_PDF_WRITERS,
    SCENARIOS_FILE,
    ProgressEvent,
    Status,
    UnknownScenarioError,
    final_versions,
    run_close,
    run_scenarios,
    write_scenarios,
)
from partnerclose.reading.inputs import load_inputs
from partnerclose.writing.scenarios_workbook import write_scenarios_workbook

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_REFUSED = 3


def last_month(today: date | None = None) -> Period:
    return Period.of(today or datetime.now().astimezone().date()).shift(-1)


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def print_problems(problems: Sequence[Problem], stream: TextIO) -> None:
    if not problems:
        return
    for problem in sorted(problems, key=sort_key):
        print(problem, file=stream)
    counts = {s: sum(p.severity is s for p in problems) for s in Severity}
    print(
        f"{_count(counts[Severity.ERROR], 'error')}, "
        f"{_count(counts[Severity.WARNING], 'warning')}, {_count(counts[Severity.INFO], 'note')}",
        file=stream,
    )


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def cmd_demo(args: argparse.Namespace) -> int:
    # openpyxl-heavy: load only when asked
    from partnerclose.demo import files_a_demo_would_touch, write_demo

    folder = Path(args.dir)
    found = files_a_demo_would_touch(folder)
    if found and not args.force:
        names = ", ".join(str(path.relative_to(folder)) for path in found)
        print(
            f"partnerclose: {folder} already holds {names}; the demo would overwrite a program "
            "and mix with its ledger and partner workbooks. Choose an empty folder, or add "
            "--force to write the demo there anyway",
            file=sys.stderr,
        )
        return EXIT_INVALID
    program = write_demo(
        folder,
        partners=args.partners,
        period=args.period,
        seed=args.seed,
        currencies=args.currencies,
    )
    print(f"Demo program for {args.period} written to {program}")
    print(f"Next: partnerclose validate {program} --period {args.period}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    inputs = load_inputs(Path(args.program), args.period, allow_empty=args.allow_empty)
    print_problems(inputs.problems, sys.stderr)
    if not inputs.ok:
        return EXIT_INVALID
    print(
        f"{args.program}: valid for {args.period} "
        f"({len(inputs.data.submissions)} partner workbooks read)"
    )
    return EXIT_OK


class TerminalProgress:
    """One updating status line on a terminal; silent in a pipe or a file."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.active = stream.isatty()

    def __call__(self, event: ProgressEvent) -> None:
        if self.active:
            detail = f" {event.done}/{event.total}" if event.total > 1 else ""
            partner = f" {event.partner}" if event.partner else ""
            self.stream.write(f"\r\033[K{event.stage.value}{detail}{partner}")
            self.stream.flush()

    def finish(self) -> None:
        if self.active:
            self.stream.write("\r\033[K")
            self.stream.flush()


def cmd_close(args: argparse.Namespace) -> int:
    program = Path(args.program)
    progress = TerminalProgress(sys.stderr)
    try:
        outcome = run_close(
            program,
            args.period,
            final=args.final,
            out=Path(args.out) if args.out else None,
            ledger_path=args.ledger,
            progress=progress,
            allow_empty=args.allow_empty,
            writers=(NO_PDF_WRITERS if args.no_pdf else DEFAULT_WRITERS)
            + ((write_scenarios,) if args.with_scenarios else ()),
            restate=args.restate,
            corrections=Path(args.corrections) if args.corrections else None,
            engine=Engine(args.engine) if args.engine else None,
            lines_format=args.lines,
        )
    finally:
        progress.finish()
    scenario_problems = outcome.inputs.scenario_problems if outcome.inputs else ()
    print_problems(
        (*outcome.problems, *(scenario_problems if args.with_scenarios else ())), sys.stderr
    )
    if outcome.status is not Status.CLOSED or outcome.result is None or outcome.output is None:
        print(f"partnerclose: {outcome.message}", file=sys.stderr)
        return outcome.exit_code
    result = outcome.result
    partners = [p for p in result.participants if p != HOST]
    total = sum((result.net(p) for p in partners), Decimal(0))
    settings = (
        outcome.inputs.program.settings if outcome.inputs and outcome.inputs.program else None
    )
    decimals = settings.decimals if settings else 2
    direction = "payable to partners" if total >= 0 else "due from partners"
    # in the program currency (the journal's): partners in others are paid its equivalent
    code = f"{settings.currency} " if settings else ""
    shown = f"{code}{round_money(abs(total), decimals):,.{decimals}f}"
    print(
        f"Closed {args.period} ({'final' if args.final else 'draft'}): {len(partners)} "
        f"partners, {len(result.lines)} lines; net {direction} {shown}"
    )
    adjustments = [line for line in result.lines if line.rule == "P3"]
    if args.restate:
        restated = ", ".join(str(q) for q in sorted(set(args.restate)))
        recorded = "restated versions recorded" if args.final else "draft: nothing restated"
        print(
            f"Restated {restated} ({recorded}): {len(adjustments)} prior-period "
            f"adjustment{'s' if len(adjustments) != 1 else ''}"
        )
        for line in adjustments:
            print(f"  {line.partner_id}  {line.item}  {line.amount:+,.{decimals}f}")
    print(f"Outputs:    {outcome.output}")
    statements = outcome.output / "statements"
    if statements.is_dir():
        print(f"Statements: {statements}")
    if outcome.ledger is not None:
        print(f"Ledger:     {describe_ledger(outcome.ledger)}")  # a server's without password
    return EXIT_OK


def cmd_whatif(args: argparse.Namespace) -> int:
    """`whatif`: the Scenarios sheet's scenarios beside the actual close, in scenarios.xlsx."""
    program = Path(args.program)
    inputs = load_inputs(program, args.period, allow_empty=args.allow_empty)
    print_problems((*inputs.problems, *inputs.scenario_problems), sys.stderr)
    if not inputs.ok or has_errors(inputs.scenario_problems):
        print(
            "partnerclose: the what-if needs valid inputs and Scenarios rows; nothing was written",
            file=sys.stderr,
        )
        return EXIT_INVALID
    if not inputs.scenarios:
        print(
            f"partnerclose: {program.name} has no Scenarios rows; add a Scenarios sheet "
            "(docs/scenarios.md)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    try:
        outcome = run_scenarios(inputs, args.scenario or (), ledger_of(args))
    except UnknownScenarioError as exc:
        print(f"partnerclose: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if outcome is None:  # pragma: no cover - the inputs were checked above
        return EXIT_INVALID
    out = Path(args.out) if args.out else program.parent / SCENARIOS_FILE
    write_scenarios_workbook(outcome, out)
    decimals = outcome.program.settings.decimals
    partners = [p for p in outcome.actual.participants if p != HOST]
    actual = sum((outcome.actual.net(p) for p in partners), Decimal(0))
    print(f"What-if {args.period}: actual net to partners {actual:,.{decimals}f}")
    for scenario in outcome.scenarios:
        ids = [p for p in scenario.result.participants if p != HOST]
        net = sum((scenario.result.net(p) for p in ids), Decimal(0))
        print(f"  {scenario.name}: {net:,.{decimals}f} ({net - actual:+,.{decimals}f})")
    print(f"Comparison: {out}")
    return EXIT_OK


def cmd_reopen(args: argparse.Namespace) -> int:
    path, program = ledger_of(args), Path(args.program)
    try:
        if not ledger_exists(path, program):
            print(
                f"partnerclose: no ledger at {describe_ledger(path)}; nothing to reopen",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        with open_ledger(path, program) as ledger:
            ledger.reopen(args.period, args.reason)
    except LedgerRefusedError as exc:
        print(f"partnerclose: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"Reopened {args.period}; the reason is kept in the audit trail of {describe_ledger(path)}"
    )
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    path, program = ledger_of(args), Path(args.program)
    try:
        if not ledger_exists(path, program):
            print(f"No closes yet (no ledger at {describe_ledger(path)})")
            return EXIT_OK
        # a reader need not be able to write
        with open_ledger(path, program, read_only=True) as ledger:
            runs = ledger.history()
            trail = ledger.audit_trail()
    except LedgerRefusedError as exc:
        print(f"partnerclose: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"{'run':>4}  {'period':<8} {'kind':<6} {'status':<9} {'finished (UTC)':<25} user")
    for run in runs:
        print(
            f"{run.run_id:>4}  {run.period:<8} {run.kind:<6} {run.status:<9} "
            f"{run.finished_at:<25} {run.user}"
        )
    done = {
        "reopen": "reopened",
        "approve": "approved",
        "reject": "rejected",
        "restate": "restated",
    }
    for entry in trail:
        if entry.action in done:
            reason = f": {entry.reason}" if entry.reason else ""
            print(
                f"{done[entry.action]} {entry.period} (run {entry.run_id}) at {entry.at} by "
                f"{entry.user}{reason}"
            )
        elif entry.action == "close (final)" and entry.reason:
            print(f"closed {entry.period} final (run {entry.run_id}), {entry.reason}")
    finals = final_versions(runs)
    restated = {entry.run_id for entry in trail if entry.action == "restate"}
    if finals:
        print("final closes (statements <partner>-<period>-<version>):")
    for final in finals:
        how = " (restated)" if final.run.run_id in restated else ""
        print(
            f"  {final.run.period} version {final.version}{how} (run {final.run.run_id}, "
            f"{final.run.status}): {final.files}"
        )
    return EXIT_OK


def cmd_send(args: argparse.Namespace) -> int:
    from partnerclose.sending import (
        Result,
        SendError,
        SmtpTarget,
        default_sender,
        describe,
        plan_send,
        send_smtp,
        write_emails,
    )

    program = Path(args.program)
    try:
        target = SmtpTarget.parse(args.smtp, args.smtp_ssl) if args.smtp else None
        plan = plan_send(
            program,
            args.period,
            draft=args.draft,
            with_xlsx=args.with_xlsx,
            ledger_path=args.ledger,
            sender=args.sender or default_sender(),
        )
        print_problems(plan.problems, sys.stderr)
        if not plan.messages and plan.problems:
            print("partnerclose: nothing was sent", file=sys.stderr)
            return EXIT_INVALID
        if target is None:
            outcome = write_emails(plan)
        else:
            outcome = send_smtp(plan, target, resend=args.resend)
    except SendError as exc:
        print(f"partnerclose: {exc}", file=sys.stderr)
        return exc.exit_code
    except LedgerRefusedError as exc:
        print(f"partnerclose: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    for line in describe(outcome):
        print(line)
    kind = "draft" if plan.draft else "final"
    counts = ", ".join(
        f"{outcome.count(result)} {result.value}"
        + ("s" if result is Result.ERROR and outcome.count(result) != 1 else "")
        for result in Result
        if outcome.count(result) or result is Result.ERROR
    )
    where = f" to {outcome.emails}" if outcome.emails else f" via {target}"
    print(f"Statements of {args.period} ({kind}){where}: {counts}")
    if outcome.count(Result.ERROR):
        print(
            f"partnerclose: {_count(outcome.count(Result.ERROR), 'partner')} not sent "
            "(listed above)",
            file=sys.stderr,
        )
    return outcome.exit_code


def cmd_prepare(args: argparse.Namespace) -> int:
    from partnerclose.preparing import prepare
    from partnerclose.sending import SendError, SmtpTarget, default_sender

    try:
        target = SmtpTarget.parse(args.smtp, args.smtp_ssl) if args.smtp else None
        outcome = prepare(
            Path(args.program),
            args.period,
            mail=args.mail or target is not None,
            smtp=target,
            sender=args.sender or default_sender(),
        )
    except SendError as exc:
        print(f"partnerclose: {exc}", file=sys.stderr)
        return exc.exit_code
    print_problems(outcome.problems, sys.stderr)
    for item in outcome.prepared:
        state = "written" if item.written else "kept (it exists; never overwritten)"
        mail = f"; {item.mail}" if item.mail else ""
        print(f"{item.partner_id}: {item.path} {state}{mail}")
    written = sum(item.written for item in outcome.prepared)
    if not has_errors(outcome.problems):
        print(
            f"Prepared {args.period}: {_count(written, 'workbook')} written, "
            f"{len(outcome.prepared) - written} kept"
        )
    return outcome.exit_code


def _allow_empty(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-empty",
        action="store_true",
        help="accept a period without any partner workbook (each statement then says that "
        "no data was received)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line: one declaration per command, in the order `--help` lists them.

    Long on purpose: argparse's declarations are the documentation of each option; a
    table of them would be no shorter and harder to read.
    """
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
    demo.add_argument(
        "--period", type=_period, default=last_month(), help="period YYYY-MM (default: last month)"
    )
    demo.add_argument("--seed", type=int, default=7, help="random seed (7)")
    demo.add_argument(
        "--currencies",
        action="store_true",
        help="settle 3 partners in 10 in EUR, GBP, JPY or CHF and book 1 deal in 5 in CAD",
    )
    demo.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that already holds workbooks or a ledger (overwrites them)",
    )
    demo.set_defaults(run=cmd_demo)

    validate = commands.add_parser("validate", help="check a program and its partner workbooks")
    validate.add_argument("program", help="the program workbook (.xlsx or .xlsm)")
    validate.add_argument(
        "--period", type=_period, default=last_month(), help="period YYYY-MM (default: last month)"
    )
    _allow_empty(validate)
    validate.set_defaults(run=cmd_validate)

    close = commands.add_parser("close", help="compute the period and write all outputs")
    close.add_argument("program", help="the program workbook (.xlsx or .xlsm)")
    close.add_argument("--period", type=_period, required=True, help="period YYYY-MM")
    close.add_argument("--out", help="output folder (default: close-PERIOD next to the program)")
    close.add_argument("--final", action="store_true", help="final close: locks the period")
    close.add_argument("--ledger", help=LEDGER_HELP)
    close.add_argument(
        "--no-pdf",
        action="store_true",
        help="write the statements as workbooks only, without statements/<partner>.pdf",
    )
    close.add_argument(
        "--restate",
        type=_period,
        action="append",
        default=[],
        metavar="Q",
        help="restate the final period Q (repeatable) with the files of --corrections; "
        "the differences are settled in this close as prior-period adjustments",
    )
    close.add_argument(
        "--corrections",
        metavar="DIR",
        help="the folder of corrected workbooks for --restate, named as the inputs they "
        "replace (with several periods: DIR/YYYY-MM/ for each, or files at the top)",
    )
    close.add_argument(
        "--with-scenarios",
        action="store_true",
        help=f"also write {SCENARIOS_FILE}: the Scenarios sheet's what-ifs beside the close",
    )
    close.add_argument(
        "--engine",
        choices=[e.value for e in Engine],
        help="what runs the row-level revenue rules: decimal (the exact core, default), "
        "duckdb (columnar, in this process) or spark (local[2], or the cluster of "
        "spark-submit); overrides the Program sheet's engine",
    )
    close.add_argument(
        "--lines",
        choices=LINES_FORMATS,
        help="csv: lines.csv; parquet: lines/ as partitioned Parquet and the paid deals in "
        "paid_deals.parquet, registered in the ledger (default: the program's lines_format)",
    )
    _allow_empty(close)
    close.set_defaults(run=cmd_close)

    whatif = commands.add_parser(
        "whatif", help="scenarios of the Scenarios sheet beside the close, never recorded"
    )
    whatif.add_argument("program", help="the program workbook (.xlsx or .xlsm)")
    whatif.add_argument("--period", type=_period, required=True, help="period YYYY-MM")
    whatif.add_argument(
        "--scenario",
        action="append",
        metavar="NAME",
        help="a scenario of the Scenarios sheet (repeat for more; default: all)",
    )
    whatif.add_argument(
        "--out", help=f"the comparison workbook (default: {SCENARIOS_FILE} next to the program)"
    )
    whatif.add_argument("--ledger", help=LEDGER_HELP)
    _allow_empty(whatif)
    whatif.set_defaults(run=cmd_whatif)

    reopen = commands.add_parser("reopen", help="unlock the last final period, with a reason")
    reopen.add_argument("program", help="the program workbook")
    reopen.add_argument("--period", type=_period, required=True, help="period YYYY-MM")
    reopen.add_argument("--reason", required=True, help="why; kept in the audit trail")
    reopen.add_argument("--ledger", help=LEDGER_HELP)
    reopen.set_defaults(run=cmd_reopen)

    history = commands.add_parser("history", help="list the closes in the ledger")
    history.add_argument("program", help="the program workbook")
    history.add_argument("--ledger", help=LEDGER_HELP)
    history.set_defaults(run=cmd_history)
    add_ledger_commands(commands, _period)

    prepare = commands.add_parser(
        "prepare",
        help="write next month's partner workbooks (and, with --mail, request them)",
        description="For every partner taking part in the period: its workbook "
        "PARTNER_YYYY-MM.xlsx in the partner folder, from the partner template, with its "
        "partner id and the period filled in, drop-downs of its pools and products and no "
        "example rows. An existing file is never overwritten. --mail writes a request "
        "e-mail per new workbook (templates/request_email.txt) as .eml into "
        "requests-PERIOD/ next to the program, or sends it with --smtp, as send does.",
    )
    prepare.add_argument("program", help="the program workbook")
    prepare.add_argument("--period", type=_period, required=True, help="period YYYY-MM")
    prepare.add_argument("--mail", action="store_true", help="also the request e-mails")
    prepare.add_argument("--smtp", metavar="HOST[:PORT]", help="send the requests over SMTP")
    prepare.add_argument("--smtp-ssl", action="store_true", help="implicit TLS (port 465)")
    prepare.add_argument("--from", dest="sender", help="the sender's address")
    prepare.set_defaults(run=cmd_prepare)

    send = commands.add_parser(
        "send",
        help="e-mail each partner its statement (.eml files, or over SMTP)",
        description="One e-mail per partner with its PDF statement, subject and body from "
        "templates/statement_email.txt. Without --smtp, .eml files go to the close folder's "
        "emails/ (Outlook opens them). SMTP credentials come only from the environment: "
        "PARTNERCLOSE_SMTP_USER and PARTNERCLOSE_SMTP_PASSWORD; the sender from --from or "
        "PARTNERCLOSE_SMTP_FROM. Every message is recorded in the ledger; a partner sent its "
        "statement before is skipped unless --resend.",
    )
    send.add_argument("program", help="the program workbook")
    send.add_argument("--period", type=_period, required=True, help="period YYYY-MM")
    send.add_argument("--with-xlsx", action="store_true", help="attach the statement workbook")
    send.add_argument("--smtp", metavar="HOST[:PORT]", help="send over SMTP (port 587)")
    send.add_argument(
        "--smtp-ssl", action="store_true", help="implicit TLS from the start (port 465)"
    )
    send.add_argument("--resend", action="store_true", help="send again to partners sent before")
    send.add_argument(
        "--draft",
        action="store_true",
        help="send the latest draft's statements when the period has no final close",
    )
    send.add_argument("--from", dest="sender", help="the sender's address")
    send.add_argument("--ledger", help=LEDGER_HELP)
    send.set_defaults(run=cmd_send)

    doctor = commands.add_parser("doctor", help="check that this computer is ready to close")
    doctor.add_argument("program", nargs="?", help="a program workbook: its folder and ledger")
    doctor.add_argument("--report", help="also write the report to this file")
    doctor.add_argument("--ledger", help=LEDGER_HELP)
    doctor.set_defaults(run=cmd_doctor)
    return parser


def cmd_doctor(args: argparse.Namespace) -> int:
    from partnerclose.doctor import cmd_doctor as doctor

    return doctor(args.program, args.report, args.ledger)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # a bug, not bad input: say so plainly, keep the details
        log = Path.home() / ".partnerclose" / "error.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as stream:
                traceback.print_exc(file=stream)
            where = f"; details in {log}"
        except OSError:
            where = ""
        print(
            f"partnerclose: unexpected error ({type(exc).__name__}: {exc}){where}", file=sys.stderr
        )
        return EXIT_FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
