"""The capture log (JSON lines): written line by line so a killed crawl loses no capture it
logged, read back to resume a crawl or to recrawl conditionally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from scrapy import Spider
from scrapy.extensions.feedexport import FileFeedStorage


class LineFlushedFileFeedStorage(FileFeedStorage):
    """A local feed written unbuffered: each exported line reaches the file at once."""

    def open(self, spider: Spider) -> IO[bytes]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        return Path(self.path).open(self.write_mode, buffering=0)


def drop_torn_line(path: str | Path) -> None:
    """Cut a last line a killed writer left unfinished, so appending starts on a fresh line."""
    with Path(path).open("rb+") as log:
        data = log.read()
        log.truncate(data.rfind(b"\n") + 1)


def read_captures(path: str | Path) -> list[dict[str, Any]]:
    if not Path(path).exists():
        return []
    with Path(path).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.endswith("\n") and line.strip()]
