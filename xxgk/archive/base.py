"""What every archive backend is: the `Archive` protocol, its keys and its digest check.

Keys are `sha256/ab/cd/<sha256>`; named objects (a crawl's WARC files and their indexes, under
`warc/`) live beside them under their own keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import NamedTuple, Protocol

DIGEST_PREFIX = "sha256/"
PART_PREFIX = ".part-"


class DigestMismatch(Exception):
    """The stored bytes no longer hash to their key: the object is corrupt."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """The sha256 of the file at `path`, read a buffer at a time."""
    with path.open("rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def object_key(digest: str) -> str:
    return f"{DIGEST_PREFIX}{digest[:2]}/{digest[2:4]}/{digest}"


def named_key(key: str) -> str:
    """`key` if it can name an object: relative, without `..`, outside `sha256/`."""
    path = PurePosixPath(key)
    if (
        not key
        or path.is_absolute()
        or str(path) != key
        or any(part in ("..", ".") or part.startswith(PART_PREFIX) for part in path.parts)
        or key.startswith(DIGEST_PREFIX)
    ):
        raise ValueError(f"not a valid name for an archive object: {key!r}")
    return key


class Stored(NamedTuple):
    """One object `put_many` was given: its sha256, and whether the archive held those bytes
    before the call (so a crawl's WARC file need not hold them again)."""

    digest: str
    held: bool


class Archive(Protocol):
    url: str

    def put(self, data: bytes) -> str:
        """Store `data` durably (idempotent) and return its sha256."""

    def put_many(self, data: Sequence[bytes]) -> list[Stored]:
        """`put` each of `data`, perhaps faster than one at a time; in order, what each was."""

    def get(self, digest: str) -> bytes:
        """Return the bytes stored under `digest`, verified against it (DigestMismatch if
        corrupt, FileNotFoundError if absent)."""

    def exists(self, digest: str) -> bool: ...

    def put_named(self, key: str, data: bytes) -> str:
        """Store `data` durably under `key`, replacing what was there; return its sha256."""

    def put_file(self, key: str, path: Path) -> str:
        """Store the file at `path` durably under `key`, streaming it (never whole in memory);
        return its sha256."""

    def get_named(self, key: str) -> bytes: ...

    def flush_spool(self) -> int:
        """Upload what was spooled locally while the store was down; return how many objects.
        Raises the store's error if it is still down (what is left stays spooled)."""


def verified(digest: str, data: bytes) -> bytes:
    if sha256_hex(data) != digest:
        raise DigestMismatch(f"archive object {digest} is corrupt: its bytes hash differently")
    return data
