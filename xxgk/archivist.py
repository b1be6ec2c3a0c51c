"""A crawl's archivist: a process of its own that stores every capture's bytes in the archive,
then writes the capture to the crawl's capture log, and records it in the crawl's WARC file.

A line in the capture log means the capture's bytes are durable: the log is the archivist's
ledger, written by nobody else. Storing is system calls (file writes, file-system syncs,
uploads) and compression. In the crawling process they would take the reactor thread's time,
and a worker thread would wait for the GIL after each system call; in a process of their own
they run beside the crawl, on another core, while the crawl only writes each capture down a
pipe and goes on.

The crawl (`Archivist`) talks to the archivist (`python -m xxgk.archivist`) over its standard
input and output:

- the archivist opens the archive and the capture log, then writes `=` and a JSON object (the
  archive's URL);
- the crawl writes one frame per capture: `HEADER` (the length of the capture's fields as JSON,
  the length of its body or -1 when there is none), the JSON, the body;
- the archivist stores what has arrived together (`Archive.put_many`: one group of syncs for
  many objects), then appends those captures, with their `sha256` and `size`, to the capture
  log, then adds their WARC records. If the archive refuses them, it logs none of them and
  writes `!` and the reason;
- at the end of its input (the crawl closed it, or died) it stores the WARC file, uploads what
  the archive spooled while its store was down, and writes `=` and a JSON summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import select
import signal
import struct
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from xxgk.archive import Archive, open_archive
from xxgk.warc import CrawlWarc

logger = logging.getLogger(__name__)

HEADER = struct.Struct("!Iq")
READ_SIZE = 1 << 20
BATCH_WAIT = 0.05
BATCH_FRAMES = 500
BATCH_BYTES = 32 << 20
WRITE_BUFFER = 8 << 20

Frame = tuple[dict[str, Any], bytes | None]


class ArchivistError(RuntimeError):
    """The archivist did not store a capture, or is gone."""


def frames(buffer: bytearray) -> Iterator[Frame]:
    """The whole frames at the start of `buffer`, removed from it."""
    offset = 0
    while len(buffer) - offset >= HEADER.size:
        fields_size, body_size = HEADER.unpack_from(buffer, offset)
        start = offset + HEADER.size
        end = start + fields_size + max(body_size, 0)
        if len(buffer) < end:
            break
        body = bytes(buffer[start + fields_size : end]) if body_size >= 0 else None
        yield json.loads(buffer[start : start + fields_size]), body
        offset = end
    del buffer[:offset]


def batches(fd: int) -> Iterator[list[Frame]]:
    """The frames read from `fd`, in batches: a batch waits up to BATCH_WAIT seconds for more
    frames, up to BATCH_FRAMES of them or BATCH_BYTES, so that one group of syncs serves many
    (nobody waits for a batch: the crawl goes on meanwhile)."""
    buffer, batch, size = bytearray(), [], 0
    while True:
        if not batch or select.select([fd], [], [], BATCH_WAIT)[0]:
            if not (chunk := os.read(fd, READ_SIZE)):
                break
            buffer += chunk
            size += len(chunk)
            batch += frames(buffer)
            if len(batch) < BATCH_FRAMES and size < BATCH_BYTES:
                continue
        if batch:
            yield batch
            batch, size = [], len(buffer)
    if batch:
        yield batch
    if buffer:
        logger.warning("the crawl's last capture arrived torn (%d bytes): not stored", len(buffer))


def store(archive: Archive, batch: Sequence[Frame]) -> str | None:
    """Store a batch's bodies and set each capture's `sha256` and `size`; the reason if the
    archive refused them."""
    try:
        digests = iter(archive.put_many([body for _, body in batch if body is not None]))
    except Exception as exc:
        logger.error("archive %s failed to store %d captures: %r", archive.url, len(batch), exc)
        return " ".join(f"archive {archive.url} failed: {exc!r}".split())
    for fields, body in batch:
        if body is not None:
            fields["sha256"], fields["size"] = next(digests), len(body)
    return None


class Answers:
    """The archivist's answers to the crawl; if the crawl is gone, the archivist still stores
    and logs what it sent, and its WARC file, without answering."""

    def __init__(self, out: IO[str]) -> None:
        self.out: IO[str] | None = out

    def say(self, kind: str, answer: str) -> None:
        if self.out is None:
            return
        try:
            self.out.write(f"{kind}{answer}\n")
            self.out.flush()
        except BrokenPipeError:
            logger.warning("the crawl is gone: storing what it sent without answering")
            self.out = None


def serve(
    archive: Archive, log: IO[bytes], warc: CrawlWarc | None, source: int, out: IO[str]
) -> None:
    answers = Answers(out)
    answers.say("=", json.dumps({"archive": archive.url}))
    logged = batch_count = 0
    for batch in batches(source):
        batch_count += 1
        if refused := store(archive, batch):
            answers.say("!", refused)
            continue
        # one write per batch: a crawl killed meanwhile leaves at most a torn last line
        log.write(
            b"".join(json.dumps(fields, ensure_ascii=False).encode() + b"\n" for fields, _ in batch)
        )
        logged += len(batch)
        for fields, body in batch if warc is not None else ():
            try:
                warc.add(fields, body)
            except Exception as exc:  # the WARC is a copy: never lose the capture over it
                logger.error("WARC %s could not record %s: %r", warc.key, fields.get("url"), exc)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    logger.info(
        "stored and logged %d captures in %d batches (CPU %.1f s user, %.1f s system)",
        logged, batch_count, usage.ru_utime, usage.ru_stime,
    )  # fmt: skip
    summary: dict[str, Any] = {"logged": logged}
    if warc is not None:
        summary["warc"] = warc.close()
        logger.info("stored the crawl's WARC file as %s in %s", summary["warc"], archive.url)
    try:
        summary["flushed"] = archive.flush_spool()
    except Exception as exc:
        logger.warning("archive %s still down, objects stay spooled: %r", archive.url, exc)
    answers.say("=", json.dumps(summary))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m xxgk.archivist", description=__doc__)
    parser.add_argument("archive_url")
    parser.add_argument("captures_out", help="the capture log (JSON lines)")
    parser.add_argument("--append", action="store_true", help="go on with the capture log")
    parser.add_argument("--warc", metavar="CRAWL_ID", help="write warc/CRAWL_ID.warc.gz")
    parser.add_argument("--software", default="xxgk", help="the WARC's software field")
    args = parser.parse_args(argv)
    # Ctrl-C reaches the whole process group: the crawl stops gracefully and then closes our
    # input; stopping here first would lose what it still has to store
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s"
    )
    archive = open_archive(args.archive_url)
    warc = CrawlWarc(archive, args.warc, args.software) if args.warc else None
    log = Path(args.captures_out)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab" if args.append else "wb", buffering=0) as unbuffered:
        serve(archive, unbuffered, warc, sys.stdin.fileno(), sys.stdout)


class Archivist:
    """The crawl's side: starts the archivist process and sends it captures (on the running
    asyncio loop: Scrapy's reactor). `refused` is called with the reason if the archive refuses
    a write or the archivist dies."""

    def __init__(self, process: asyncio.subprocess.Process, refused: Callable[[str], None]) -> None:
        self.process = process
        self.refused = refused
        self.summary: dict[str, Any] | None = None  # the archivist's last word
        self.reading = asyncio.create_task(self.read_answers())

    @classmethod
    async def start(
        cls,
        archive_url: str,
        captures_out: str,
        refused: Callable[[str], None],
        append: bool = False,
        crawl_id: str | None = None,
        software: str = "xxgk",
    ) -> Archivist:
        command = [sys.executable, "-m", "xxgk.archivist", archive_url, captures_out]
        command += ["--software", software, *(["--append"] if append else [])]
        command += ["--warc", crawl_id] if crawl_id else []
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        assert process.stdout is not None and process.stdin is not None
        ready = await process.stdout.readline()
        if not ready.startswith(b"="):
            status = await process.wait()
            raise ArchivistError(
                f"the archivist could not open archive {archive_url} or capture log "
                f"{captures_out} (exit status {status}); see its error above"
            )
        # the crawl waits (`drain`) only while this much is on its way
        process.stdin.transport.set_write_buffer_limits(high=WRITE_BUFFER)
        return cls(process, refused)

    async def send(self, fields: Mapping[str, Any], body: bytes | None) -> None:
        """Hand a capture over; returns at once unless the archivist is behind."""
        if self.reading.done():
            raise ArchivistError("the archivist is gone")
        stdin = self.process.stdin
        assert stdin is not None
        encoded = json.dumps(fields, ensure_ascii=False).encode()
        stdin.write(HEADER.pack(len(encoded), -1 if body is None else len(body)) + encoded)
        if body:
            stdin.write(body)
        await stdin.drain()

    async def read_answers(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            kind, answer = line[:1], line[1:-1].decode()
            if kind == b"=":
                self.summary = json.loads(answer)
            else:
                self.refused(answer)
        status = await self.process.wait()
        if self.summary is None:
            self.refused(f"the archivist exited (status {status}) before it was done")

    async def close(self) -> dict[str, Any]:
        """Wait until the archivist has stored and logged everything sent and stored the WARC
        file; its summary (`logged`: captures, `warc`: the WARC file's key, `flushed`: objects
        uploaded from the spool)."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        await self.reading
        return self.summary or {}


if __name__ == "__main__":
    main()
