"""The crawl's side of its archivist: start the process, send it captures, hear its answers."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Mapping
from typing import Any

from xxgk.archive.archivist.wire import READY, encode

WRITE_BUFFER = 8 << 20


class ArchivistError(RuntimeError):
    """The archivist did not store a capture, or is gone."""


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
        warc_max_bytes: int | None = None,
    ) -> Archivist:
        command = [sys.executable, "-m", "xxgk.archive.archivist.server", archive_url, captures_out]
        command += ["--software", software, *(["--append"] if append else [])]
        command += ["--warc", crawl_id] if crawl_id else []
        command += ["--warc-max-bytes", str(warc_max_bytes)] if warc_max_bytes else []
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        assert process.stdout is not None and process.stdin is not None
        ready = await process.stdout.readline()
        if not ready.startswith(READY):
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
        stdin.write(encode(fields, body))
        if body:
            stdin.write(body)
        await stdin.drain()

    async def read_answers(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            kind, answer = line[:1], line[1:-1].decode()
            if kind == READY:
                self.summary = json.loads(answer)
            else:
                self.refused(answer)
        status = await self.process.wait()
        if self.summary is None:
            self.refused(f"the archivist exited (status {status}) before it was done")

    async def close(self) -> dict[str, Any]:
        """Wait until the archivist has stored and logged everything sent and stored the WARC
        files; its summary (`logged`: captures, `warcs`: the WARC files' keys, each with its
        index beside it, `flushed`: objects uploaded from the spool)."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        await self.reading
        return self.summary or {}
