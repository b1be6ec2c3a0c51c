"""What every archive backend is: the `Archive` protocol, its keys and its digest check.

Keys are `sha256/ab/cd/<sha256>`; named objects (a crawl's WARC files and their indexes, under
`warc/`) live beside them under their own keys.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import NamedTuple, Protocol

DIGEST_PREFIX = "sha256/"
PART_PREFIX = ".part-"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class DigestMismatch(Exception):
    """The stored bytes no longer hash to their key: the object is corrupt."""


class ArchiveUnusable(Exception):
    """The archive refuses to be used (bad credentials, a bucket it may not make, a directory it
    may not write): waiting will not mend it."""


class ArchiveUnreachable(Exception):
    """The archive's store does not answer, or fails: it may come back by itself."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """The sha256 of the file at `path`, read a buffer at a time."""
    with path.open("rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def object_key(digest: str) -> str:
    """The key of the object whose sha256 is `digest`: 64 lowercase hex digits, else ValueError
    (checked before any backend touches its disk or the network)."""
    if not SHA256_HEX.fullmatch(digest):
        raise ValueError(f"not a sha256 digest (64 lowercase hex digits): {digest!r}")
    return f"{DIGEST_PREFIX}{digest[:2]}/{digest[2:4]}/{digest}"


def relative_key(key: str) -> bool:
    """Whether `key` is a relative path that stays where it is put: no `..`, `.`, empty or
    half-written (`.part-`) parts, no NUL or backslash."""
    path = PurePosixPath(key)
    return (
        bool(key)
        and not path.is_absolute()
        and str(path) == key
        and not any(part in ("..", ".") or part.startswith(PART_PREFIX) for part in path.parts)
        and not any(character in key for character in "\x00\\")
    )


def named_key(key: str) -> str:
    """`key` if it can name an object: a `relative_key` outside `sha256/`."""
    if not relative_key(key) or PurePosixPath(key).parts[0] == DIGEST_PREFIX.rstrip("/"):
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

    def check(self) -> None:
        """Ask the store, within seconds, whether it can be used: ArchiveUnusable if it refuses,
        ArchiveUnreachable if it does not answer (writes then wait in a spool, if it has one)."""

    def flush_spool(self) -> int:
        """Upload what was spooled locally while the store was down; return how many objects.
        ArchiveUnreachable if the store is still down (what is left stays spooled)."""


def verified(digest: str, data: bytes) -> bytes:
    if sha256_hex(data) != digest:
        raise DigestMismatch(f"archive object {digest} is corrupt: its bytes hash differently")
    return data
