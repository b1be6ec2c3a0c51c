"""The crawl's WARC file: written through the archive, read back with warcio."""

from __future__ import annotations

import base64
import gzip
import io
import json
import subprocess
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from spiders.crawl import crawl_command
from xxgk.archive import LocalArchive, sha256_hex
from xxgk.demo.portal import DemoPortal
from xxgk.archive.warc import CrawlWarc

PAGE = "<html><title>报告</title></html>".encode()
PDF = b"%PDF-1.4 \x00\xff binary"
CAPTURES: list[tuple[dict[str, Any], bytes | None]] = [
    (
        {"url": "http://www.gov.example.cn/xxgk/1.html?id=2", "status": 200, "role": "report_page",
         "fetched_at": "2024-05-01T08:00:00.250000+08:00", "referer": "http://www.gov.example.cn/",
         "headers": {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip",
                     "Content-Length": "17"}, "title": "报告\n一",
         "publication": {"index_number": "000014349/2024-00012", "issued_on": "2024-01-20"}},
        PAGE,
    ),
    (
        {"url": "http://www.gov.example.cn/files/1.pdf", "status": 200, "role": "attachment",
         "fetched_at": "2024-05-01T00:00:01Z", "headers": {"Content-Type": "application/pdf"},
         "file_name": "1.pdf"},
        PDF,
    ),
    (
        {"url": "http://www.gov.example.cn/gone", "status": 404, "role": "other",
         "fetched_at": "2024-05-01T00:00:02Z", "headers": {"Server": "nginx"},
         "error": {"kind": "http_404", "message": "Not Found"}},
        b"",
    ),
    (
        {"url": "http://www.gov.example.cn/slow", "status": None, "role": "other",
         "fetched_at": "2024-05-01T00:00:03Z", "error": {"kind": "timeout", "message": "late"}},
        None,
    ),
]  # fmt: skip


def sha256_b32(data: bytes) -> str:
    return "sha256:" + base64.b32encode(bytes.fromhex(sha256_hex(data))).decode()


def read_warc(data: bytes) -> list[dict[str, Any]]:
    """Every record, its digests checked by warcio as it is read (ArchiveLoadFailed if wrong)."""
    records = []
    for record in ArchiveIterator(io.BytesIO(data), check_digests="raise"):
        http = record.http_headers
        records.append(
            {
                "type": record.rec_type,
                "warc": dict(record.rec_headers.headers),
                "status_line": f"{http.protocol} {http.statusline}" if http else None,
                "http": dict(http.headers) if http else None,
                "content": record.content_stream().read(),
            }
        )
    return records


def test_warc_round_trips_bytes_headers_dates_and_digests(tmp_path: Path) -> None:
    archive = LocalArchive(tmp_path / "archive")
    warc = CrawlWarc(archive, "crawl-1")
    for capture, body in CAPTURES:
        warc.add(capture, body)
    assert warc.close() == "warc/crawl-1.warc.gz"
    data = archive.get_named("warc/crawl-1.warc.gz")
    assert gzip.decompress(data).startswith(b"WARC/1.1\r\n")
    records = read_warc(data)
    assert [record["type"] for record in records] == [
        "warcinfo", *["response", "request", "metadata"] * 3, "metadata",
    ]  # fmt: skip
    responses = [record for record in records if record["type"] == "response"]
    for record, (capture, body) in zip(responses, CAPTURES, strict=False):
        assert record["warc"]["WARC-Target-URI"] == capture["url"]
        assert record["warc"]["WARC-Payload-Digest"] == sha256_b32(body)
        assert record["content"] == body
    page = responses[0]
    assert page["warc"]["WARC-Date"] == "2024-05-01T00:00:00.250000Z"
    assert page["status_line"] == "HTTP/1.1 200 OK"
    assert page["http"] == {
        "Content-Type": "text/html; charset=utf-8",
        "X-Crawler-Content-Encoding": "gzip",
        "X-Crawler-Content-Length": "17",
        "Content-Length": str(len(PAGE)),
    }
    assert responses[2]["status_line"] == "HTTP/1.1 404 Not Found"
    request, metadata = records[2], records[3]
    assert request["warc"]["WARC-Concurrent-To"] == page["warc"]["WARC-Record-ID"]
    assert request["status_line"] == "GET /xxgk/1.html?id=2 HTTP/1.1"
    assert request["content"] == b""
    assert request["http"] == {
        "Host": "www.gov.example.cn",
        "Referer": "http://www.gov.example.cn/",
    }
    fields = dict(line.split(": ", 1) for line in metadata["content"].decode().splitlines())
    assert fields["sha256"] == sha256_hex(PAGE)
    assert fields["title"] == "报告 一"
    assert fields["publication-index-number"] == "000014349/2024-00012"
    assert fields["publication-issued-on"] == "2024-01-20"
    failed = records[-1]
    assert failed["warc"]["WARC-Target-URI"] == "http://www.gov.example.cn/slow"
    assert b"error-kind: timeout" in failed["content"]
    assert b"sha256" not in failed["content"]


def test_crawl_writes_every_archived_body_to_its_warc(tmp_path: Path) -> None:
    archive, out = tmp_path / "archive", tmp_path / "captures.jsonl"
    with DemoPortal() as portal:
        command = crawl_command([portal.url], str(archive), out, polite=False)
        subprocess.run([*command, "-s", "XXGK_CRAWL_ID=demo"], check=True, timeout=120)
    stored = LocalArchive(archive)
    records = read_warc(stored.get_named("warc/demo.warc.gz"))
    responses = {r["warc"]["WARC-Target-URI"]: r for r in records if r["type"] == "response"}
    captures = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    bodies = {capture["url"]: capture["sha256"] for capture in captures if capture["sha256"]}
    assert len(bodies) > 5
    assert responses.keys() == bodies.keys()
    assert sum(record["type"] == "metadata" for record in records) == len(captures)
    for url, digest in bodies.items():
        assert responses[url]["content"] == stored.get(digest)
        assert responses[url]["warc"]["WARC-Payload-Digest"] == sha256_b32(stored.get(digest))
