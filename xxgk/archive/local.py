"""The archive in a local directory: one file per object, written atomically and durably."""

from __future__ import annotations

import ctypes
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from xxgk.archive.base import (
    PART_PREFIX,
    ArchiveUnusable,
    Stored,
    named_key,
    object_key,
    sha256_hex,
    verified,
)

OBJECT_MODE = 0o644
COPY_BUFFER = 1 << 20


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: Linux's syncfs(2): makes a whole file system durable, reporting write-back errors (since 5.8)
SYNCFS = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)


def sync_file_system(path: Path) -> None:
    """Make the file system holding `path` durable (needs `SYNCFS`)."""
    assert SYNCFS is not None
    fd = os.open(path, os.O_RDONLY)
    try:
        if SYNCFS(fd) != 0:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error), str(path))
    finally:
        os.close(fd)


def write_part(path: Path, data: bytes) -> str:
    """Write `data` to a temporary file beside `path`, unsynced; return its name. The name is
    the object's own with this process's id: no other writer can be writing it."""
    part = f"{path.parent}/{PART_PREFIX}{path.name}-{os.getpid()}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        fd = os.open(part, flags, OBJECT_MODE)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(part, flags, OBJECT_MODE)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.unlink(part)
        raise
    finally:
        os.close(fd)
    return part


@contextmanager
def durable_file(root: Path, key: str) -> Iterator[BinaryIO]:
    """A file to write `root/key` through: when the block ends, it replaces `root/key`
    atomically, and it and every directory from it up to `root` are synced, so that the object
    survives a crash. Mode 0644, like every object."""
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=PART_PREFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), OBJECT_MODE)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = path.parent
    while True:
        fsync_directory(directory)
        if directory == root or root not in directory.parents:
            break
        directory = directory.parent


def write_durably(root: Path, key: str, data: bytes) -> None:
    with durable_file(root, key) as out:
        out.write(data)


def copy_durably(root: Path, key: str, source: Path) -> str:
    """Copy the file `source` to `root/key` (see `durable_file`) a buffer at a time; return the
    sha256 of what was copied."""
    digest, buffer = hashlib.sha256(), bytearray(COPY_BUFFER)
    with source.open("rb", buffering=0) as data, durable_file(root, key) as out:
        while size := data.readinto(buffer):
            chunk = memoryview(buffer)[:size]
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


class LocalArchive:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.url = str(self.root)

    def path(self, key: str) -> Path:
        return self.root / key

    def stored_keys(self) -> Iterator[str]:
        """Every stored key (objects half-written by a crash are not keys)."""
        for directory, _, names in os.walk(self.root):
            for name in names:
                if not name.startswith(PART_PREFIX):
                    yield (Path(directory) / name).relative_to(self.root).as_posix()

    def put(self, data: bytes) -> str:
        return self._put(data).digest

    def _put(self, data: bytes) -> Stored:
        """One object, synced on its own (file and directories); see `put_many` for many."""
        digest = sha256_hex(data)
        held = self.exists(digest)
        if not held:
            write_durably(self.root, object_key(digest), data)
        return Stored(digest, held)

    def put_many(self, data: Sequence[bytes]) -> list[Stored]:
        """Store several objects with two syncs of the file system in all (`SYNCFS`) rather
        than several per object: write each to a temporary file, sync, give each its name,
        sync again; then every one is durable."""
        if SYNCFS is None:
            return [self._put(one) for one in data]
        digests = [sha256_hex(one) for one in data]
        parts = {}
        held = set()
        for digest, one in zip(digests, data, strict=True):
            path = self.path(object_key(digest))
            if digest in parts or digest in held:
                continue
            if path.exists():
                held.add(digest)
            else:
                parts[digest] = (write_part(path, one), path)
        if parts:
            sync_file_system(self.root)
            for part, path in parts.values():
                os.replace(part, path)
            sync_file_system(self.root)
        return [Stored(digest, digest in held) for digest in digests]

    def get(self, digest: str) -> bytes:
        return verified(digest, self.path(object_key(digest)).read_bytes())

    def exists(self, digest: str) -> bool:
        return self.path(object_key(digest)).exists()

    def put_named(self, key: str, data: bytes) -> str:
        write_durably(self.root, named_key(key), data)
        return sha256_hex(data)

    def put_file(self, key: str, path: Path) -> str:
        return copy_durably(self.root, named_key(key), path)

    def get_named(self, key: str) -> bytes:
        return self.path(named_key(key)).read_bytes()

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ArchiveUnusable(f"cannot make the archive directory: {error}") from error
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise ArchiveUnusable(f"the archive directory {self.root} is not writable")

    def flush_spool(self) -> int:
        return 0  # writes to a local directory either succeed or raise: nothing to spool
