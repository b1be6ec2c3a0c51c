"""Benchmark: the memory of the archivist's WARC writer on one 500 MB WARC file.

    .venv/bin/python -m bench.warc [--megabytes 500]

Two child processes, one after the other, importing the same modules and making the same
captures (report pages of Chinese text, attachments half random bytes, so that gzip has work
of both kinds):

- writer: adds them to a `CrawlWarc` on a temporary local archive until its first WARC file
  reaches `--megabytes` and is stored (`Archive.put_file`) with its CDXJ index;
- baseline: makes the same captures and drops them.

Prints each child's peak RSS (`ru_maxrss`), CPU and wall time, the WARC file's size, the
writer's RSS over the baseline's (the target: a writer under 150 MB), and, on the first 64 MB
of bodies, what zlib's level 9 (warcio's) costs against its default level (the writer's).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

from xxgk.archive import LocalArchive, sha256_hex
from xxgk.archive.warc import CrawlWarc
from xxgk.records import Capture

SITE = "http://www.gov.example.cn/"
PHRASES = [
    "政府信息公开", "工作年度报告", "主动公开", "依申请公开", "行政复议", "行政诉讼",
    "本行政机关", "收到申请数", "予以公开", "不予公开", "信息不存在", "办理结果",
    "第一部分", "总体情况", "规章", "规范性文件", "行政许可", "行政处罚", "行政强制",
    "人民政府", "办公室", "2023年", "<td>", "</td>", "<tr>", "</tr>", "\n", "，", "。",
]  # fmt: skip
MAX_RSS_MB = 150
LEVEL_SAMPLE = 64 << 20


def text(rng: random.Random, size: int) -> bytes:
    """About `size` bytes of report-like HTML: phrases drawn at random, so repeats are short."""
    count = size // 12
    numbers = (str(rng.randrange(100000)) for _ in range(count // 8))
    return ("".join(rng.choices(PHRASES, k=count)) + " ".join(numbers)).encode()[:size]


def captures(seed: int = 2024) -> Iterator[tuple[Capture, bytes]]:
    """An endless crawl: 7 report pages (20–200 KB of text) for each attachment (0.2–4 MB, half
    random bytes, half text)."""
    rng = random.Random(seed)
    for index in range(sys.maxsize):
        if index % 8 == 7:
            size = rng.randrange(200_000, 4_000_000)
            body = rng.randbytes(size // 2) + text(rng, size - size // 2)
            url, media = f"{SITE}files/{index}.pdf", "application/pdf"
        else:
            body = b"<html><body>" + text(rng, rng.randrange(20_000, 200_000)) + b"</body></html>"
            url, media = f"{SITE}xxgk/{index}.html", "text/html; charset=utf-8"
        capture = Capture(
            url=url, site=SITE, role="attachment" if media == "application/pdf" else "report_page",
            status=200, fetched_at="2024-05-01T00:00:00Z", headers={"Content-Type": media},
            sha256=sha256_hex(body), size=len(body),
        )  # fmt: skip
        yield capture, body


def child(role: str, megabytes: int, count: int) -> dict[str, float]:
    started = time.monotonic()
    made = 0
    stored = 0
    with tempfile.TemporaryDirectory(prefix="bench-warc-") as directory:
        archive = LocalArchive(directory)
        warc = CrawlWarc(archive, "bench", max_bytes=megabytes * 1_000_000)
        for capture, body in captures():
            if role == "writer":
                warc.add(capture, body)
            made += 1
            if (role == "writer" and warc.keys) or made == count:
                break
        if role == "writer":
            stored = (Path(directory) / warc.keys[0]).stat().st_size
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "captures": made,
        "warc_bytes": stored,
        "max_rss_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "wall_s": time.monotonic() - started,
    }


def run_child(role: str, megabytes: int, count: int = 0) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.warc", "--child", role, "--megabytes", str(megabytes)]
    command += ["--captures", str(count)]
    finished = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(finished.stdout)


def compression_levels() -> tuple[float, float]:
    """(CPU, size) of zlib's level 9 over its default, on LEVEL_SAMPLE bytes of bodies."""
    sample, total = [], 0
    for _, body in captures():
        sample.append(body)
        total += len(body)
        if total >= LEVEL_SAMPLE:
            break
    cost = {}
    for level in (zlib.Z_DEFAULT_COMPRESSION, 9):
        started = time.process_time()
        size = 0
        for body in sample:
            compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
            size += len(compressor.compress(body)) + len(compressor.flush())
        cost[level] = (time.process_time() - started, size)
    default, best = cost[zlib.Z_DEFAULT_COMPRESSION], cost[9]
    return best[0] / default[0], best[1] / default[1]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.warc", description=__doc__)
    parser.add_argument("--megabytes", type=int, default=500)
    parser.add_argument("--child", choices=["writer", "baseline"])
    parser.add_argument("--captures", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.megabytes, args.captures)))
        return
    writer = run_child("writer", args.megabytes)
    baseline = run_child("baseline", args.megabytes, int(writer["captures"]))
    for name, figures in (("writer", writer), ("baseline", baseline)):
        print(
            f"{name:8} {figures['captures']:6.0f} captures"
            f"  WARC {figures['warc_bytes'] / 1e6:6.1f} MB"
            f"  peak RSS {figures['max_rss_mb']:6.1f} MB  CPU {figures['cpu_s']:5.1f} s"
            f"  wall {figures['wall_s']:5.1f} s"
        )
    over = writer["max_rss_mb"] - baseline["max_rss_mb"]
    ratio = writer["max_rss_mb"] / baseline["max_rss_mb"]
    verdict = "under" if writer["max_rss_mb"] < MAX_RSS_MB else "OVER"
    print(f"writer/baseline RSS {ratio:.2f} (+{over:.1f} MB); writer {verdict} {MAX_RSS_MB} MB")
    cpu, size = compression_levels()
    print(
        f"zlib level 9 / default on {LEVEL_SAMPLE >> 20} MB of bodies:"
        f" CPU {cpu:.2f}, size {size:.3f}"
    )


if __name__ == "__main__":
    main()
