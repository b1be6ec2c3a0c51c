"""Benchmark: the parser on the PDF fixtures against bare pdfplumber on the same files.

    .venv/bin/python -m bench.parse [--repeat 5] [FILE.pdf ...]

Bare pdfplumber is `extract_text` and `extract_tables` on every page, the least any PDF parse
built on it does. Prints pages/s of each, on one core, and the ratio of our time to bare
pdfplumber's (target: at most 1.3, and at least 20 pages/s).
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber

from parsers import parse

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "official"


def bare(data: bytes) -> None:
    with pdfplumber.open(io.BytesIO(data)) as document:
        for page in document.pages:
            page.extract_text()
            page.extract_tables()


def ours(data: bytes) -> None:
    parse(data, "application/pdf")


def timed(run: Callable[[bytes], None], files: list[bytes]) -> float:
    start = time.process_time()
    for data in files:
        run(data)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    paths = args.files or sorted(FIXTURES.glob("*.pdf"))
    files = [path.read_bytes() for path in paths]
    pages = 0
    for data in files:
        with pdfplumber.open(io.BytesIO(data)) as document:
            pages += len(document.pages)
    totals = {"ours": 0.0, "bare": 0.0}
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        totals["ours"] += timed(ours, files)
        totals["bare"] += timed(bare, files)
    done = pages * args.repeat
    print(f"{len(files)} files, {pages} pages, {args.repeat} runs (CPU time, one core)")
    for name, seconds in totals.items():
        print(f"{name:>5}: {done / seconds:6.1f} pages/s  ({seconds:.2f} s)")
    print(f"ratio ours/bare: {totals['ours'] / totals['bare']:.2f}")


if __name__ == "__main__":
    main()
