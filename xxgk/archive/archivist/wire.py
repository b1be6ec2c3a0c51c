"""The wire protocol between a crawl (`client.Archivist`) and its archivist (`server`), over
the archivist's standard input and output:

- the archivist opens the archive and the capture log, then answers `=` and a JSON object (the
  archive's URL);
- the crawl writes one frame per capture: `HEADER` (the length of the capture's log fields as
  JSON, the length of its body or -1 when there is none), the JSON, the body;
- the archivist stores what has arrived together (`Archive.put_many`: one group of syncs for
  many objects), then appends those captures, with their `sha256` and `size`, to the capture
  log, then adds their WARC records (a revisit for bytes the archive held already). If the
  archive refuses them, it logs none of them and answers `!` and the reason;
- at the end of its input (the crawl closed it, or died) it stores the last WARC file, uploads what
  the archive spooled while its store was down, and answers `=` and a JSON summary.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator, Mapping
from typing import Any

HEADER = struct.Struct("!Iq")
READY = b"="  # the archivist's last word so far: a JSON object
REFUSED = b"!"  # the archive refused a batch: the reason

Frame = tuple[dict[str, Any], bytes | None]


def encode(fields: Mapping[str, Any], body: bytes | None) -> bytes:
    """A frame's header and fields (its body, if any, follows it on the wire)."""
    encoded = json.dumps(fields, ensure_ascii=False).encode()
    return HEADER.pack(len(encoded), -1 if body is None else len(body)) + encoded


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
