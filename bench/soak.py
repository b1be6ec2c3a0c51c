"""Soak: a batch of generated reports of mixed formats, a share of them bad, parsed in one batch
through the parse service's worker pool, as the `reports` asset parses a portal's documents.

    .venv/bin/python -m bench.soak [--reports 2000] [--bad 0.05] [--workers N]
                                   [--memory-mb MB] [--seconds S]

The good reports are the seeds rendered as text, HTML, DOCX and PDF (`tests/fixtures/render`),
each with a paragraph of its own; the bad ones are damaged, hostile or not reports at all.
Prints the memory of the whole process tree (this process and its workers) as the batch runs,
then whether every good report gave its expected tables and every bad file a kind that is not
`parser_bug`, and the seconds.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from tests.fixtures.parser.compare import differences, load_expected
from tests.fixtures.render.blocks import SEED_NAMES, Block, load_seed
from tests.fixtures.render.pages import report_page
from tests.fixtures.render.pdfdoc import inflating_pdf, render_pdf
from tests.fixtures.render.worddoc import render_docx, zip_bomb
from xxgk.archive import LocalArchive
from xxgk.parsing import ParseService
from xxgk.records import Document
from xxgk.settings import Settings
from xxgk.workers import Limits

RENDERED_VARIANTS = 12  # DOCX and PDF renders per seed (each report of them one of these)


@dataclass(frozen=True)
class Report:
    name: str  # the file name: its suffix tells the format
    data: bytes
    seed: str | None  # the seed it renders; None: a bad file
    expected: frozenset[str] = frozenset()  # the kinds a bad file may be


def _varied(blocks: list[Block], n: int) -> list[Block]:
    return [*blocks[:2], f"本报告编号第{n}号。", *blocks[2:]]


def good_reports(count: int, rng: random.Random) -> list[Report]:
    formats: dict[str, Callable[[list[Block]], bytes]] = {
        "txt": lambda blocks: "\n".join(
            block if isinstance(block, str) else _tab_table(block) for block in blocks
        ).encode(),
        "html": report_page,
        "docx": render_docx,
        "pdf": render_pdf,
    }
    cache: dict[tuple[str, str, int], bytes] = {}
    reports = []
    for n in range(count):
        seed, suffix = rng.choice(SEED_NAMES), rng.choice(sorted(formats))
        variant = n if suffix in ("txt", "html") else n % RENDERED_VARIANTS
        key = (seed, suffix, variant)
        if key not in cache:
            cache[key] = formats[suffix](_varied(load_seed(seed).blocks, variant))
        reports.append(Report(f"{n:05d}.{suffix}", cache[key], seed))
    return reports


def _tab_table(table: object) -> str:
    rows = table.rows  # type: ignore[attr-defined]
    return "\n".join("\t".join(cell.text for cell in row) for row in rows)


def _encrypted_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, encrypt=StandardEncryption("secret"))
    page.drawString(72, 720, "report")
    page.showPage()
    page.save()
    return buffer.getvalue()


def bad_reports(count: int, rng: random.Random) -> list[Report]:
    pdf = render_pdf(load_seed(SEED_NAMES[0]).blocks)
    span = '<td colspan="1000" rowspan="1000">1</td>' * 40
    makers: list[tuple[str, Callable[[], bytes], set[str]]] = [
        ("random.pdf", lambda: rng.randbytes(200_000), {"corrupt"}),
        ("cut.pdf", lambda: pdf[: len(pdf) // 2], {"corrupt", "needs_ocr"}),
        ("empty.txt", lambda: b"", {"empty"}),
        ("notice.html", lambda: "<html><body><p>通知</p></body></html>".encode(), {"not_a_report"}),
        (
            "spans.html",
            lambda: f"<html><body><table>{f'<tr>{span}</tr>' * 40}</table></body></html>".encode(),
            {"too_large"},
        ),
        ("deep.html", lambda: b"<html><body>" + b"<div>" * 5000 + b"x", {"too_complex"}),
        ("bomb.docx", lambda: zip_bomb(40 << 20), {"too_large"}),
        ("locked.pdf", _encrypted_pdf, {"encrypted"}),
        ("binary.txt", lambda: rng.randbytes(50_000), {"unsupported"}),
    ]
    inflating = inflating_pdf()
    reports = []
    for n in range(count):
        if n % 25 == 24:  # a few that only the worker's limits bound
            name, data, kinds = (
                "inflating.pdf",
                inflating,
                {"too_large", "too_complex", "needs_ocr"},
            )
        else:
            name, make, kinds = makers[n % len(makers)]
            data = make()
        reports.append(Report(f"bad{n:04d}-{name}", data, None, frozenset(kinds)))
    return reports


class Memory:
    """The resident memory of this process and its children, sampled twice a second."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, int, int]] = []  # seconds, total bytes, largest child
        self.start = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            own = _rss(os.getpid())
            children = [_rss(pid) for pid in _children(os.getpid())]
            self.samples.append(
                (time.monotonic() - self.start, own + sum(children), max(children, default=0))
            )

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--bad", type=float, default=0.05)
    settings = Settings.from_env()
    parser.add_argument("--workers", type=int, default=settings.parse_workers)
    parser.add_argument("--memory-mb", type=int, default=settings.parse_memory_mb)
    parser.add_argument("--seconds", type=float, default=settings.parse_seconds)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bad = round(args.reports * args.bad)
    started = time.monotonic()
    reports = good_reports(args.reports - bad, rng) + bad_reports(bad, rng)
    rng.shuffle(reports)
    print(f"generated {len(reports)} reports ({bad} bad) in {time.monotonic() - started:.0f} s")
    service = ParseService(
        workers=args.workers if args.workers is not None else ParseService().workers,
        limits=Limits(args.memory_mb << 20, args.seconds),
    )
    with tempfile.TemporaryDirectory(prefix="xxgk-soak-") as tmp:
        archive = LocalArchive(Path(tmp))
        documents = [
            Document(
                sha256=archive.put(report.data),
                url=f"http://portal.test/{report.name}",
                site="http://portal.test/",
                file_name=report.name,
            )
            for report in reports
        ]
        memory = Memory()
        started = time.monotonic()
        results = service.parse_documents(archive, documents)
        seconds = time.monotonic() - started
        memory.stop()
    _print_memory(memory.samples)
    _print_outcome(reports, results, seconds, service)


def _print_memory(samples: list[tuple[float, int, int]]) -> None:
    print("seconds  tree RSS MB  largest worker MB")
    step = max(1, len(samples) // 20)
    for at, total, child in samples[::step]:
        print(f"{at:7.0f}  {total / 2**20:11.0f}  {child / 2**20:17.0f}")
    peak = max(samples, key=lambda sample: sample[1])
    print(f"peak tree RSS {peak[1] / 2**20:.0f} MB at {peak[0]:.0f} s; largest worker ever "
          f"{max(s[2] for s in samples) / 2**20:.0f} MB")  # fmt: skip


def _print_outcome(reports: list[Report], results: list, seconds: float, service: object) -> None:
    wrong, misclassified, kinds = [], [], Counter[str]()
    expected = {name: load_expected(name) for name in SEED_NAMES}
    for report, result in zip(reports, results, strict=True):
        if report.seed is not None:
            want = {k: v for k, v in expected[report.seed].items() if k != "sections"}
            if result.record is None or differences(result.record, want):
                wrong.append((report.name, result.error))
        else:
            kind = result.error.kind if result.error else "record"
            kinds[f"{report.name.split('-', 1)[1]}: {kind}"] += 1
            if kind not in report.expected:
                misclassified.append((report.name, result.error))
    good = sum(report.seed is not None for report in reports)
    print(f"good reports: {good - len(wrong)} of {good} gave their expected tables")
    for name, error in wrong[:10]:
        print(f"  wrong: {name}: {error}")
    print(f"bad files: {len(reports) - good - len(misclassified)} of {len(reports) - good} "
          "classified as expected")  # fmt: skip
    for line, n in sorted(kinds.items()):
        print(f"  {n:4d} {line}")
    for name, error in misclassified[:10]:
        print(f"  unexpected: {name}: {error}")
    print(f"{len(reports)} reports in {seconds:.0f} s ({len(reports) / seconds:.1f}/s) with "
          f"{service.workers} workers")  # type: ignore[attr-defined]  # fmt: skip


if __name__ == "__main__":
    main()
