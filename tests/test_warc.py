"""The crawl's WARC files and their CDXJ indexes: written through the archive, read back with
warcio (`tests.warcs`)."""

from __future__ import annotations

import gzip
import os
import secrets
import stat
import subprocess
from pathlib import Path

import pytest

from spiders.capturelog import read_captures
from spiders.launch import crawl_command, run_crawl
from tests.s3server import s3_endpoint, s3_env  # noqa: F401
from tests.warcs import Record, check_index, sha256_b32
from xxgk.archive import Archive, LocalArchive, cdxj, sha256_hex
from xxgk.archive.s3 import S3Archive
from xxgk.archive.warc import (
    IDENTICAL_PAYLOAD_DIGEST,
    SERVER_NOT_MODIFIED,
    CrawlWarc,
    warc_date,
)
from xxgk.demo.portal import DemoPortal
from xxgk.records import Capture, Error

SITE = "http://www.gov.example.cn/"
PAGE = "<html><title>报告</title></html>".encode()
PDF = b"%PDF-1.4 \x00\xff binary"
CAPTURES: list[tuple[Capture, bytes | None]] = [
    (
        Capture(url=f"{SITE}xxgk/1.html?id=2", site=SITE, role="report_page", status=200,
                fetched_at="2024-05-01T08:00:00.250000+08:00", referer=SITE,
                headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip",
                         "Content-Length": "17"}, title="报告\n一"),
        PAGE,
    ),
    (
        Capture(url=f"{SITE}files/1.pdf", site=SITE, role="attachment", status=200,
                fetched_at="2024-05-01T00:00:01Z", headers={"Content-Type": "application/pdf"},
                file_name="1.pdf"),
        PDF,
    ),
    (
        Capture(url=f"{SITE}gone", site=SITE, role="other", status=404,
                fetched_at="2024-05-01T00:00:02Z", headers={"Server": "nginx"},
                error=Error("http_404", "Not Found")),
        b"",
    ),
    (
        Capture(url=f"{SITE}slow", site=SITE, role="other", fetched_at="2024-05-01T00:00:03Z",
                error=Error("timeout", "late")),
        None,
    ),
]  # fmt: skip


def page(index: int, **fields: object) -> Capture:
    defaults = {
        "status": 200,
        "fetched_at": f"2024-05-01T00:{index // 60:02d}:{index % 60:02d}Z",
        "headers": {"Content-Type": "text/html; charset=utf-8"},
    }
    return Capture(f"{SITE}xxgk/{index}.html", SITE, "report_page", **(defaults | fields))  # type: ignore[arg-type]


def read_crawl(archive: Archive, keys: list[str]) -> list[Record]:
    """The records of a crawl's WARC files, each checked against its CDXJ index and beginning
    with its own warcinfo record."""
    records = []
    for key in keys:
        name = key.rsplit("/", 1)[1]
        index = archive.get_named(key.removesuffix(".warc.gz") + ".cdxj").decode()
        stored = check_index(archive.get_named(key), index, name)
        assert stored[0].type == "warcinfo" and stored[0].warc["WARC-Filename"] == name
        records += stored
    return records


def metadata_fields(record: Record) -> dict[str, str]:
    assert record.type == "metadata"
    return dict(line.split(": ", 1) for line in record.content.decode().splitlines())


def test_warc_round_trips_bytes_headers_dates_and_digests(tmp_path: Path) -> None:
    archive = LocalArchive(tmp_path / "archive")
    warc = CrawlWarc(archive, "crawl-1")
    for capture, body in CAPTURES:
        warc.add(capture, body)
    assert warc.close() == ["warc/crawl-1-00000.warc.gz"]
    data = archive.get_named("warc/crawl-1-00000.warc.gz")
    assert gzip.decompress(data).startswith(b"WARC/1.1\r\n")
    records = read_crawl(archive, ["warc/crawl-1-00000.warc.gz"])
    assert [record.type for record in records] == [
        "warcinfo", *["response", "request", "metadata"] * 3, "metadata",
    ]  # fmt: skip
    assert b"isPartOf: crawl-1\r\n" in records[0].content
    responses = [record for record in records if record.type == "response"]
    for record, (capture, body) in zip(responses, CAPTURES, strict=False):
        assert record.warc["WARC-Target-URI"] == capture.url
        assert record.warc["WARC-Payload-Digest"] == sha256_b32(body or b"")
        assert record.content == body
    page = responses[0]
    assert page.warc["WARC-Date"] == "2024-05-01T00:00:00.250000Z"
    assert page.status_line == "HTTP/1.1 200 OK"
    assert page.http == {
        "Content-Type": "text/html; charset=utf-8",
        "X-Crawler-Content-Encoding": "gzip",
        "X-Crawler-Content-Length": "17",
        "Content-Length": str(len(PAGE)),
    }
    assert responses[2].status_line == "HTTP/1.1 404 Not Found"
    request, metadata = records[2], records[3]
    assert request.warc["WARC-Concurrent-To"] == page.warc["WARC-Record-ID"]
    assert metadata.warc["WARC-Concurrent-To"] == page.warc["WARC-Record-ID"]
    assert request.status_line == "GET /xxgk/1.html?id=2 HTTP/1.1"
    assert request.content == b""
    assert request.http == {"Host": "www.gov.example.cn", "Referer": SITE}
    digest = sha256_hex(PAGE)
    assert metadata_fields(metadata) == {
        "role": "report_page",
        "site": SITE,
        "title": "报告 一",
        "referer": SITE,
        "sha256": digest,
        "archive-key": f"sha256/{digest[:2]}/{digest[2:4]}/{digest}",
    }
    failed = metadata_fields(records[-1])
    assert records[-1].warc["WARC-Target-URI"] == f"{SITE}slow"
    assert failed == {"site": SITE, "role": "other", "error-kind": "timeout",
                      "error-message": "late"}  # fmt: skip
    for path in (archive.root / "warc").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_bytes_archived_already_are_recorded_as_revisits_without_their_payload(
    tmp_path: Path,
) -> None:
    archive = LocalArchive(tmp_path / "archive")
    warc = CrawlWarc(archive, "recrawl")
    fresh, known, earlier = b"fresh " * 100, b"archived before " * 100, b"unchanged " * 100
    warc.add(page(1, sha256=sha256_hex(fresh)), fresh)
    warc.add(page(2, sha256=sha256_hex(fresh)), fresh)  # the same bytes again in this crawl
    warc.add(page(3, sha256=sha256_hex(known)), known, held=True)  # stored by an earlier crawl
    not_modified = page(
        4, status=304, headers={"ETag": '"e4"', "Content-Length": "1000"},
        sha256=sha256_hex(earlier), size=len(earlier), revisits="2024-04-01T09:30:00+08:00",
    )  # fmt: skip
    warc.add(not_modified, None)
    keys = warc.close()
    records = read_crawl(archive, keys)
    assert [record.type for record in records] == [
        "warcinfo", "response", "request", "metadata", *["revisit", "request", "metadata"] * 3,
    ]  # fmt: skip
    response, same, held, unchanged = (r for r in records if r.type in ("response", "revisit"))
    assert response.content == fresh
    for revisit in (same, held, unchanged):
        assert revisit.content == b""  # the block is the HTTP headers alone (tests.warcs)
    assert same.warc["WARC-Profile"] == IDENTICAL_PAYLOAD_DIGEST
    assert same.warc["WARC-Payload-Digest"] == response.warc["WARC-Payload-Digest"]
    assert same.warc["WARC-Refers-To-Target-URI"] == response.warc["WARC-Target-URI"]
    assert same.warc["WARC-Refers-To-Date"] == response.warc["WARC-Date"]
    assert same.http == response.http and same.status_line == "HTTP/1.1 200 OK"
    assert held.warc["WARC-Profile"] == IDENTICAL_PAYLOAD_DIGEST
    assert held.warc["WARC-Payload-Digest"] == sha256_b32(known)
    assert "WARC-Refers-To-Target-URI" not in held.warc
    assert "WARC-Refers-To-Date" not in held.warc
    assert unchanged.warc["WARC-Profile"] == SERVER_NOT_MODIFIED
    assert unchanged.status_line == "HTTP/1.1 304 Not Modified"
    assert unchanged.http == {"ETag": '"e4"', "X-Crawler-Content-Length": "1000"}
    assert unchanged.warc["WARC-Payload-Digest"] == sha256_b32(earlier)
    assert unchanged.warc["WARC-Refers-To-Target-URI"] == not_modified.url
    assert unchanged.warc["WARC-Refers-To-Date"] == "2024-04-01T01:30:00Z"
    for revisit in (same, held, unchanged):
        concurrent = [r for r in records if r.warc.get("WARC-Concurrent-To") == revisit.warc[
            "WARC-Record-ID"]]  # fmt: skip
        assert [r.type for r in concurrent] == ["request", "metadata"]
    assert metadata_fields(records[-1])["sha256"] == sha256_hex(earlier)
    written = gzip.decompress(archive.get_named(keys[0]))
    assert written.count(fresh) == 1
    assert known not in written and earlier not in written


def test_files_roll_over_at_the_size_given_each_indexed_and_readable(tmp_path: Path) -> None:
    archive = LocalArchive(tmp_path / "archive")
    warc = CrawlWarc(archive, "rolled", max_bytes=20_000)
    bodies = [os.urandom(3000) + f"第{index}页".encode() * 200 for index in range(30)]
    for index, body in enumerate(bodies):
        warc.add(page(index, sha256=sha256_hex(body)), body)
    keys = warc.close()
    assert len(keys) >= 4
    assert keys == [f"warc/rolled-{number:05d}.warc.gz" for number in range(len(keys))]
    sizes = [len(archive.get_named(key)) for key in keys]
    assert all(size >= 20_000 for size in sizes[:-1])
    assert all(size < 20_000 + 2 * 3000 + 4000 for size in sizes)  # one capture past the size
    records = read_crawl(archive, keys)
    assert [r.content for r in records if r.type == "response"] == bodies
    assert sum(r.type == "warcinfo" for r in records) == len(keys)
    assert sorted(path.name for path in (archive.root / "warc").iterdir()) == sorted(
        name for key in keys for name in (key[5:], key[5:].replace(".warc.gz", ".cdxj"))
    )


def test_warc_files_go_to_s3_in_parts_and_read_back(s3_env: str) -> None:  # noqa: F811
    threshold = 5 << 20  # the least part size S3 takes
    archive = S3Archive(
        f"xxgk-{secrets.token_hex(4)}", "raw", s3_env, multipart_threshold=threshold
    )
    warc = CrawlWarc(archive, "s3-crawl")
    bodies = [os.urandom(2 << 20) for _ in range(6)]  # 12 MiB that do not compress
    for index, body in enumerate(bodies):
        warc.add(page(index, sha256=sha256_hex(body)), body)
    keys = warc.close()
    head = archive.client.head_object(Bucket=archive.bucket, Key=f"raw/{keys[0]}")
    assert head["ETag"].endswith('-3"')  # uploaded in three parts
    data = archive.get_named(keys[0])
    assert head["Metadata"]["sha256"] == sha256_hex(data)
    records = read_crawl(archive, keys)
    assert [r.content for r in records if r.type == "response"] == bodies


def test_crawl_writes_every_archived_body_to_its_warc(tmp_path: Path) -> None:
    archive, out = tmp_path / "archive", tmp_path / "captures.jsonl"
    with DemoPortal() as portal:
        command = crawl_command([portal.url], str(archive), out, polite=False)
        subprocess.run([*command, "-s", "XXGK_CRAWL_ID=demo"], check=True, timeout=120)
    stored = LocalArchive(archive)
    records = read_crawl(stored, ["warc/demo-00000.warc.gz"])
    responses = {r.warc["WARC-Target-URI"]: r for r in records if r.type == "response"}
    captures = read_captures(out)
    bodies = {capture.url: capture.sha256 for capture in captures if capture.sha256}
    assert len(bodies) > 5
    assert responses.keys() | revisited(records) == bodies.keys()
    assert sum(record.type == "metadata" for record in records) == len(captures)
    for url, digest in bodies.items():
        if url in responses:
            assert responses[url].content == stored.get(digest)
            assert responses[url].warc["WARC-Payload-Digest"] == sha256_b32(stored.get(digest))


def revisited(records: list[Record]) -> set[str]:
    return {r.warc["WARC-Target-URI"] for r in records if r.type == "revisit"}


def crawl_warcs(archive: Path) -> set[str]:
    return {f"warc/{path.name}" for path in (archive / "warc").glob("*.warc.gz")}


def test_a_recrawl_records_unchanged_pages_as_revisits_without_their_bodies(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "archive"
    with DemoPortal() as portal:
        run_crawl([portal.url], str(archive), tmp_path / "first.jsonl", polite=False, timeout=120)
        first_keys = crawl_warcs(archive)
        run_crawl(
            [portal.url], str(archive), tmp_path / "second.jsonl", polite=False, timeout=120,
            previous_captures=tmp_path / "first.jsonl",
        )  # fmt: skip
    second_keys = sorted(crawl_warcs(archive) - first_keys)
    assert len(first_keys) == len(second_keys) == 1
    stored = LocalArchive(archive)
    first = {c.url: c for c in read_captures(tmp_path / "first.jsonl")}
    second = read_captures(tmp_path / "second.jsonl")
    records = read_crawl(stored, second_keys)
    answers = {r.warc["WARC-Target-URI"]: r for r in records if r.type in ("response", "revisit")}
    earlier = {c.sha256 for c in first.values() if c.sha256}
    not_modified = [c for c in second if c.status == 304]
    assert len(not_modified) > 5
    for capture in not_modified:
        revisit = answers[capture.url]
        assert revisit.warc["WARC-Profile"] == SERVER_NOT_MODIFIED
        assert revisit.warc["WARC-Refers-To-Target-URI"] == capture.url
        assert revisit.warc["WARC-Refers-To-Date"] == warc_date(first[capture.url].fetched_at)
        assert revisit.warc["WARC-Payload-Digest"] == sha256_b32(stored.get(capture.sha256))
    fetched_again = [c for c in second if c.status != 304 and c.sha256 in earlier]
    assert fetched_again  # the demo's 404 page: no ETag, so fetched whole, the same bytes
    for capture in fetched_again:
        revisit = answers[capture.url]
        assert revisit.warc["WARC-Profile"] == IDENTICAL_PAYLOAD_DIGEST
        assert revisit.warc["WARC-Payload-Digest"] == sha256_b32(stored.get(capture.sha256))
        assert "WARC-Refers-To-Target-URI" not in revisit.warc  # archived by the first crawl
    assert all(r.warc["WARC-Payload-Digest"] not in {sha256_b32(stored.get(d)) for d in earlier}
               for r in answers.values() if r.type == "response")  # fmt: skip
    written = gzip.decompress(stored.get_named(second_keys[0]))
    for digest in earlier:
        body = stored.get(digest)
        assert not body or body not in written


def test_an_index_larger_than_its_sorting_runs_is_merged_whole_and_sorted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cdxj, "RUN_CHARS", 1000)  # a run of about three lines
    archive = LocalArchive(tmp_path / "archive")
    warc = CrawlWarc(archive, "many")
    for index in reversed(range(50)):  # so that sorting has work
        body = f"第{index}页".encode()
        warc.add(page(index, sha256=sha256_hex(body)), body)
    records = read_crawl(archive, warc.close())
    assert len(records) == 1 + 3 * 50
