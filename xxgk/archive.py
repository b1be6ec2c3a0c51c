"""Content-addressed raw archive: every fetched byte, stored once under its sha256.

Keys are `sha256/ab/cd/<sha256>`. `open_archive(url)` picks the backend: a local directory
(a path or `file://` URL) or S3-compatible storage (`s3://bucket/prefix`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class DigestMismatch(Exception):
    """The stored bytes no longer hash to their key: the object is corrupt."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def object_key(digest: str) -> str:
    return f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"


class Archive(Protocol):
    url: str

    def put(self, data: bytes) -> str:
        """Store `data` durably (idempotent) and return its sha256."""

    def get(self, digest: str) -> bytes:
        """Return the bytes stored under `digest`, verified against it (DigestMismatch if
        corrupt, FileNotFoundError if absent)."""

    def exists(self, digest: str) -> bool: ...


def verified(digest: str, data: bytes) -> bytes:
    if sha256_hex(data) != digest:
        raise DigestMismatch(f"archive object {digest} is corrupt: its bytes hash differently")
    return data


class LocalArchive:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.url = str(self.root)

    def _path(self, digest: str) -> Path:
        return self.root / object_key(digest)

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        return digest

    def get(self, digest: str) -> bytes:
        return verified(digest, self._path(digest).read_bytes())

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()


def open_archive(url: str) -> Archive:
    if url.startswith("s3://"):
        from xxgk.s3archive import S3Archive

        return S3Archive.from_url(url)
    return LocalArchive(url.removeprefix("file://"))
