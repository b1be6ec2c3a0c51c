"""A crawl as a standard WARC/1.1 file (ISO 28500), stored in the archive.

Per capture with a body: a `response` record (the HTTP status line and headers as fetched, the
body as archived), a `request` record (what is known of the request: method, target, Host,
Referer) and a `metadata` record (the crawl's view of it: role, site, title, sha256, archive key,
error). A failed fetch gets only the `metadata` record. Every record carries a sha256
WARC-Block-Digest, and responses a sha256 WARC-Payload-Digest (base32, the WARC convention),
which is the archive's key for the same bytes, also given in hex in the metadata record.

Scrapy hands over bodies already decoded, so `Content-Encoding`, `Transfer-Encoding` and
`Content-Length` as fetched are kept as `X-Crawler-*` headers, and `Content-Length` is the
length of the stored body: WARC readers would otherwise decode the body a second time.
"""

from __future__ import annotations

import base64
import http
import tempfile
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from io import BytesIO
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from xxgk.archive.base import Archive, object_key, sha256_hex

RENAMED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
METADATA_FIELDS = ("role", "site", "title", "file_name", "media_type", "referer")


class GzipMember:
    """Compresses what is written into one gzip member, ended by `flush`: a WARC's records
    are each a member, so that a reader can seek to any one. At zlib's default level: warcio's
    9 costs a crawl's archivist more time for a few per cent of size."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 31)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())


class Sha256WARCWriter(WARCWriter):
    """warcio's writer with sha256 digests, compressing each record as a `GzipMember`."""

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__(out, gzip=False, warc_version="1.1")

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")

    def write_record(self, record: Any, params: Any = None) -> None:
        self._write_warc_record(GzipMember(self.out), record)


def warc_date(fetched_at: str) -> str:
    moment = datetime.fromisoformat(fetched_at)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return datetime_to_iso_date(moment.replace(tzinfo=None), use_micros=True)


def status_line(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def response_headers(headers: Mapping[str, str], length: int) -> list[tuple[str, str]]:
    kept = [
        (f"X-Crawler-{name}" if name.lower() in RENAMED_HEADERS else name, value)
        for name, value in headers.items()
    ]
    return [*kept, ("Content-Length", str(length))]


def warc_fields(fields: Mapping[str, Any]) -> bytes:
    lines = (f"{name}: {' '.join(str(value).split())}\r\n" for name, value in fields.items())
    return "".join(line for line in lines if line.split(":", 1)[1].strip()).encode()


class CrawlWarc:
    """Collects one crawl's captures in a temporary file; `close()` stores it in the archive as
    `warc/<crawl_id>.warc.gz`."""

    def __init__(self, archive: Archive, crawl_id: str, software: str = "xxgk") -> None:
        self.archive = archive
        self.key = f"warc/{crawl_id}.warc.gz"
        # one write to the file per MiB, not one per record (a WARC is never read before `close`)
        self._file = tempfile.TemporaryFile(buffering=1 << 20)  # noqa: SIM115  (closed by `close`)
        self._writer = Sha256WARCWriter(self._file)
        info = {"software": software, "format": "WARC File Format 1.1", "isPartOf": crawl_id}
        self._write(self._writer.create_warcinfo_record(self.key.rsplit("/", 1)[1], info))

    def _write(self, *records: Any) -> None:
        for record in records:
            self._writer.write_record(record)

    def _record(self, uri: str, kind: str, date: str, **options: Any) -> Any:
        headers = {"WARC-Date": date, **options.pop("warc_headers", {})}
        return self._writer.create_warc_record(uri, kind, warc_headers_dict=headers, **options)

    def add(self, capture: Mapping[str, Any], body: bytes | None) -> None:
        """Add a capture (the fields of `spiders.items.Capture`) and the bytes fetched, whose
        sha256 is the capture's `sha256` if it has one."""
        url, date = capture["url"], warc_date(capture["fetched_at"])
        error = capture.get("error") or {}
        fields = {name: capture.get(name) for name in METADATA_FIELDS}
        fields |= {"error-kind": error.get("kind"), "error-message": error.get("message")}
        published = capture.get("publication") or {}
        fields |= {
            f"publication-{name.replace('_', '-')}": value for name, value in published.items()
        }
        records, concurrent = [], {}
        if body is not None:
            digest = capture.get("sha256") or sha256_hex(body)
            fields |= {"sha256": digest, "archive-key": object_key(digest)}
            payload_digest = "sha256:" + base64.b32encode(bytes.fromhex(digest)).decode()
            http_response = StatusAndHeaders(
                status_line(capture["status"]),
                response_headers(capture.get("headers") or {}, len(body)),
                protocol="HTTP/1.1",
            )
            response = self._record(
                url, "response", date, payload=BytesIO(body), length=len(body),
                http_headers=http_response, warc_headers={"WARC-Payload-Digest": payload_digest},
            )  # fmt: skip
            parts = urlsplit(url)
            target = parts._replace(scheme="", netloc="", fragment="").geturl() or "/"
            known = [("Host", parts.netloc), ("Referer", capture.get("referer") or "")]
            http_request = StatusAndHeaders(
                f"GET {target} HTTP/1.1", [pair for pair in known if pair[1]], protocol=""
            )
            concurrent = {"WARC-Concurrent-To": response.rec_headers["WARC-Record-ID"]}
            request = self._record(
                url, "request", date, http_headers=http_request, warc_headers=concurrent
            )
            records += [response, request]
        payload = warc_fields(fields)
        metadata = self._record(
            url, "metadata", date, payload=BytesIO(payload), length=len(payload),
            warc_headers=concurrent,
        )  # fmt: skip
        self._write(*records, metadata)

    def close(self) -> str:
        """Store the WARC file in the archive (durably: see `Archive.put_named`); return its key."""
        self._file.seek(0)
        data = self._file.read()
        self._file.close()
        self.archive.put_named(self.key, data)
        return self.key
