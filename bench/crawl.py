"""Benchmark: our spider against a bare Scrapy spider on a generated portal of ~20,000 pages.

    .venv/bin/python -m bench.crawl [--pages 20000] [--rounds 3] [--profile FILE.prof]

A portal of report columns (generic paging: numbered pages and 下一页), each list page linking
20 report pages, each report page a metadata table and one small PDF, is served on 127.0.0.1 by
a process of its own (asyncio, keep-alive), so the server shares neither CPU time nor the GIL
with a crawler.

Then, one after the other, each in a fresh process, `--rounds` times:

- ours: `python -m spiders.crawl --no-polite` (robots.txt, paging adapters, every middleware
  and pipeline; its archivist process storing into a temporary archive, writing the WARC file
  and the capture log; report pages' metadata is read at parse time, not here);
- bare: a Scrapy spider requesting the same URL list with the same concurrency and a callback
  that does nothing (Scrapy's default settings: no parsing, no pipelines).

Prints pages/s of each (pages over the process's wall time, start-up included), the ratio
ours/bare, each crawl's peak RSS and CPU time (`os.wait4`: the largest process's RSS, the CPU
of the crawl and its archivist), and the median ratio over the rounds: on a shared machine one
round can be off by a tenth. `--profile` runs ours under cProfile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

from spiders.capturelog import read_captures
from spiders.launch import crawl_command
from spiders.politeness import IMPOLITE
from tests.farm.sites import PDF, li, link, page, title

LIST_PAGES = 20
REPORTS = 20
#: Columns, menus and footers: the links every page of a real portal repeats.
CHROME = "".join(link(f"/xwzx/n{n}/", f"栏目{n}") for n in range(60)) + "<p>" + "版权所有" * 300


@dataclass(frozen=True)
class Portal:
    """The generated portal: `columns` report columns of LIST_PAGES pages each."""

    columns: int

    @classmethod
    def of_about(cls, pages: int) -> Portal:
        return cls(max(1, math.ceil(pages / (LIST_PAGES * (1 + 2 * REPORTS)))))

    def urls(self) -> Iterator[str]:
        """Every page a crawl should fetch, robots.txt aside."""
        yield from ("/", "/xxgk/")
        for column in range(self.columns):
            for number in range(LIST_PAGES):
                yield list_page(column, number)
                for entry in range(REPORTS):
                    yield f"/xxgk/c{column}/t{number}_{entry}.html"
                    yield f"/xxgk/c{column}/P{number}_{entry}.pdf"

    def reply(self, path: str) -> tuple[str, bytes] | None:
        """(content type, body) of `path`, None if there is no such page."""
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            return "text/plain", b"User-agent: *\nDisallow: /admin/\n"
        if path == "/":
            return html, page("首页", CHROME + link("/xxgk/", "政府信息公开"))
        if path == "/xxgk/":
            columns = (
                link(list_page(c, 0), f"第{c}部门政府信息公开年报") for c in range(self.columns)
            )
            return html, page("政府信息公开", CHROME + "".join(columns))
        parts = path.split("/")
        if len(parts) != 4 or not parts[2].startswith("c") or not parts[2][1:].isdigit():
            return None
        column, name = int(parts[2][1:]), parts[3]
        if column >= self.columns:
            return None
        if name == "index.html" or (name.startswith("index_") and name.endswith(".html")):
            number = int(name[6:-5] or 0) if name != "index.html" else 0
            return (html, list_body(column, number)) if number < LIST_PAGES else None
        stem, _, extension = name.partition(".")
        number, _, entry = stem[1:].partition("_")
        if not (number.isdigit() and entry.isdigit()) or int(number) >= LIST_PAGES:
            return None
        if int(entry) >= REPORTS:
            return None
        if stem[0] == "t" and extension == "html":
            return html, report_body(column, int(number), int(entry))
        if stem[0] == "P" and extension == "pdf":
            return "application/pdf", PDF + f"%{path}\n".encode() * 40
        return None


def list_page(column: int, number: int) -> str:
    return f"/xxgk/c{column}/index{f'_{number}' if number else ''}.html"


def list_body(column: int, number: int) -> bytes:
    entries = "".join(
        li(f"t{number}_{entry}.html", title(2000 + entry, f"第{column}部门"))
        for entry in range(REPORTS)
    )
    window = range(max(0, number - 5), min(LIST_PAGES, number + 6))
    pager = "".join(link(list_page(column, n).rsplit("/", 1)[1], str(n + 1)) for n in window)
    if number + 1 < LIST_PAGES:
        pager += link(list_page(column, number + 1).rsplit("/", 1)[1], "下一页")
    return page("政府信息公开年报", f"{CHROME}<ul>{entries}</ul><div>{pager}</div>")


def report_body(column: int, number: int, entry: int) -> bytes:
    heading = title(2000 + entry, f"第{column}部门")
    cells = (
        ("索引号", f"11441900007{column:05d}/{2000 + entry}-{number:05d}"),
        ("发布机构", f"第{column}部门"),
        ("发文日期", f"{2001 + entry}-01-{number + 1:02d}"),
        ("文号", ""),
    )
    metadata = "".join(f"<tr><th>{label}：</th><td>{value}</td></tr>" for label, value in cells)
    text = (
        f"<table>{metadata}</table><h1>{heading}</h1>"
        + f"<p>第{number}页第{entry}条 正文……</p>" * 60
    )
    return page(heading, CHROME + text + link(f"P{number}_{entry}.pdf", "年报全文.pdf"))


async def answer(portal: Portal, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    """HTTP/1.1 with keep-alive: GETs only, which is all a crawl sends."""
    try:
        while head := await reader.readuntil(b"\r\n\r\n"):
            target = head.split(b" ", 2)[1].decode("latin-1")
            found = portal.reply(target.split("?", 1)[0])
            status, (kind, body) = ("200 OK", found) if found else ("404 Not Found", ("", b""))
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {kind or 'text/plain'}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(portal: Portal) -> None:
    server = await asyncio.start_server(
        lambda r, w: answer(portal, r, w), "127.0.0.1", 0, backlog=256
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


class BareSpider(Spider):
    """Requests every URL of a file, one a line; keeps nothing."""

    name = "bare"

    def __init__(self, urls: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> Iterator[Request]:  # type: ignore[override]
        with Path(self.urls).open() as lines:
            for line in lines:
                yield Request(line.strip(), callback=self.ignore)

    def ignore(self, response: Response) -> None:
        return None


def crawl_bare(urls: str) -> None:
    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": IMPOLITE["CONCURRENT_REQUESTS"],
            "CONCURRENT_REQUESTS_PER_DOMAIN": IMPOLITE["CONCURRENT_REQUESTS_PER_DOMAIN"],
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    process.crawl(BareSpider, urls=urls)
    process.start()


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float


def run(command: list[str], log: Path) -> Run:
    """Run `command` to its end; its wall time, peak RSS and CPU time."""
    started = time.perf_counter()
    with log.open("wb") as output:
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{command[:4]} exited with {child.returncode}; see {log}")
    return Run(
        time.perf_counter() - started, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    )


def crawl_both(base: str, expected: list[str], profile: str | None) -> tuple[float, float]:
    """One round: ours, then bare, each in a fresh process; their rates in pages/s."""
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as directory:
        out = Path(directory)
        command = crawl_command(
            [base + "/"], str(out / "archive"), out / "captures.jsonl", polite=False
        )
        if profile:
            command[1:1] = ["-m", "cProfile", "-o", profile]
        ours = run(command, out / "ours.log")
        captures = read_captures(out / "captures.jsonl")
        fetched = sum(c.status == 200 and c.role != "robots" for c in captures)
        if fetched != len(expected):
            print(f"warning: ours fetched {fetched} of {len(expected)} pages", file=sys.stderr)
        (out / "urls.txt").write_text("\n".join(expected) + "\n")
        bare = run(
            [sys.executable, "-m", "bench.crawl", "--bare", str(out / "urls.txt")],
            out / "bare.log",
        )
    rates = fetched / ours.seconds, len(expected) / bare.seconds
    for name, measured, count, rate in (
        ("ours", ours, fetched, rates[0]),
        ("bare", bare, len(expected), rates[1]),
    ):
        print(
            f"{name}  {count} pages in {measured.seconds:.1f} s: {rate:,.0f} pages/s, "
            f"peak RSS {measured.peak_rss_mb:.0f} MB, CPU {measured.cpu_seconds:.1f} s"
        )
    print(f"ratio ours/bare {rates[0] / rates[1]:.2f}", flush=True)
    return rates


def bench(pages: int, rounds: int, profile: str | None) -> None:
    portal = Portal.of_about(pages)
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.crawl", "--serve", str(portal.columns)],
        stdout=subprocess.PIPE,
    )
    assert server.stdout
    base = f"http://127.0.0.1:{int(server.stdout.readline())}"
    expected = [base + path for path in portal.urls()]
    try:
        results = [crawl_both(base, expected, profile) for _ in range(rounds)]
    finally:
        server.terminate()
        server.wait()
    ratio = statistics.median(ours / bare for ours, bare in results)
    print(f"median ratio ours/bare over {rounds} round(s): {ratio:.2f}")
    print(json.dumps({"pages": len(expected), "rounds": results, "median_ratio": ratio}))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl", description=__doc__)
    parser.add_argument("--pages", type=int, default=20_000, help="about this many pages")
    parser.add_argument("--rounds", type=int, default=3, help="ours then bare, this many times")
    parser.add_argument("--profile", help="write a cProfile of our crawl process here")
    parser.add_argument("--serve", type=int, metavar="COLUMNS", help=argparse.SUPPRESS)
    parser.add_argument("--bare", metavar="URLS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(Portal(args.serve)))
    elif args.bare:
        crawl_bare(args.bare)
    else:
        bench(args.pages, args.rounds, args.profile)


if __name__ == "__main__":
    main()
