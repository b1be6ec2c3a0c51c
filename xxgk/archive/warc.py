"""A crawl as standard WARC/1.1 files (ISO 28500), stored in the archive with their CDXJ index.

Per capture with a body: a `response` record (the HTTP status line and headers as fetched, the
body as archived), a `request` record (what is known of the request: method, target, Host,
Referer) and a `metadata` record (the crawl's view of it: role, site, title, sha256, archive key,
error). A failed fetch gets only the `metadata` record.

No body is written twice in a crawl, nor again when the archive held it before: such a capture
gets a `revisit` record (the HTTP headers, no payload) instead of a response, of profile

- `server-not-modified` for a 304 to a conditional recrawl, referring to the earlier capture
  (its URL and date) and giving the digest of its payload;
- `identical-payload-digest` for a body already archived: referring to this crawl's response
  record of the same bytes if there is one (its URL and date), else by its digest alone.

Every record carries a sha256 WARC-Block-Digest and, but the warcinfo, a sha256
WARC-Payload-Digest (base32, the WARC convention): for a response or revisit the archive's key
for the payload, also given in hex in the metadata record.

Scrapy hands over bodies already decoded, so `Content-Encoding`, `Transfer-Encoding` and
`Content-Length` as fetched are kept as `X-Crawler-*` headers, and `Content-Length` is the
length of the stored body: WARC readers would otherwise decode the body a second time.

The records go into files of about `max_bytes` (rolled over after the capture that reaches it),
`warc/<crawl id>-00000.warc.gz`, `-00001`, …, each beginning with a `warcinfo` record, each
record one gzip member (at zlib's default level: warcio's 9 costs a third more CPU for a few
per cent of size), so that a reader can seek to any record. Each file is written to a temporary
file and stored with `Archive.put_file`, beside its index `warc/<crawl id>-00000.cdxj`.

Only warcio's public API is used: records are built with `create_warc_record` given their
digests, which warcio then leaves as they are, and written uncompressed by `write_record` into
`GzipMembers`, which compresses them and ends a member after each.
"""

from __future__ import annotations

import base64
import hashlib
import http
import tempfile
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from xxgk.archive.base import Archive, object_key, sha256_hex
from xxgk.archive.cdxj import CdxjIndex
from xxgk.records import Capture

#: browsertrix-crawler's rolloverSize
DEFAULT_MAX_BYTES = 1_000_000_000
RENAMED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
METADATA_FIELDS = ("role", "site", "title", "file_name", "media_type", "referer", "rendered")
REVISIT_PROFILES = "http://netpreserve.org/warc/1.1/revisit/"
SERVER_NOT_MODIFIED = REVISIT_PROFILES + "server-not-modified"
IDENTICAL_PAYLOAD_DIGEST = REVISIT_PROFILES + "identical-payload-digest"
WRITE_BUFFER = 1 << 20


class GzipMembers:
    """What warcio writes, compressed into gzip members; `end_member` ends one. `offset` is how
    many compressed bytes went out."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.offset = 0
        self._compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 31)

    def write(self, data: bytes) -> None:
        self._emit(self._compressor.compress(data))

    def flush(self) -> None:
        """Nothing: warcio flushes after a record, but a member ends only at `end_member`."""

    def end_member(self) -> None:
        self._emit(self._compressor.flush())
        self._compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 31)

    def _emit(self, compressed: bytes) -> None:
        self.out.write(compressed)
        self.offset += len(compressed)


def warc_digest(digest: bytes) -> str:
    return "sha256:" + base64.b32encode(digest).decode()


def payload_digest(sha256: str) -> str:
    """The WARC-Payload-Digest of the bytes the archive keeps under `sha256`."""
    return warc_digest(bytes.fromhex(sha256))


def warc_date(fetched_at: str) -> str:
    moment = datetime.fromisoformat(fetched_at)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return datetime_to_iso_date(moment.replace(tzinfo=None), use_micros=True)


def status_line(status: int | None) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def response_headers(headers: Mapping[str, str], length: int | None) -> list[tuple[str, str]]:
    """The headers as fetched, with the stored body's `length` (none for a 304)."""
    kept = [
        (f"X-Crawler-{name}" if name.lower() in RENAMED_HEADERS else name, value)
        for name, value in headers.items()
    ]
    return kept if length is None else [*kept, ("Content-Length", str(length))]


def warc_fields(fields: Mapping[str, Any]) -> bytes:
    """`application/warc-fields`: a line per field that has a value, its value on one line."""
    values = ((name, " ".join(str(value).split())) for name, value in fields.items() if value)
    return "".join(f"{name}: {value}\r\n" for name, value in values if value).encode()


class WarcFile:
    """One WARC file as it is written: a temporary file of gzip members, one per record, and
    its CDXJ index."""

    def __init__(self, name: str) -> None:
        self.name = name
        # one write to the file per MiB, not one per record (it is read only once stored)
        self._file = tempfile.NamedTemporaryFile(suffix=".warc.gz", buffering=WRITE_BUFFER)  # noqa: SIM115  (closed by `store`)
        self._members = GzipMembers(self._file)
        self._writer = WARCWriter(self._members, gzip=False, warc_version="1.1")
        self.index = CdxjIndex(name)

    @property
    def size(self) -> int:
        return self._members.offset

    def write(self, record: Any) -> None:
        offset = self._members.offset
        self._writer.write_record(record)
        self._members.end_member()
        self.index.add(record, offset, self._members.offset - offset)

    def store(self, archive: Archive, key: str, index_key: str) -> None:
        """Store the file under `key` and its index under `index_key`, then drop both (if the
        archive refuses them, both go on, to be stored again)."""
        self._file.flush()
        with tempfile.NamedTemporaryFile("w", suffix=".cdxj", encoding="utf-8") as index:
            self.index.write_to(index)
            index.flush()
            archive.put_file(key, Path(self._file.name))
            archive.put_file(index_key, Path(index.name))
        self.index.close()
        self._file.close()


class CrawlWarc:
    """Records one crawl's captures (`add`) in WARC files of about `max_bytes`, each stored in
    the archive once full; `close()` stores the last."""

    def __init__(
        self,
        archive: Archive,
        crawl_id: str,
        software: str = "xxgk",
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.archive = archive
        self.crawl_id = crawl_id
        self.software = software
        self.max_bytes = max_bytes
        self.keys: list[str] = []  # the WARC files stored so far
        self._file: WarcFile | None = None
        self._builder = RecordBuilder(warc_version="1.1")
        # the payload digest of each response record this crawl wrote: its URL and date
        self._responses: dict[bytes, tuple[str, str]] = {}

    def _key(self, number: int, extension: str) -> str:
        return f"warc/{self.crawl_id}-{number:05d}.{extension}"

    def _open(self) -> WarcFile:
        warc = WarcFile(self._key(len(self.keys), "warc.gz").rsplit("/", 1)[1])
        info = {"software": self.software, "format": "WARC File Format 1.1"}
        warcinfo = self._record(
            "", "warcinfo", self._builder.curr_warc_date(),
            payload=warc_fields(info | {"isPartOf": self.crawl_id}),
            headers={"WARC-Filename": warc.name},
        )  # fmt: skip
        warc.write(warcinfo)
        return warc

    def _store(self, warc: WarcFile) -> None:
        number = len(self.keys)
        key = self._key(number, "warc.gz")
        warc.store(self.archive, key, self._key(number, "cdxj"))
        self.keys.append(key)

    def _record(
        self,
        uri: str,
        kind: str,
        date: str,
        *,
        http_headers: StatusAndHeaders | None = None,
        payload: bytes | None = None,
        digest: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """A record with its sha256 digests: of the block (HTTP headers and payload) and of the
        payload (`digest`, if known; a revisit's payload is not in its block)."""
        block = hashlib.sha256()
        if http_headers is not None:
            http_headers.compute_headers_buffer()
            block.update(http_headers.headers_buff)
        if payload:
            block.update(payload)
        digests = {"WARC-Block-Digest": warc_digest(block.digest())}
        if kind != "warcinfo":
            digests["WARC-Payload-Digest"] = digest or payload_digest(sha256_hex(payload or b""))
        return self._builder.create_warc_record(
            uri,
            kind,
            payload=None if payload is None else BytesIO(payload),
            length=None if payload is None else len(payload),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Type": kind, "WARC-Date": date, **(headers or {}), **digests},
        )

    def add(self, capture: Capture, body: bytes | None, held: bool = False) -> None:
        """Add a capture and the bytes fetched (none for a 304), whose sha256 is the capture's
        `sha256` if it has one; `held`: the archive held those bytes before this crawl stored
        them."""
        if self._file is None:
            self._file = self._open()
        url, date = capture.url, warc_date(capture.fetched_at)
        sha256 = capture.sha256 or (None if body is None else sha256_hex(body))
        records, concurrent = [], {}
        if (answer := self._answer(capture, date, body, sha256, held)) is not None:
            concurrent = {"WARC-Concurrent-To": answer.rec_headers.get_header("WARC-Record-ID")}
            records += [answer, self._request(capture, date, concurrent)]
        error = capture.error
        fields = {name: getattr(capture, name) for name in METADATA_FIELDS}
        fields |= {"error-kind": error and error.kind, "error-message": error and error.message}
        if sha256:
            fields |= {"sha256": sha256, "archive-key": object_key(sha256)}
        payload = warc_fields(fields)
        records.append(self._record(url, "metadata", date, payload=payload, headers=concurrent))
        for record in records:
            self._file.write(record)
        if self._file.size >= self.max_bytes:
            self._store(self._file)
            self._file = None

    def _answer(
        self, capture: Capture, date: str, body: bytes | None, sha256: str | None, held: bool
    ) -> Any:
        """The response or revisit record of a capture, if it got an answer."""
        if capture.revisits is None and body is None:
            return None
        url = capture.url
        status = StatusAndHeaders(
            status_line(capture.status),
            response_headers(capture.headers, None if body is None else len(body)),
            protocol="HTTP/1.1",
        )
        digest = payload_digest(sha256) if sha256 else None
        if capture.revisits is not None:
            refers = {
                "WARC-Profile": SERVER_NOT_MODIFIED,
                "WARC-Refers-To-Target-URI": url,
                "WARC-Refers-To-Date": warc_date(capture.revisits),
            }
            return self._record(
                url, "revisit", date, http_headers=status, digest=digest, headers=refers
            )
        assert sha256 is not None
        earlier = self._responses.get(bytes.fromhex(sha256))
        if earlier is None and not held:
            self._responses[bytes.fromhex(sha256)] = (url, date)
            return self._record(
                url, "response", date, http_headers=status, payload=body, digest=digest
            )
        refers = {"WARC-Profile": IDENTICAL_PAYLOAD_DIGEST}
        if earlier is not None:
            refers |= {"WARC-Refers-To-Target-URI": earlier[0], "WARC-Refers-To-Date": earlier[1]}
        return self._record(
            url, "revisit", date, http_headers=status, digest=digest, headers=refers
        )

    def _request(self, capture: Capture, date: str, concurrent: Mapping[str, str]) -> Any:
        parts = urlsplit(capture.url)
        target = parts._replace(scheme="", netloc="", fragment="").geturl() or "/"
        known = [("Host", parts.netloc), ("Referer", capture.referer or "")]
        http_request = StatusAndHeaders(
            f"GET {target} HTTP/1.1", [pair for pair in known if pair[1]], protocol=""
        )
        return self._record(
            capture.url, "request", date, http_headers=http_request, headers=concurrent
        )

    def close(self) -> list[str]:
        """Store the last WARC file (one with its warcinfo alone if nothing was added); return
        the keys of every WARC file of the crawl."""
        if self._file is not None or not self.keys:
            self._store(self._file or self._open())
            self._file = None
        return self.keys
