"""The raw archive: every fetched byte, stored once under its sha256, and the crawl's WARC files.

`open_archive(url)` picks the backend: a local directory (a path or `file://` URL) or
S3-compatible storage (`s3://bucket/prefix`).
"""

from __future__ import annotations

from xxgk.archive.base import (
    Archive,
    ArchiveUnreachable,
    ArchiveUnusable,
    DigestMismatch,
    object_key,
    sha256_hex,
)
from xxgk.archive.local import LocalArchive

__all__ = [
    "Archive",
    "ArchiveUnreachable",
    "ArchiveUnusable",
    "DigestMismatch",
    "LocalArchive",
    "object_key",
    "open_archive",
    "sha256_hex",
]


def open_archive(url: str) -> Archive:
    if url.startswith("s3://"):
        from xxgk.archive.s3 import S3Archive

        return S3Archive.from_url(url)
    return LocalArchive(url.removeprefix("file://"))
