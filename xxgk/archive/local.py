"""The archive in a local directory: one file per object, written atomically and durably."""

from __future__ import annotations

import ctypes
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from xxgk.archive.base import (
    PART_PREFIX,
    named_key,
    object_key,
    sha256_hex,
    verified,
)


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
        fd = os.open(part, flags, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(part, flags, 0o644)
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


def write_durably(root: Path, key: str, data: bytes) -> None:
    """Write `root/key` atomically and fsync it and every directory from it up to `root`, so
    that once this returns the object survives a crash."""
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=PART_PREFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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
        """One object, synced on its own (file and directories); see `put_many` for many."""
        digest = sha256_hex(data)
        if not self.exists(digest):
            write_durably(self.root, object_key(digest), data)
        return digest

    def put_many(self, data: Sequence[bytes]) -> list[str]:
        """Store several objects with two syncs of the file system in all (`SYNCFS`) rather
        than several per object: write each to a temporary file, sync, give each its name,
        sync again; then every one is durable."""
        if SYNCFS is None:
            return [self.put(one) for one in data]
        digests = [sha256_hex(one) for one in data]
        parts = {}
        for digest, one in zip(digests, data, strict=True):
            path = self.path(object_key(digest))
            if digest not in parts and not path.exists():
                parts[digest] = (write_part(path, one), path)
        if parts:
            sync_file_system(self.root)
            for part, path in parts.values():
                os.replace(part, path)
            sync_file_system(self.root)
        return digests

    def get(self, digest: str) -> bytes:
        return verified(digest, self.path(object_key(digest)).read_bytes())

    def exists(self, digest: str) -> bool:
        return self.path(object_key(digest)).exists()

    def put_named(self, key: str, data: bytes) -> str:
        write_durably(self.root, named_key(key), data)
        return sha256_hex(data)

    def get_named(self, key: str) -> bytes:
        return self.path(named_key(key)).read_bytes()

    def flush_spool(self) -> int:
        return 0  # writes to a local directory either succeed or raise: nothing to spool
