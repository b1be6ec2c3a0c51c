"""Reading the WARC files and CDXJ indexes the tests make, as a web archive's reader would, and
checking what every reader relies on."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zlib
from dataclasses import dataclass
from typing import Any

import surt
from warcio.archiveiterator import ArchiveIterator

from xxgk.archive.base import sha256_hex

ZLIB_DEFAULT_LEVEL_XFL = 0  # a gzip header's XFL byte: 2 at level 9, 4 at level 1, else 0


@dataclass
class Record:
    type: str
    warc: dict[str, str]
    status_line: str | None
    http: dict[str, str] | None
    content: bytes
    offset: int
    length: int


def sha256_b32(data: bytes) -> str:
    return "sha256:" + base64.b32encode(bytes.fromhex(sha256_hex(data))).decode()


def read_warc(data: bytes) -> list[Record]:
    """Every record, read with warcio's `ArchiveIterator`, which checks payload digests as it
    reads (raising if one is wrong). Checked here too: each record is one gzip member, at
    zlib's default level, and carries one sha256 block digest, right for its block (warcio
    checks none for a revisit), and one sha256 payload digest (but a warcinfo)."""
    records = []
    iterator = ArchiveIterator(io.BytesIO(data), check_digests="raise")
    for record in iterator:
        http = record.http_headers
        content = record.content_stream().read()
        offset, length = iterator.get_record_offset(), iterator.get_record_length()
        names = [name for name, _ in record.rec_headers.headers]
        warc = dict(record.rec_headers.headers)
        assert names.count("WARC-Block-Digest") == 1
        assert names.count("WARC-Payload-Digest") == (record.rec_type != "warcinfo")
        assert all(warc[name].startswith("sha256:") for name in names if name.endswith("Digest"))
        records.append(
            Record(
                type=record.rec_type,
                warc=warc,
                status_line=f"{http.protocol} {http.statusline}" if http else None,
                http=dict(http.headers) if http else None,
                content=content,
                offset=offset,
                length=length,
            )
        )
    for record in records:
        member = zlib.decompressobj(wbits=31)
        raw = data[record.offset : record.offset + record.length]
        assert raw[8] == ZLIB_DEFAULT_LEVEL_XFL
        decompressed = member.decompress(raw)
        assert member.eof and not member.unused_data, "a record is not one gzip member"
        _, rest = decompressed.split(b"\r\n\r\n", 1)
        size = int(record.warc["Content-Length"])
        block, end = rest[:size], rest[size:]
        assert end == b"\r\n\r\n"
        digest = hashlib.sha256(block).digest()
        assert record.warc["WARC-Block-Digest"] == "sha256:" + base64.b32encode(digest).decode()
    return records


def read_cdxj(text: str) -> list[tuple[str, str, dict[str, Any]]]:
    lines = [line.split(" ", 2) for line in text.splitlines()]
    return [(key, timestamp, json.loads(entry)) for key, timestamp, entry in lines]


def check_index(warc: bytes, cdxj: str, filename: str) -> list[Record]:
    """The CDXJ index lists every record of the WARC file, where `ArchiveIterator` finds it,
    sorted, as cdxj-indexer would; the records."""
    records = read_warc(warc)
    assert cdxj.splitlines() == sorted(cdxj.splitlines())
    index = {int(entry["offset"]): (key, ts, entry) for key, ts, entry in read_cdxj(cdxj)}
    assert sorted(index) == [record.offset for record in records]
    for record in records:
        key, timestamp, entry = index[record.offset]
        url = record.warc.get("WARC-Target-URI")
        assert key == surt.surt(url)
        assert timestamp == "".join(c for c in record.warc["WARC-Date"] if c.isdigit())[:14]
        assert entry.pop("length") == str(record.length)
        assert entry.pop("offset") == str(record.offset)
        assert entry.pop("filename") == filename
        assert entry.pop("url", None) == url
        assert entry.pop("digest", None) == record.warc.get("WARC-Payload-Digest")
        if record.type in ("response", "revisit"):
            assert entry.pop("status") == record.status_line.split()[1]
        if record.type == "revisit":
            mime = "warc/revisit"
        elif record.type in ("response", "request"):
            value = (record.http or {}).get("Content-Type")
            mime = value.split(";")[0].strip() if value else None
        else:
            mime = record.warc["Content-Type"]
        assert entry.pop("mime", None) == mime
        assert entry == {}
    return records
