"""The archivist process: `python -m xxgk.archive.archivist.server ARCHIVE CAPTURE_LOG`; see
`xxgk.archive.archivist.wire` for what it reads and answers."""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import select
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from xxgk.archive import Archive, open_archive
from xxgk.archive.archivist.wire import READY, REFUSED, Frame, frames
from xxgk.archive.warc import DEFAULT_MAX_BYTES, CrawlWarc
from xxgk.logs import inherited_level, log_at
from xxgk.records import Capture

logger = logging.getLogger(__name__)

READ_SIZE = 1 << 20
BATCH_WAIT = 0.05
BATCH_FRAMES = 500
BATCH_BYTES = 32 << 20


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


class Refused(Exception):
    """The archive refused a batch: the reason."""


def store(archive: Archive, batch: Sequence[Frame]) -> list[bool]:
    """Store a batch's bodies and set each capture's `sha256` and `size`; for each capture
    whether the archive held its bytes before (False if it has none)."""
    try:
        stored = iter(archive.put_many([body for _, body in batch if body is not None]))
    except Exception as exc:
        logger.error("archive %s failed to store %d captures: %r", archive.url, len(batch), exc)
        raise Refused(" ".join(f"archive {archive.url} failed: {exc!r}".split())) from exc
    held = []
    for fields, body in batch:
        if body is None:
            held.append(False)
            continue
        digest, was_held = next(stored)
        fields["sha256"], fields["size"] = digest, len(body)
        held.append(was_held)
    return held


class Answers:
    """The archivist's answers to the crawl; if the crawl is gone, the archivist still stores
    and logs what it sent, and its WARC file, without answering."""

    def __init__(self, out: IO[str]) -> None:
        self.out: IO[str] | None = out

    def say(self, kind: bytes, answer: str) -> None:
        if self.out is None:
            return
        try:
            self.out.write(f"{kind.decode()}{answer}\n")
            self.out.flush()
        except BrokenPipeError:
            logger.warning("the crawl is gone: storing what it sent without answering")
            self.out = None


def serve(
    archive: Archive, log: IO[bytes], warc: CrawlWarc | None, source: int, out: IO[str]
) -> None:
    answers = Answers(out)
    answers.say(READY, json.dumps({"archive": archive.url}))
    logged = batch_count = 0
    for batch in batches(source):
        batch_count += 1
        try:
            held = store(archive, batch)
        except Refused as refused:
            answers.say(REFUSED, str(refused))
            continue
        # one write per batch: a crawl killed meanwhile leaves at most a torn last line
        log.write(
            b"".join(json.dumps(fields, ensure_ascii=False).encode() + b"\n" for fields, _ in batch)
        )
        logged += len(batch)
        for (fields, body), was_held in zip(batch, held, strict=True) if warc else ():
            try:
                warc.add(Capture.from_log(fields), body, was_held)
            except Exception as exc:  # the WARC is a copy: never lose the capture over it
                logger.error(
                    "WARC of %s could not record %s: %r", warc.crawl_id, fields.get("url"), exc
                )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    logger.debug(
        "stored and logged %d captures in %d batches (CPU %.1f s user, %.1f s system)",
        logged, batch_count, usage.ru_utime, usage.ru_stime,
    )  # fmt: skip
    summary: dict[str, Any] = {"logged": logged}
    if warc is not None:
        summary["warcs"] = warc.close()
        logger.debug("stored the crawl's WARC files %s in %s", summary["warcs"], archive.url)
    try:
        summary["flushed"] = archive.flush_spool()
    except Exception as exc:
        logger.warning("archive %s still down, objects stay spooled: %r", archive.url, exc)
    answers.say(READY, json.dumps(summary))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m xxgk.archive.archivist.server", description=__doc__
    )
    parser.add_argument("archive_url")
    parser.add_argument("captures_out", help="the capture log (JSON lines)")
    parser.add_argument("--append", action="store_true", help="go on with the capture log")
    parser.add_argument(
        "--warc", metavar="CRAWL_ID", help="write warc/CRAWL_ID-00000.warc.gz, -00001, …"
    )
    parser.add_argument(
        "--warc-max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="BYTES",
        help="roll over to the next WARC file once one holds this much (default %(default)s)",
    )  # fmt: skip
    parser.add_argument("--software", default="xxgk", help="the WARC's software field")
    args = parser.parse_args(argv)
    # Ctrl-C reaches the whole process group: the crawl stops gracefully and then closes our
    # input; stopping here first would lose what it still has to store
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    log_at(inherited_level())
    archive = open_archive(args.archive_url)
    warc = CrawlWarc(archive, args.warc, args.software, args.warc_max_bytes) if args.warc else None
    log = Path(args.captures_out)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab" if args.append else "wb", buffering=0) as unbuffered:
        serve(archive, unbuffered, warc, sys.stdin.fileno(), sys.stdout)


if __name__ == "__main__":
    main()
