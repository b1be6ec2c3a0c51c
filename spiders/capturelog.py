"""The capture log (JSON lines, written by the crawl's archivist: `xxgk.archive.archivist`),
read back to resume a crawl or to recrawl conditionally."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from xxgk.records import Capture

#: Logs `split_by_site` keeps open at once (a batch may hold thousands of portals).
MAX_OPEN_LOGS = 256


def drop_torn_line(path: str | Path) -> None:
    """Cut a last line a killed writer left unfinished, so appending starts on a fresh line."""
    with Path(path).open("rb+") as log:
        data = log.read()
        log.truncate(data.rfind(b"\n") + 1)


def read_captures(path: str | Path) -> list[Capture]:
    """The captures a log holds (none if it does not exist); a torn last line is left out."""
    return parse_captures(Path(path).read_bytes()) if Path(path).exists() else []


def parse_captures(log: bytes) -> list[Capture]:
    """The captures of a capture log's bytes (one kept in the archive); a torn last line is
    left out."""
    return [
        Capture.from_log(json.loads(line))
        for line in log.splitlines(keepends=True)
        if line.endswith(b"\n") and line.strip()
    ]


def split_by_site(path: str | Path, outs: Mapping[str, Sequence[Path]]) -> None:
    """Write each capture of a log to the logs `outs` names for its site (site → paths), line
    by line; every one of those logs is made, even if its site has no capture. A torn last line
    is left out."""
    files: dict[Path, IO[bytes]] = {}
    try:
        for paths in outs.values():
            for out in paths:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(b"")
        with Path(path).open("rb") as lines:
            for line in lines:
                if not line.endswith(b"\n") or not line.strip():
                    continue
                for out in outs.get(json.loads(line)["site"], ()):
                    if out not in files:
                        if len(files) >= MAX_OPEN_LOGS:
                            for file in files.values():
                                file.close()
                            files.clear()
                        files[out] = out.open("ab")
                    files[out].write(line)
    finally:
        for file in files.values():
            file.close()
