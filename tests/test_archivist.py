"""The crawl's archivist process: stores captures, answers in order, writes the WARC file."""

from __future__ import annotations

import asyncio
import json
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from spiders.capturelog import read_captures
from spiders.launch import crawl_command
from tests.s3server import s3_endpoint, s3_env  # noqa: F401
from tests.test_archive import stored_keys
from tests.test_warc import read_crawl
from tests.warcs import read_warc
from xxgk.archive import LocalArchive, open_archive, sha256_hex
from xxgk.archive.archivist.client import Archivist, ArchivistError
from xxgk.archive.archivist.wire import HEADER
from xxgk.archive.base import Stored
from xxgk.demo.portal import DemoPortal

BODIES = [f"第{index}页 政府信息公开工作年度报告".encode() * (index + 1) for index in range(40)]


def capture(index: int) -> dict[str, Any]:
    return {
        "url": f"http://www.gov.example.cn/xxgk/{index}.html",
        "site": "http://www.gov.example.cn/",
        "role": "report_page",
        "status": 200,
        "fetched_at": "2026-03-01T08:00:00.000+08:00",
        "headers": {"Content-Type": "text/html; charset=utf-8"},
        "title": f"报告 {index}",
        "sha256": None,
    }


@pytest.fixture(params=["local", "s3"])
def archive_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "archive")
    request.getfixturevalue("s3_env")
    return f"s3://xxgk-{secrets.token_hex(4)}/raw"


def test_put_many_stores_each_object_once_and_answers_in_order(archive_url: str) -> None:
    archive = open_archive(archive_url)
    archive.put(BODIES[1])
    batch = [BODIES[0], BODIES[1], BODIES[2], BODIES[0]]
    held = [False, True, False, False]  # BODIES[1] only; BODIES[0] is new, twice
    assert archive.put_many(batch) == [
        Stored(sha256_hex(body), was_held) for body, was_held in zip(batch, held, strict=True)
    ]
    assert archive.put_many(batch[:1]) == [Stored(sha256_hex(BODIES[0]), True)]
    stored = [key.rsplit("/", 1)[1] for key in stored_keys(archive)]
    assert sorted(stored) == sorted(sha256_hex(body) for body in BODIES[:3])
    assert [archive.get(sha256_hex(body)) for body in batch] == batch


async def send_all(
    archive_url: str,
    log: Path,
    crawl_id: str | None,
    bodies: list[bytes] = BODIES,
    warc_max_bytes: int | None = None,
) -> tuple[list[str], dict[str, Any]]:
    refusals: list[str] = []
    archivist = await Archivist.start(
        archive_url, str(log), refusals.append, crawl_id=crawl_id, warc_max_bytes=warc_max_bytes
    )
    for index, body in enumerate(bodies):
        await archivist.send(capture(index), body)
    await archivist.send({**capture(99), "status": None, "error": {"kind": "timeout"}}, None)
    return refusals, await archivist.close()


def test_archivist_stores_logs_and_records_every_capture(archive_url: str, tmp_path: Path) -> None:
    log = tmp_path / "captures.jsonl"
    refusals, summary = asyncio.run(send_all(archive_url, log, "crawl-7"))
    assert refusals == []
    assert summary == {
        "logged": len(BODIES) + 1,
        "warcs": ["warc/crawl-7-00000.warc.gz"],
        "flushed": 0,
    }
    logged = read_captures(log)
    assert [c.url for c in logged] == [capture(i)["url"] for i in [*range(len(BODIES)), 99]]
    assert [(c.sha256, c.size) for c in logged[:-1]] == [
        (sha256_hex(body), len(body)) for body in BODIES
    ]
    assert (logged[-1].sha256, logged[-1].error and logged[-1].error.kind) == (None, "timeout")
    archive = open_archive(archive_url)
    assert [archive.get(c.sha256) for c in logged[:-1] if c.sha256] == BODIES
    records = read_crawl(archive, summary["warcs"])
    responses = [record for record in records if record.type == "response"]
    assert [record.content for record in responses] == BODIES
    assert [record.warc["WARC-Target-URI"] for record in responses] == [c.url for c in logged[:-1]]
    metadata = [record for record in records if record.type == "metadata"]
    assert len(metadata) == len(BODIES) + 1
    assert b"error-kind: timeout" in metadata[-1].content


def test_archivist_rolls_over_and_writes_no_body_twice(archive_url: str, tmp_path: Path) -> None:
    open_archive(archive_url).put(BODIES[0])  # archived by an earlier crawl
    bodies = [*BODIES, BODIES[1], BODIES[0]]
    _, summary = asyncio.run(
        send_all(archive_url, tmp_path / "log.jsonl", "rolled", bodies, warc_max_bytes=4000)
    )
    assert len(summary["warcs"]) > 3
    records = read_crawl(open_archive(archive_url), summary["warcs"])
    answers = [record for record in records if record.type in ("response", "revisit")]
    assert [record.type for record in answers] == [
        "revisit", *["response"] * (len(BODIES) - 1), "revisit", "revisit",
    ]  # fmt: skip
    assert [record.content for record in answers[1 : len(BODIES)]] == BODIES[1:]
    assert "WARC-Refers-To-Target-URI" not in answers[0].warc
    assert answers[-2].warc["WARC-Refers-To-Target-URI"] == capture(1)["url"]
    assert "WARC-Refers-To-Target-URI" not in answers[-1].warc


def test_without_a_crawl_id_there_is_no_warc(tmp_path: Path) -> None:
    _, summary = asyncio.run(send_all(str(tmp_path / "archive"), tmp_path / "log.jsonl", None))
    assert summary == {"logged": len(BODIES) + 1, "flushed": 0}
    assert not (tmp_path / "archive" / "warc").exists()


def test_a_refused_write_is_reported_and_not_logged(tmp_path: Path) -> None:
    root, log = tmp_path / "not-a-directory", tmp_path / "captures.jsonl"
    root.write_text("a file where the archive should be")
    refusals, summary = asyncio.run(send_all(str(root), log, None))
    assert refusals and all("failed" in reason for reason in refusals)
    assert summary["logged"] == 0
    assert read_captures(log) == []


def test_a_killed_archivist_is_reported_and_takes_no_more(tmp_path: Path) -> None:
    refusals: list[str] = []

    async def send_after_kill() -> None:
        archivist = await Archivist.start(
            str(tmp_path / "archive"), str(tmp_path / "log.jsonl"), refusals.append
        )
        await archivist.send(capture(0), BODIES[0])
        archivist.process.send_signal(signal.SIGKILL)
        await archivist.process.wait()
        await archivist.reading
        await archivist.send(capture(1), BODIES[1])

    with pytest.raises(ArchivistError, match="gone"):
        asyncio.run(send_after_kill())
    assert len(refusals) == 1 and "exited" in refusals[0]


def test_when_the_crawl_dies_the_archivist_keeps_what_it_had_and_its_warc(
    tmp_path: Path,
) -> None:
    """The crawl killed mid-write: nobody reads the answers, the input ends inside a frame."""
    archive_root, log = tmp_path / "archive", tmp_path / "captures.jsonl"
    command = [sys.executable, "-m", "xxgk.archive.archivist.server", str(archive_root), str(log)]
    command += ["--warc", "killed"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdin and process.stdout
    assert process.stdout.readline().startswith(b"=")
    process.stdout.close()
    for index, body in enumerate(BODIES[:3]):
        fields = json.dumps(capture(index)).encode()
        process.stdin.write(HEADER.pack(len(fields), len(body)) + fields + body)
    process.stdin.write(HEADER.pack(10, 1000) + b"torn")
    process.stdin.close()
    assert process.wait(timeout=30) == 0
    archive = LocalArchive(archive_root)
    assert [archive.get(str(c.sha256)) for c in read_captures(log)] == BODIES[:3]
    records = read_warc(archive.get_named("warc/killed-00000.warc.gz"))
    assert sum(record.type == "response" for record in records) == 3


def test_a_crawl_whose_archive_refuses_writes_stops_and_logs_no_capture(tmp_path: Path) -> None:
    root = tmp_path / "not-a-directory"
    root.write_text("a file where the archive should be")
    out = tmp_path / "captures.jsonl"
    with DemoPortal() as portal:
        command = crawl_command([portal.url], str(root), out, polite=False)
        finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 1
    assert "archive_failed" in finished.stderr
    assert read_captures(out) == []
