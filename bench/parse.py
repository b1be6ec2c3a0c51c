"""Benchmark: the parser on the PDF fixtures against bare pdfplumber on the same files.

    .venv/bin/python -m bench.parse [--repeat 5] [FILE.pdf ...]

Bare pdfplumber is `extract_text` and `extract_tables` on every page, the least any PDF parse
built on it does. Two sets, each timed apart: the official-layout fixtures (tests/fixtures/
official, whose tables fill most pages) and the long reports (tests/fixtures/long, some fifteen
pages of narrative around the tables, made by tests/fixtures/render/long_reports.py); or the
files given. Prints pages/s of each, on one core, and the ratio of our time to bare
pdfplumber's (target: at most 0.5 on each set). Each is run once before timing, so that what is
timed is a parse, not the imports a worker makes once.
"""

from __future__ import annotations

import argparse
import gc
import io
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber

from parsers import parse

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
SETS = {"official": FIXTURES / "official", "long": FIXTURES / "long"}


def bare(data: bytes) -> None:
    with pdfplumber.open(io.BytesIO(data)) as document:
        for page in document.pages:
            page.extract_text()
            page.extract_tables()


def ours(data: bytes) -> None:
    parse(data, "application/pdf")


def timed(run: Callable[[bytes], None], files: list[bytes]) -> float:
    gc.collect()  # the garbage of the run before is not this run's to collect
    start = time.process_time()
    for data in files:
        run(data)
    return time.process_time() - start


def measure(name: str, paths: list[Path], repeat: int) -> None:
    files = [path.read_bytes() for path in paths]
    pages = 0
    for data in files:
        with pdfplumber.open(io.BytesIO(data)) as document:
            pages += len(document.pages)
    for run in (ours, bare):
        run(files[0])
    totals = {"ours": 0.0, "bare": 0.0}
    for _ in range(repeat):  # interleaved, so both see the same machine load
        totals["ours"] += timed(ours, files)
        totals["bare"] += timed(bare, files)
    done = pages * repeat
    print(f"{name}: {len(files)} files, {pages} pages, {repeat} runs (CPU time, one core)")
    for run, seconds in totals.items():
        print(f"{run:>5}: {done / seconds:6.1f} pages/s  ({seconds:.2f} s)")
    print(f"ratio ours/bare: {totals['ours'] / totals['bare']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.files:
        measure("files", args.files, args.repeat)
        return
    for name, folder in SETS.items():
        measure(name, sorted(folder.glob("*.pdf")), args.repeat)


if __name__ == "__main__":
    main()
