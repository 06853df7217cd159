"""Render a demo statement to a picture: docs/statement.png.

    .venv/bin/python scripts/render_statement.py [--partner P001] [--out docs/statement.png]
        [--pdf docs/statement.pdf]

Writes the demo program (seed 7, 12 partners, 2026-10) into a temporary folder,
closes it (draft), converts the partner's statement to PDF with LibreOffice
(`soffice --headless`), rasterises the pages with `pdftoppm` and puts them side
by side in one PNG, as they print; and copies the close's own PDF statement (drawn
with ReportLab) to docs/statement.pdf as a sample. Needs LibreOffice and poppler-utils (.ci/run
installs them). The PNG is written with the standard library only.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the package importable
    sys.path.insert(0, str(ROOT))

from partnerclose.core.period import Period  # noqa: E402
from partnerclose.demo import write_demo  # noqa: E402
from partnerclose.pipeline import Status, run_close  # noqa: E402

PERIOD = Period(2026, 10)
GAP = 24  # pixels between pages
BACKGROUND = (0xE6, 0xE9, 0xEE)


def _ppm(path: Path) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM (P6) file, as pdftoppm writes it."""
    data = path.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:  # magic, width, height, maximum value
        while data[pos : pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"{path} is not an 8-bit binary PPM")
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[pos + 1 : pos + 1 + width * height * 3]


def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def side_by_side(pages: list[Path]) -> bytes:
    """One PNG with the pages next to each other on a grey background."""
    images = [_ppm(p) for p in pages]
    height = max(h for _, h, _ in images) + 2 * GAP
    width = sum(w for w, _, _ in images) + GAP * (len(images) + 1)
    background = bytes(BACKGROUND)
    rows = []
    for y in range(height):
        row = bytearray(background * GAP)
        for w, h, pixels in images:
            inside = GAP <= y < GAP + h
            row += pixels[(y - GAP) * w * 3 : (y - GAP + 1) * w * 3] if inside else background * w
            row += background * GAP
        rows.append(bytes(row))
    return _png(width, height, rows)


def render(partner: str, out: Path, dpi: int, sample: Path | None = None) -> Path:
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        raise SystemExit("needs LibreOffice (soffice) and poppler-utils (pdftoppm)")
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        program = write_demo(folder / "demo", partners=12, period=PERIOD, seed=7)
        outcome = run_close(program, PERIOD)
        if outcome.status is not Status.CLOSED or outcome.output is None:
            raise SystemExit(f"the demo close failed: {outcome.message}")
        statement = outcome.output / "statements" / f"{partner}.xlsx"
        if sample is not None:  # the close's own PDF statement (ReportLab), as a sample
            sample.write_bytes(statement.with_suffix(".pdf").read_bytes())
        profile = (folder / "profile").as_uri()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                str(statement),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = folder / f"{partner}.pdf"
        subprocess.run([pdftoppm, "-r", str(dpi), str(pdf), str(folder / "page")], check=True)
        pages = sorted(folder.glob("page-*.ppm"))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(side_by_side(pages))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partner", default="P001")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "statement.png")
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument(
        "--pdf", type=Path, default=ROOT / "docs" / "statement.pdf", help="the PDF sample"
    )
    args = parser.parse_args()
    print(f"wrote {render(args.partner, args.out, args.dpi, args.pdf)} and {args.pdf}")


if __name__ == "__main__":
    main()
