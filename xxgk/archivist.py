"""A crawl's archivist: a process of its own that stores every capture's bytes in the archive and
records every capture in the crawl's WARC file, acknowledging each capture once its bytes are
durable.

Storing is system calls (file writes, file-system syncs, uploads) and compression. In the
crawling process they would take the reactor thread's time, and a worker thread would wait for
the GIL after each system call; in a process of their own they run beside the crawl, on another
core, while the crawl only writes each capture down a pipe.

The crawl (`Archivist`) talks to the archivist (`python -m xxgk.archivist`) over its standard
input and output:

- the archivist opens the archive, then writes `=` and a JSON object (the archive's URL);
- the crawl writes one frame per capture: `HEADER` (the length of the capture's fields as JSON,
  the length of its body or -1 when there is none), the JSON, the body;
- the archivist stores what has arrived together (`Archive.put_many`: one group of syncs for
  many objects), then answers each frame in order with a line: `+<sha256>` (stored), `+` (no
  body) or `!<message>` (not stored); then it adds the frames' WARC records;
- at the end of its input (the crawl closed it, or died) it stores the WARC file, uploads what
  the archive spooled while its store was down, and writes `=` and a JSON summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import struct
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from xxgk.archive import Archive, open_archive
from xxgk.warc import CrawlWarc

logger = logging.getLogger(__name__)

HEADER = struct.Struct("!Iq")
READ_SIZE = 1 << 20

Frame = tuple[dict[str, Any], bytes | None]


class ArchivistError(RuntimeError):
    """The archivist did not store a capture, or is gone."""


def batches(fd: int) -> Iterator[list[Frame]]:
    """The frames read from `fd`, in batches of those that arrived together."""
    buffer = bytearray()
    while chunk := os.read(fd, READ_SIZE):
        buffer += chunk
        batch, offset = [], 0
        while len(buffer) - offset >= HEADER.size:
            fields_size, body_size = HEADER.unpack_from(buffer, offset)
            start = offset + HEADER.size
            end = start + fields_size + max(body_size, 0)
            if len(buffer) < end:
                break
            body = bytes(buffer[start + fields_size : end]) if body_size >= 0 else None
            batch.append((json.loads(buffer[start : start + fields_size]), body))
            offset = end
        del buffer[:offset]
        if batch:
            yield batch
    if buffer:
        logger.warning("the crawl's last capture arrived torn (%d bytes): not stored", len(buffer))


def store(archive: Archive, batch: Sequence[Frame]) -> list[str]:
    """The acknowledgement lines of a batch, once its bodies are stored (their sha256 is then
    each capture's `sha256`)."""
    try:
        digests = iter(archive.put_many([body for _, body in batch if body is not None]))
    except Exception as exc:
        logger.error("archive %s failed to store %d captures: %r", archive.url, len(batch), exc)
        message = " ".join(f"archive {archive.url} failed: {exc!r}".split())
        return [f"!{message}\n"] * len(batch)
    for fields, body in batch:
        fields["sha256"] = next(digests) if body is not None else None
    return [f"+{fields['sha256'] or ''}\n" for fields, _ in batch]


class Answers:
    """The archivist's answers to the crawl; if the crawl is gone, the archivist still stores
    what it sent, and its WARC file, without answering."""

    def __init__(self, out: IO[str]) -> None:
        self.out: IO[str] | None = out

    def say(self, lines: Iterable[str]) -> None:
        if self.out is None:
            return
        try:
            self.out.writelines(lines)
            self.out.flush()
        except BrokenPipeError:
            logger.warning("the crawl is gone: storing what it sent without answering")
            self.out = None


def serve(archive: Archive, warc: CrawlWarc | None, source: int, out: IO[str]) -> None:
    answers = Answers(out)
    answers.say(["=" + json.dumps({"archive": archive.url}) + "\n"])
    for batch in batches(source):
        answers.say(store(archive, batch))
        for fields, body in batch if warc is not None else ():
            try:
                warc.add(fields, body)
            except Exception as exc:  # the WARC is a copy: never lose the capture over it
                logger.error("WARC %s could not record %s: %r", warc.key, fields.get("url"), exc)
    summary: dict[str, Any] = {}
    if warc is not None:
        summary["warc"] = warc.close()
        logger.info("stored the crawl's WARC file as %s in %s", summary["warc"], archive.url)
    try:
        summary["flushed"] = archive.flush_spool()
    except Exception as exc:
        logger.warning("archive %s still down, objects stay spooled: %r", archive.url, exc)
    answers.say(["=" + json.dumps(summary) + "\n"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m xxgk.archivist", description=__doc__)
    parser.add_argument("archive_url")
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
    serve(archive, warc, sys.stdin.fileno(), sys.stdout)


class Archivist:
    """The crawl's side: starts the archivist process, sends it captures and awaits their
    acknowledgements (on the running asyncio loop: Scrapy's reactor)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pending: deque[asyncio.Future[str | None]] = deque()
        self.summary: dict[str, Any] = {}
        self.reading: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls, archive_url: str, crawl_id: str | None = None, software: str = "xxgk"
    ) -> Archivist:
        command = [sys.executable, "-m", "xxgk.archivist", archive_url, "--software", software]
        if crawl_id:
            command += ["--warc", crawl_id]
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        assert process.stdout is not None
        ready = await process.stdout.readline()
        if not ready.startswith(b"="):
            status = await process.wait()
            raise ArchivistError(
                f"the archivist could not open archive {archive_url} (exit status {status}); "
                "see its error above"
            )
        archivist = cls(process)
        archivist.reading = asyncio.create_task(archivist.read_answers())
        return archivist

    async def store(self, fields: Mapping[str, Any], body: bytes | None) -> str | None:
        """Store a capture: its body's sha256 once durable (None for no body)."""
        if self.reading is None or self.reading.done():
            raise ArchivistError("the archivist is gone")
        assert self.process.stdin is not None
        encoded = json.dumps(fields, ensure_ascii=False).encode()
        future = asyncio.get_running_loop().create_future()
        self.pending.append(future)
        self.process.stdin.write(HEADER.pack(len(encoded), -1 if body is None else len(body)))
        self.process.stdin.write(encoded)
        if body:
            self.process.stdin.write(body)
        return await future

    async def read_answers(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            kind, answer = line[:1], line[1:-1].decode()
            if kind == b"=":
                self.summary = json.loads(answer)
                continue
            future = self.pending.popleft()
            if future.done():  # its item was cancelled meanwhile
                continue
            if kind == b"+":
                future.set_result(answer or None)
            else:
                future.set_exception(ArchivistError(answer))
        status = await self.process.wait()
        gone = ArchivistError(f"the archivist exited (status {status})")
        for future in self.pending:
            if not future.done():
                future.set_exception(gone)
        self.pending.clear()

    async def close(self) -> dict[str, Any]:
        """Wait for every capture sent to be answered, and for the WARC file to be stored;
        the archivist's summary (`warc`: the WARC file's key, `flushed`: objects uploaded
        from the spool)."""
        assert self.process.stdin is not None and self.reading is not None
        self.process.stdin.close()
        await self.reading
        return self.summary


if __name__ == "__main__":
    main()
