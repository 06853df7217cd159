"""Benchmark `send`: N statements to a real SMTP server on this computer (aiosmtpd).

    python -m benchmarks.send [--partners 1000] [--json]

Writes a demo program with N partners and puts a stand-in PDF where each PDF
statement goes. Its draft is sent (--draft) to an SMTP server (aiosmtpd in its own
process) that is stopped after half the messages; a rerun must send exactly the
other half. Then the final close is sent, timed: building the messages (plan) and
sending all N (each recorded in the ledger); a second run must send nothing
(quality.md, revision 2). Prints the figures; with
--json the last line is one JSON object. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.mail_server import free_port, stand_in_pdf
from partnerclose.core.period import Period
from partnerclose.demo import write_demo
from partnerclose.pipeline import Status, run_close
from partnerclose.sending import Result, SmtpTarget, plan_send, send_smtp

PERIOD = Period(2026, 10)
SENDER = "partner-finance@host.example"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.send")
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        figures = run(Path(temp), args.partners)
    for name, value in figures.items():
        print(f"{name:<34} {value}")
    if args.json:
        print(json.dumps(figures))
    ok = figures["rerun sends exactly the rest"] and figures["second run sends"] == 0
    return 0 if ok else 1


class ServerProcess:
    """aiosmtpd in its own process (it takes every message and keeps none), so that the
    server's work does not share this process's interpreter with the sender's."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-c",
                "aiosmtpd.handlers.Sink",
                "-l",
                f"127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.05)
        raise SystemExit("the SMTP server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


def _with_pdfs(statements: Path) -> None:
    for workbook in statements.glob("*.xlsx"):
        workbook.with_suffix(".pdf").write_bytes(stand_in_pdf(f"Statement {workbook.stem}"))


def run(folder: Path, partners: int) -> dict[str, float | int | bool]:
    program = write_demo(folder, partners=partners, period=PERIOD, seed=7)
    server = ServerProcess()
    server.start()
    target = SmtpTarget.parse(f"127.0.0.1:{server.port}")
    try:
        # the draft's statements (--draft), the server stopped after half of them
        draft = run_close(program, PERIOD)
        if draft.status is not Status.CLOSED or draft.output is None:
            raise SystemExit(f"the close failed: {draft.message}")
        _with_pdfs(draft.output / "statements")
        plan = plan_send(program, PERIOD, draft=True, sender=SENDER)
        count = len(plan.messages)
        half = count // 2

        def stop_at_half(done: int, total: int, partner: str) -> None:
            if done == half:
                server.stop()

        cut = send_smtp(plan, target, progress=stop_at_half, environ={})
        server.start()
        rerun = send_smtp(plan_send(program, PERIOD, draft=True, sender=SENDER), target)
        first_half = {r.partner_id for r in cut.results if r.result is Result.SENT}
        second_half = {r.partner_id for r in rerun.results if r.result is Result.SENT}
        rest_ok = (
            len(first_half) == half
            and len(second_half) == count - half
            and not first_half & second_half
        )

        # the final close's statements: all of them, timed; then a run that sends none
        for stand_in in (draft.output / "statements").glob("*.pdf"):
            stand_in.unlink()  # a close replaces only what it wrote
        closed = run_close(program, PERIOD, final=True)
        if closed.status is not Status.CLOSED or closed.output is None:
            raise SystemExit(f"the close failed: {closed.message}")
        _with_pdfs(closed.output / "statements")
        clock = time.perf_counter()
        plan = plan_send(program, PERIOD, sender=SENDER)
        planned = time.perf_counter() - clock
        clock = time.perf_counter()
        first = send_smtp(plan, target, environ={})
        sent = time.perf_counter() - clock
        again = send_smtp(plan_send(program, PERIOD, sender=SENDER), target, environ={})
    finally:
        server.stop()
    return {
        "partners": partners,
        "messages": len(plan.messages),
        "plan (build messages) s": round(planned, 2),
        "send over SMTP s": round(sent, 2),
        "per message ms": round(1000 * sent / max(len(plan.messages), 1), 2),
        "sent": first.count(Result.SENT),
        "second run sends": again.count(Result.SENT),
        "sent before the server stopped": len(first_half),
        "sent by the rerun": len(second_half),
        "rerun sends exactly the rest": rest_ok,
    }


if __name__ == "__main__":
    sys.exit(main())
