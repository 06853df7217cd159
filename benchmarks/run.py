"""Benchmark the close end to end on a generated program.

    python -m benchmarks.run --partners 1000 --deals 1000000 --usage 200000 \\
        --pools 50 --milestones 3000 [--currencies] [--growth] [--repeat N] [--json]

Generates the program with the demo generator (cached under benchmarks/.data/ until
the generator changes), closes it in a fresh process, and prints per-stage wall times,
peak memory, the I/O floor and the ratio of end-to-end to floor. With --growth, it also closes
programs with twice the deals and twice the partners and prints the ratios.
With --repeat N, every program is closed N times and each time is the best of
the N (other work on the machine only ever adds time), peak memory the highest;
with --growth the three programs are closed in turns, so that a slow spell of
the machine weighs on every size alike instead of on one side of a ratio.
With --currencies, the program is quality.md's "large program with currencies": 3
partners in 10 settle in EUR, GBP, JPY or CHF and 1 deal in 5 is booked in CAD
(`partnerclose demo --currencies`). With --json, the last line is one JSON object.
It also renders --pdf-statements PDF statements (default 1,000; 0: none) from the
base program's statement data alone, on every core (quality.md revision 2: ≤ 15 s,
≤ 15 ms of CPU each).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.floor import io_floor
from partnerclose import demo
from partnerclose.core import schema
from partnerclose.core.period import Period
from partnerclose.demo import write_demo

DATA = Path(__file__).resolve().parent / ".data"
PERIOD = Period(2026, 10)
STAGES = ("read", "validate", "compute", "write", "record")


@dataclass(frozen=True)
class Size:
    partners: int
    deals: int
    usage: int
    pools: int
    milestones: int
    seed: int = 7
    currencies: bool = False

    @property
    def name(self) -> str:
        return (
            f"p{self.partners}-d{self.deals}-u{self.usage}-pl{self.pools}"
            f"-m{self.milestones}-s{self.seed}" + ("-fx" if self.currencies else "")
        )


def generator_version() -> str:
    """A digest of the demo generator's code and the schema it writes: a cached program
    written by other code (other columns, other values) is not reused."""
    digest = hashlib.sha256()
    sources = sorted(Path(demo.__file__).parent.glob("*.py"))
    for source in (*sources, Path(schema.__file__)):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def generate(size: Size) -> Path:
    folder = DATA / size.name
    program = folder / "program.xlsx"
    marker = folder / "complete"
    version = generator_version()
    if marker.exists() and version in marker.read_text(encoding="utf-8"):
        return program
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    write_demo(
        folder,
        partners=size.partners,
        period=PERIOD,
        seed=size.seed,
        pools=size.pools,
        deals=size.deals,
        usage_rows=size.usage,
        milestones=size.milestones,
        currencies=size.currencies,
    )
    marker.write_text(
        f"{time.perf_counter() - start:.1f} s to generate with generator {version}\n",
        encoding="utf-8",
    )
    return program


def close(program: Path) -> dict[str, float]:
    out = program.parent / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.with_suffix(".sqlite").unlink(missing_ok=True)
    os.sync()  # the last close's files, written back now rather than during this one
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.close_once", str(program), str(PERIOD), str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the close failed: {done.stdout}{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    # Wall time of the process, less the compute-only measurement it makes after the close.
    figures["end_to_end_s"] = wall - figures["compute_only_s"]
    return figures


def pdf_alone(program: Path, count: int) -> dict[str, float]:
    """`count` PDF statements of `program` in a fresh process (benchmarks.pdf_once)."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.pdf_once", str(program), str(PERIOD), str(count)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise SystemExit(f"the PDF benchmark failed: {done.stdout}{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def best_of(programs: list[Path], repeat: int) -> list[dict[str, float]]:
    """Each program's times, the least of `repeat` closes; peak memory the most.

    The programs are closed in turns (A B C A B C …), not one after the other.
    """
    runs: list[list[dict[str, float]]] = [[] for _ in programs]
    for _ in range(max(1, repeat)):
        for closes, program in zip(runs, programs, strict=True):
            closes.append(close(program))
    found = []
    for closes in runs:
        figures = {key: min(run[key] for run in closes) for key in closes[0]}
        figures["peak_rss_mb"] = max(run["peak_rss_mb"] for run in closes)
        found.append(figures)
    return found


def with_floor(program: Path, figures: dict[str, float]) -> dict[str, float]:
    """The close's figures, and the I/O floor of its inputs and (last) statements."""
    figures = dict(figures)
    inputs = [program, *sorted((program.parent / "partners").glob("*.xlsx"))]
    statements = sorted((program.parent / "out" / "statements").glob("*.xlsx"))
    floor_read, floor_write = io_floor(inputs, statements)
    figures["floor_read_s"] = floor_read
    figures["floor_write_s"] = floor_write
    figures["floor_s"] = floor_read + floor_write
    figures["floor_ratio"] = figures["end_to_end_s"] / figures["floor_s"]
    return figures


def report(size: Size, figures: dict[str, float], repeat: int = 1) -> None:
    best = f", best of {repeat}" if repeat > 1 else ""
    print(
        f"{size.partners:,} partners, {size.deals:,} deals, {size.usage:,} usage rows, "
        f"{size.pools} pools, {size.milestones:,} milestones"
        f"{', in 6 currencies' if size.currencies else ''} "
        f"({int(figures['lines']):,} lines{best})"
    )
    for stage in STAGES:
        print(f"  {stage:<10} {figures.get(f'{stage}_s', 0.0):8.2f} s")
    print(f"  {'end to end':<10} {figures['end_to_end_s']:8.2f} s   (start-up included)")
    print(f"  {'compute only':<10} {figures['compute_only_s']:6.2f} s   (inputs already in memory)")
    print(f"  {'peak RSS':<10} {figures['peak_rss_mb']:8.0f} MB")
    if "floor_s" in figures:
        print(
            f"  {'I/O floor':<10} {figures['floor_s']:8.2f} s   (read {figures['floor_read_s']:.2f}"
            f" + write {figures['floor_write_s']:.2f}); ratio {figures['floor_ratio']:.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--partners", type=int, default=12)
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--usage", type=int, default=None, help="usage rows (default deals/5)")
    parser.add_argument("--pools", type=int, default=6)
    parser.add_argument(
        "--milestones", type=int, default=None, help="milestones (default 3 per partner)"
    )
    parser.add_argument(
        "--currencies",
        action="store_true",
        help="partners settling in 4 other currencies, deals in a fifth (quality.md revision 2)",
    )
    parser.add_argument(
        "--growth", action="store_true", help="also double deals and partners and report the ratios"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="close each program N times; report the best times"
    )
    parser.add_argument(
        "--pdf-statements",
        type=int,
        default=1000,
        help="PDF statements to render alone from the program's data (default 1000; 0: none)",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    size = Size(
        args.partners,
        args.deals,
        args.usage if args.usage is not None else max(1, args.deals // 5),
        args.pools,
        args.milestones if args.milestones is not None else 3 * args.partners,
        currencies=args.currencies,
    )
    bigger = {
        "deals": replace(size, deals=2 * size.deals, usage=2 * size.usage),
        "partners": replace(size, partners=2 * size.partners, milestones=2 * size.milestones),
    }
    sizes = [size, *bigger.values()] if args.growth else [size]
    programs = [generate(each) for each in sizes]
    base, *grown_figures = best_of(programs, args.repeat)
    figures = with_floor(programs[0], base)  # only the base size's; ratios need none
    report(size, figures, args.repeat)
    result = {
        key: round(figures[key], 3)
        for key in (
            "end_to_end_s",
            "read_s",
            "validate_s",
            "compute_s",
            "write_s",
            "record_s",
            "peak_rss_mb",
            "floor_s",
            "floor_ratio",
        )
    }
    for (label, grown_size), grown in zip(bigger.items(), grown_figures, strict=False):
        report(grown_size, grown, args.repeat)
        ratios = {
            stage: grown.get(f"{stage}_s", 0.0) / max(figures.get(f"{stage}_s", 0.0), 1e-9)
            for stage in STAGES
        }
        ratios["end_to_end"] = grown["end_to_end_s"] / figures["end_to_end_s"]
        print(
            f"  doubling {label}: "
            + ", ".join(f"{stage} x{ratio:.2f}" for stage, ratio in ratios.items())
        )
        result[f"growth_{label}"] = {k: round(v, 3) for k, v in ratios.items()}  # type: ignore[assignment]
    if args.pdf_statements > 0:
        pdf = pdf_alone(programs[0], args.pdf_statements)
        print(
            f"PDF statements alone: {int(pdf['pdf_statements']):,} in {pdf['pdf_s']:.2f} s on "
            f"{int(pdf['pdf_workers'])} workers, {pdf['pdf_cpu_ms_each']:.1f} ms of CPU each, "
            f"{pdf['pdf_mb']:.1f} MB"
        )
        result["pdf_s"] = round(pdf["pdf_s"], 3)
        result["pdf_cpu_ms_each"] = round(pdf["pdf_cpu_ms_each"], 3)
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
