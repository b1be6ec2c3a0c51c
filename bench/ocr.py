"""Benchmark: our OCR parse against bare rapidocr and bare Tesseract on the same scanned pages.

    .venv/bin/python -m bench.ocr [--pages 6] [SOURCE.pdf ...]

Tesseract is only this benchmark's (the tests do not use it): `apt-get install
tesseract-ocr-chi-sim` first.

The pages are scans (tests/fixtures/render/scans.py: grey, turned, speckled, JPEG) of the
official-layout fixtures' pages holding sections 二, 三 (and its table's next page) and 四, each
at 110, 150 or 200 dpi in turn. Each engine runs in a process of its own, on one page after
another, after reading one small image to load its models; its peak RSS is that process's (and
for Tesseract, the largest of its `tesseract` processes).

- bare rapidocr: `RapidOCR()(image)`, the engine's defaults;
- bare Tesseract: `tesseract PAGE.png stdout -l chi_sim --psm 6 tsv`, one process a page
  (`tesseract-psm6`; psm 6 takes the page for one block of text, and loses most of a table's
  lone digits), and the same with `--psm 4` (a column of lines of varying size: `tesseract-psm4`);
- ours: `parsers.parse` of the page as a one-page image-only PDF.

The truth is the source page's text layer (pdfplumber words, moved as the scan moved them). A
number (a word of digits) is read when a box the engine gives, whose centre lies within 0.75 of
the word's height of the word's centre, holds the same digits (a dot at either end aside: a
speck read as a full stop). A label's CJK characters are
recovered as far as they are found in order (difflib's matching blocks) in the text of the boxes
on the word: those whose centre lies in the word's box, or whose box holds the word's centre.
For ours, a cell is right when it equals the number the page's own text layer gives it (cells
that text layer reads as printed). Prints seconds a page (wall, CPU), those shares, the ratio of
our time to bare rapidocr's, and peak RSS.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import pdfplumber
from PIL import Image

from parsers import ParseError, parse
from tests.fixtures.make_official import OUT
from tests.fixtures.render import scans

DEFAULT_SOURCES = ("003_351f4af2c3a8fcf1.libreoffice.pdf", "004_49c0d768678019fb.reportlab.pdf")
ENGINES = ("rapidocr", "tesseract-psm6", "tesseract-psm4", "ours")
NUMBER = re.compile(r"[-+]?\d[\d,.]*")
CJK = re.compile(r"[\u3400-\u9fff]")
NEAR = 0.75  # of the word's height: how far a box's centre may lie from a number's

Box = tuple[float, float, float, float, str]  # x0, top, x1, bottom, text


@dataclass(frozen=True)
class Page:
    source: str
    index: int  # 0-based, in the source PDF
    scan: scans.Scan

    @property
    def label(self) -> str:
        seed, layout = self.source.split("_")[0], self.source.split(".")[1]
        return f"{seed}.{layout} p{self.index + 1} {self.scan.dpi}dpi"


def chosen_pages(sources: list[str], count: int) -> list[Page]:
    """The pages of sections 二/三/四 (and 三's next), each dpi in turn (a Latin square, so the
    first pages already cover every dpi)."""
    rounds = []
    for k in range(len(scans.DPIS)):
        for source in sources:
            pdf = (OUT / source).read_bytes()
            three = scans.section_page(pdf, "三")
            held = {scans.section_page(pdf, section) for section in scans.SECTIONS} | {three + 1}
            rounds += [
                Page(source, index, replace(scans.SCANS[source], dpi=scans.DPIS[(i + k) % 3]))
                for i, index in enumerate(sorted(held))
            ]
    return rounds[:count]


def scanned_page(page: Page) -> tuple[Image.Image, bytes]:
    """The page as the bare engines read it (the scanner's JPEG, decoded: the pixels its PDF
    shows) and its one-page image-only PDF, for ours."""
    (image,) = scans.page_images((OUT / page.source).read_bytes(), page.scan, [page.index])
    decoded = Image.open(io.BytesIO(scans.jpeg(image, page.scan))).convert("L")
    return decoded, scans.image_pdf([image], page.scan)


def truth_words(page: Page, size: tuple[int, int]) -> list[Box]:
    """The source page's words, in the scan's pixels: scaled to its dpi, turned as it was."""
    scale, turn = page.scan.dpi / 72, math.radians(page.scan.angle)
    cx, cy = size[0] / 2, size[1] / 2

    def moved(x: float, y: float) -> tuple[float, float]:
        dx, dy = x * scale - cx, y * scale - cy
        return (
            cx + dx * math.cos(turn) + dy * math.sin(turn),
            cy - dx * math.sin(turn) + dy * math.cos(turn),
        )

    with pdfplumber.open(OUT / page.source) as document:
        words = document.pages[page.index].extract_words()
    boxes = []
    for word in words:
        corners = [
            moved(x, y) for x in (word["x0"], word["x1"]) for y in (word["top"], word["bottom"])
        ]
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        boxes.append((min(xs), min(ys), max(xs), max(ys), word["text"]))
    return boxes


def centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def digits(text: str) -> str:
    """The number's digits, sign and decimal point; a dot at either end (a speck of dust read
    as a full stop: `0.`) dropped."""
    return re.sub(r"[^\d.\-]", "", text).strip(".")


def numbers_read(truth: list[Box], found: list[Box]) -> tuple[int, int]:
    """(read, all) of the page's numbers."""
    numbers = [word for word in truth if NUMBER.fullmatch(word[4])]
    read = 0
    for word in numbers:
        (x, y), height = centre(word), (word[3] - word[1])
        read += any(
            math.dist((x, y), centre(box)) <= NEAR * height and digits(box[4]) == digits(word[4])
            for box in found
        )
    return read, len(numbers)


def labels_read(truth: list[Box], found: list[Box]) -> tuple[int, int]:
    """(recovered, all) of the CJK characters of the page's words."""
    recovered = total = 0
    for word in truth:
        want = "".join(CJK.findall(word[4]))
        if not want:
            continue
        on_word = sorted(
            (box for box in found if inside(centre(box), word) or inside(centre(word), box)),
            key=lambda box: box[0],
        )
        got = "".join(CJK.findall("".join(box[4] for box in on_word)))
        matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
        recovered += sum(block.size for block in matcher.get_matching_blocks())
        total += len(want)
    return recovered, total


def printed_cells(record: dict) -> dict[str, object]:
    """The numbered cells a record reads as printed (not inferred, derived or missing)."""
    return {
        f"{table}.{row}.{column}": value
        for table in ("active_disclosure", "applications", "review_litigation")
        for row, cells in (record.get(table) or {}).items()
        for column, value in cells.items()
        if value is not None and f"{table}.{row}.{column}" not in record["cell_status"]
    }


# --- the workers: one process per engine --------------------------------------------------


def warm_up(engine: str, folder: Path) -> None:
    """Load the engine's models on a small image, outside the timing."""
    small = Image.open(folder / "0.png").crop((0, 0, 400, 200))
    if engine == "rapidocr":
        import numpy as np

        rapid_ocr()(np.asarray(small.convert("RGB")))
    elif engine.startswith("tesseract"):
        small.save(folder / "warm.png")
        tesseract(folder / "warm.png", engine)
    else:
        out = io.BytesIO()
        small.save(out, "PDF", resolution=150.0)
        with contextlib.suppress(ParseError):
            parse(out.getvalue(), "application/pdf")


@cache
def rapid_ocr():  # the engine's own type
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def tesseract(path: Path, engine: str) -> list[Box]:
    psm = engine.removeprefix("tesseract-psm")
    tsv = subprocess.run(
        ["tesseract", str(path), "stdout", "-l", "chi_sim", "--psm", psm, "tsv"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    boxes = []
    for line in tsv.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) == 12 and fields[0] == "5" and fields[11].strip():
            left, top, width, height = map(float, fields[6:10])
            boxes.append((left, top, left + width, top + height, fields[11].strip()))
    return boxes


def read_page(engine: str, folder: Path, n: int) -> dict:
    if engine == "rapidocr":
        import numpy as np

        image = np.asarray(Image.open(folder / f"{n}.png").convert("RGB"))
        found, _ = rapid_ocr()(image)
        boxes = [
            (min(x for x, _ in box), min(y for _, y in box), max(x for x, _ in box),
             max(y for _, y in box), text)
            for box, text, _ in found or ()
        ]  # fmt: skip
        return {"boxes": boxes}
    if engine.startswith("tesseract"):
        return {"boxes": tesseract(folder / f"{n}.png", engine)}
    try:
        record = parse((folder / f"{n}.pdf").read_bytes(), "application/pdf")
    except ParseError as error:
        return {"error": error.kind}
    return {"cells": printed_cells(record), "text_source": record["text_source"]}


def worker(engine: str, folder: Path, count: int) -> None:
    warm_up(engine, folder)
    for n in range(count):
        children = os.times()
        wall, cpu = time.perf_counter(), time.process_time()
        result = read_page(engine, folder, n)
        after = os.times()
        result["wall"] = time.perf_counter() - wall
        result["cpu"] = time.process_time() - cpu + (
            after.children_user + after.children_system
            - children.children_user - children.children_system
        )  # fmt: skip
        print(json.dumps(result, ensure_ascii=False), flush=True)
    print(json.dumps({"children_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))


def run_worker(engine: str, folder: Path, count: int) -> tuple[list[dict], int]:
    """The engine's result a page, and its peak RSS in KiB (its own or its children's)."""
    command = [sys.executable, "-m", "bench.ocr", "--worker", engine, str(folder), str(count)]
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise SystemExit(f"{engine} worker failed ({process.returncode})")
        out.seek(0)
        lines = [json.loads(line) for line in out.read().decode("utf-8").splitlines()]
    return lines[:-1], max(usage.ru_maxrss, lines[-1]["children_rss_kib"])


# --- the run -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sources", nargs="*", default=list(DEFAULT_SOURCES))
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, folder, count = args.worker
        worker(engine, Path(folder), int(count))
        return
    pages = chosen_pages(args.sources, args.pages)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        truths, cells = [], []
        for n, page in enumerate(pages):
            image, pdf = scanned_page(page)
            image.save(folder / f"{n}.png")
            (folder / f"{n}.pdf").write_bytes(pdf)
            truths.append(truth_words(page, image.size))
            source = (OUT / page.source).read_bytes()
            cells.append(
                printed_cells(parse(scans.one_page(source, page.index), "application/pdf"))
            )
        results = {engine: run_worker(engine, folder, len(pages)) for engine in ENGINES}
    print(f"{len(pages)} pages: " + ", ".join(page.label for page in pages))
    heads = ("s/page", 6), ("CPU s/page", 10), ("numbers", 24), ("labels", 16)
    print(
        f"{'engine':>9}  " + "  ".join(f"{head:>{width}}" for head, width in heads) + "  peak RSS"
    )
    for engine, (lines, rss) in results.items():
        wall = sum(line["wall"] for line in lines) / len(lines)
        cpu = sum(line["cpu"] for line in lines) / len(lines)
        if engine == "ours":
            numbers, labels = cells_read(lines, cells)
        else:
            pairs = [(truth, line["boxes"]) for line, truth in zip(lines, truths, strict=True)]
            numbers = share([numbers_read(*pair) for pair in pairs])
            labels = share([labels_read(*pair) for pair in pairs])
        print(
            f"{engine:>9}  {wall:6.2f}  {cpu:10.2f}  {numbers:>24}  {labels:>16}  {rss >> 10} MiB"
        )
    print("seconds a page (wall):")
    for n, page in enumerate(pages):
        print(
            f"  {page.label}: "
            + "  ".join(f"{engine} {results[engine][0][n]['wall']:.2f}" for engine in ENGINES)
        )
    ours = sum(line["wall"] for line in results["ours"][0])
    bare = sum(line["wall"] for line in results["rapidocr"][0])
    print(f"ratio ours/bare rapidocr (wall): {ours / bare:.2f}")


def share(counts: list[tuple[int, int]]) -> str:
    got, total = sum(n for n, _ in counts), sum(n for _, n in counts)
    return f"{got}/{total} {got / max(total, 1):.1%}"


def cells_read(lines: list[dict], truths: list[dict[str, object]]) -> tuple[str, str]:
    """Ours: the cells right of those the pages' text layers print, the wrong ones, and the
    pages that gave an error instead of a record."""
    right = wrong = 0
    for line, truth in zip(lines, truths, strict=True):
        read = line.get("cells", {})
        right += sum(read.get(cell) == value for cell, value in truth.items())
        wrong += sum(cell in read and read[cell] != value for cell, value in truth.items())
    errors = [line["error"] for line in lines if "error" in line]
    cells = share([(right, sum(len(truth) for truth in truths))])
    return f"cells {cells}, {wrong} wrong", f"errors: {', '.join(errors) or 'none'}"


if __name__ == "__main__":
    main()
