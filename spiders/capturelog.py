"""The capture log (JSON lines, written by the crawl's archivist: `xxgk.archive.archivist`),
read back to resume a crawl or to recrawl conditionally."""

from __future__ import annotations

import json
from pathlib import Path

from xxgk.records import Capture


def drop_torn_line(path: str | Path) -> None:
    """Cut a last line a killed writer left unfinished, so appending starts on a fresh line."""
    with Path(path).open("rb+") as log:
        data = log.read()
        log.truncate(data.rfind(b"\n") + 1)


def read_captures(path: str | Path) -> list[Capture]:
    """The captures a log holds (none if it does not exist); a torn last line is left out."""
    if not Path(path).exists():
        return []
    with Path(path).open(encoding="utf-8") as lines:
        return [
            Capture.from_log(json.loads(line))
            for line in lines
            if line.endswith("\n") and line.strip()
        ]
