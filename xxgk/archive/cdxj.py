"""The CDXJ index of a WARC file, as pywb and cdxj-indexer write it (`cdxj-indexer --records
all`): one line per record, `<SURT key> <14-digit timestamp> <JSON>`, the JSON holding the
record's `url`, `mime`, `status`, payload `digest`, and where it is: the `length` and `offset`
of its gzip member and the WARC file's name. Lines are sorted, so that a reader can look a URL
up by binary search.

The WARC writer adds each record as it writes it; the lines are kept sorted in runs of at most
RUN_CHARS characters, a run spilled to a temporary file when full and the runs merged at the
end, so that a WARC file of a million records is indexed in a few megabytes.
"""

from __future__ import annotations

import heapq
import json
import re
import tempfile
from typing import IO, Any

import surt
from warcio.timeutils import iso_date_to_timestamp

RUN_CHARS = 4 << 20
MEDIA_TYPE_END = re.compile(r"[;\s]")


def media_type(record: Any) -> str | None:
    """The `mime` of a record as cdxj-indexer gives it: `warc/revisit` for a revisit, else the
    HTTP Content-Type of a response or request, else the record's own, without parameters."""
    if record.rec_type == "revisit":
        return "warc/revisit"
    if record.rec_type in ("response", "request"):
        value = record.http_headers.get_header("Content-Type") if record.http_headers else None
    else:
        value = record.rec_headers.get_header("Content-Type")
    return MEDIA_TYPE_END.split(value, 1)[0].strip() if value else None


def cdxj_line(record: Any, offset: int, length: int, filename: str) -> str:
    """The index line of a warcio record written at `offset`, `length` bytes long."""
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    status = None
    if record.rec_type in ("response", "revisit") and record.http_headers:
        status = record.http_headers.get_statuscode()
    fields = {
        "url": url,
        "mime": media_type(record),
        "status": status,
        "digest": headers.get_header("WARC-Payload-Digest"),
        "length": str(length),
        "offset": str(offset),
        "filename": filename,
    }
    entry = {name: value for name, value in fields.items() if value is not None}
    timestamp = iso_date_to_timestamp(headers.get_header("WARC-Date"))
    return f"{surt.surt(url)} {timestamp} {json.dumps(entry)}\n"


class CdxjIndex:
    """The index of one WARC file as it is written: `add` each record, `write_to` a file, then
    `close`."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self._lines: list[str] = []
        self._chars = 0
        self._runs: list[IO[str]] = []

    def add(self, record: Any, offset: int, length: int) -> None:
        line = cdxj_line(record, offset, length, self.filename)
        self._lines.append(line)
        self._chars += len(line)
        if self._chars >= RUN_CHARS:
            self._spill()

    def _spill(self) -> None:
        run = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115  (closed by `close`)
        run.writelines(sorted(self._lines))
        self._runs.append(run)
        self._lines, self._chars = [], 0

    def write_to(self, out: IO[str]) -> None:
        """Write the index of the records added so far to `out`, sorted."""
        self._lines.sort()
        for run in self._runs:
            run.seek(0)
        out.writelines(heapq.merge(*self._runs, self._lines))

    def close(self) -> None:
        for run in self._runs:
            run.close()
        self._runs, self._lines, self._chars = [], [], 0
