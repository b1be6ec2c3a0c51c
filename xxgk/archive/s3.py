"""The raw archive on S3-compatible storage (AWS S3, SeaweedFS, MinIO, ...).

The endpoint comes from `XXGK_S3_ENDPOINT_URL` or the standard `AWS_ENDPOINT_URL`;
credentials and region only from the standard AWS chain (environment, profile, instance role).

Nothing asks the store until it is used: `check()` asks it first (a command does, before it
starts). Connections time out within seconds (`CONNECT_TIMEOUT`) and a failed request is retried
a few times only, so that a store that is down is told within seconds, not minutes. If the store
is still down after that, a write is spooled to a local directory (`XXGK_S3_SPOOL_DIR`, default
`~/.cache/xxgk/spool/<bucket>/<prefix>`), fsynced, and acknowledged; the spool is uploaded by
`flush_spool()`, which the next write calls once the store may be back, which a crawl calls
when it ends, and a command once `check()` finds the store back. Reads look in the spool first.
A missing bucket is made, if the credentials may make it. Uploads carry their sha256, which the
store checks before accepting them; a file (`put_file`: a crawl's WARC files) goes up by boto3's
managed transfer, streamed from disk, in parts above `multipart_threshold`, each part checked
against its own sha256.
"""

from __future__ import annotations

import base64
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from xxgk.archive.base import (
    DIGEST_PREFIX,
    ArchiveUnreachable,
    ArchiveUnusable,
    Stored,
    file_sha256,
    named_key,
    object_key,
    relative_key,
    sha256_hex,
    verified,
)
from xxgk.archive.local import LocalArchive, write_durably
from xxgk.settings import Settings

MAX_ATTEMPTS = 3  # a refused connection is told within about 3 s (botocore's backoff)
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 60.0
PARALLEL_UPLOADS = 8
RECHECK_SECONDS = 30.0  # while the store is down, writes go straight to the spool this long
NOT_FOUND = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")  # S3's rule, as a path part too
MULTIPART_THRESHOLD = 64 << 20  # also the part size: a 1 GB WARC file goes up in 15 parts
PARALLEL_PARTS = 4

T = TypeVar("T")


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in NOT_FOUND


def unavailable(error: BaseException) -> bool:
    """The store is down or failing (as opposed to refusing this request)."""
    if isinstance(error, ArchiveUnreachable):
        return True
    if isinstance(error, S3UploadFailedError):  # boto3's wrapping of a transfer's ClientError
        return error.__context__ is not None and unavailable(error.__context__)
    if isinstance(error, ClientError):
        return error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
    return isinstance(error, EndpointUnreachable | HTTPClientError)


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def sha256_base64(digest: str) -> str:
    """A hex sha256 as S3's checksum headers give it."""
    return base64.b64encode(bytes.fromhex(digest)).decode()


def default_spool_dir(bucket: str, prefix: str) -> Path:
    if configured := Settings.from_env().s3_spool_dir:
        base = configured
    else:
        cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        base = Path(cache) / "xxgk" / "spool"
    return base / bucket / prefix


class S3Archive:
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        *,
        spool_dir: str | Path | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        recheck_seconds: float = RECHECK_SECONDS,
        multipart_threshold: int = MULTIPART_THRESHOLD,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if not BUCKET_NAME.fullmatch(bucket):
            raise ValueError(f"not an S3 bucket name: {bucket!r}")
        if self.prefix and not relative_key(self.prefix):  # it is a path of the spool too
            raise ValueError(f"not an S3 key prefix (no `.`, `..` or empty parts): {prefix!r}")
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self.spool = LocalArchive(spool_dir or default_spool_dir(bucket, self.prefix))
        self.recheck_seconds = recheck_seconds
        self._down_since: float | None = None
        self._bucket_ready = False
        self._flushing = threading.Lock()
        self.transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_threshold,
            max_concurrency=PARALLEL_PARTS,
        )
        config = Config(
            retries={"mode": "standard", "max_attempts": max_attempts},
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        session = boto3.session.Session()  # resolves credentials afresh, unlike boto3.client
        self.client = session.client("s3", endpoint_url=endpoint_url, config=config)

    @classmethod
    def from_url(cls, url: str) -> S3Archive:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"not an s3://bucket/prefix URL: {url!r}")
        endpoint = Settings.from_env().s3_endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        return cls(parts.netloc, parts.path, endpoint_url=endpoint or None)

    def _s3_key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def key(self, digest: str) -> str:
        return self._s3_key(object_key(digest))

    def check(self) -> None:
        try:
            self._ensure_bucket()
        except (BotoCoreError, ClientError) as error:
            endpoint = self.client.meta.endpoint_url
            if unavailable(error):
                raise ArchiveUnreachable(
                    f"S3 at {endpoint} does not answer ({one_line(error)}); archive writes wait "
                    f"in the spool {self.spool.root} and go up once it is back"
                ) from error
            raise ArchiveUnusable(
                f"S3 at {endpoint} refuses bucket {self.bucket} ({one_line(error)}): check the "
                "AWS credentials, and that the bucket exists or these credentials may make it"
            ) from error

    def _ensure_bucket(self) -> None:
        """Make the bucket unless it is there (asked once per archive)."""
        if self._bucket_ready:
            return
        try:
            self.client.head_bucket(Bucket=self.bucket)
            self._bucket_ready = True
            return
        except ClientError as error:
            if not _missing(error):
                raise
        region = self.client.meta.region_name
        location = (
            {}
            if region in (None, "us-east-1")
            else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        try:
            self.client.create_bucket(Bucket=self.bucket, **location)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
        self._bucket_ready = True

    def _stored(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._s3_key(key))
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def _upload(self, key: str, data: bytes) -> bool:
        """Upload `data` under `key` (a content-addressed object only if absent); the store
        rejects it unless the bytes it received hash to the sha256 sent along. Whether the
        store held the object already."""
        self._ensure_bucket()
        if key.startswith(DIGEST_PREFIX) and self._stored(key):
            return True
        digest = sha256_hex(data)
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._s3_key(key),
            Body=data,
            Metadata={"sha256": digest},
            ChecksumSHA256=sha256_base64(digest),
        )
        return False

    def _upload_file(self, key: str, path: Path, digest: str) -> str:
        """Upload the file at `path`, whose sha256 is `digest`, under `key`, streaming it. In
        one request the store checks the whole against `digest`; in parts it checks each part
        against the sha256 computed as it is sent (S3 takes no sha256 of a whole multipart
        object), and the object keeps `digest` in its metadata."""
        self._ensure_bucket()
        whole = path.stat().st_size < self.transfer.multipart_threshold
        checksum = (
            {"ChecksumSHA256": sha256_base64(digest)} if whole else {"ChecksumAlgorithm": "SHA256"}
        )
        self.client.upload_file(
            str(path),
            self.bucket,
            self._s3_key(key),
            ExtraArgs={"Metadata": {"sha256": digest}, **checksum},
            Config=self.transfer,
        )
        return digest

    def _store(self, upload: Callable[[], T], spool: Callable[[], T]) -> T:
        """Upload, or spool if the store is down: either way durable when this returns."""
        down = self._down_since is not None
        if not down or time.monotonic() - self._down_since >= self.recheck_seconds:
            try:
                if down or any(self.spool.stored_keys()):
                    self.flush_spool()
                return upload()
            except (BotoCoreError, ClientError, S3UploadFailedError, ArchiveUnreachable) as error:
                if not unavailable(error):
                    raise
                self._down_since = time.monotonic()
        return spool()

    def _store_bytes(self, key: str, data: bytes) -> bool:
        """`_store` `data`; whether the store (or the spool) held it already."""

        def spool() -> bool:
            held = self.spool.path(key).exists()  # else unknown: the store may hold it
            write_durably(self.spool.root, key, data)
            return held

        return self._store(lambda: self._upload(key, data), spool)

    def flush_spool(self) -> int:
        try:
            return self._flush_spool()
        except (BotoCoreError, ClientError, S3UploadFailedError) as error:
            if unavailable(error):
                raise ArchiveUnreachable(
                    f"S3 at {self.client.meta.endpoint_url} does not answer "
                    f"({one_line(error)}): what is left stays in the spool {self.spool.root}"
                ) from error
            raise

    def _flush_spool(self) -> int:
        with self._flushing:
            flushed = 0
            for key in self.spool.stored_keys():
                path = self.spool.path(key)
                try:
                    if key.startswith(DIGEST_PREFIX):
                        self._upload(key, verified(key.rsplit("/", 1)[1], path.read_bytes()))
                    else:  # a named object, perhaps a whole WARC file: streamed
                        self._upload_file(key, path, file_sha256(path))
                except FileNotFoundError:
                    continue  # flushed meanwhile by another archive sharing this spool
                path.unlink(missing_ok=True)
                self._prune(path.parent)
                flushed += 1
            self._down_since = None
            return flushed

    def _prune(self, directory: Path) -> None:
        """Remove emptied spool directories, so that looking for spooled objects stays quick."""
        while directory != self.spool.root:
            try:
                directory.rmdir()
            except OSError:
                return  # not empty
            directory = directory.parent

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        self._store_bytes(object_key(digest), data)
        return digest

    def put_many(self, data: Sequence[bytes]) -> list[Stored]:
        """Several uploads at a time: each waits on the network, not on the others. Bytes given
        twice go up once."""
        digests = [sha256_hex(one) for one in data]
        distinct = dict(zip(digests, data, strict=True))
        with ThreadPoolExecutor(max_workers=PARALLEL_UPLOADS) as pool:
            stored = pool.map(self._store_bytes, map(object_key, distinct), distinct.values())
            held = dict(zip(distinct, stored, strict=True))
        return [Stored(digest, held[digest]) for digest in digests]

    def put_named(self, key: str, data: bytes) -> str:
        self._store_bytes(named_key(key), data)
        return sha256_hex(data)

    def put_file(self, key: str, path: Path) -> str:
        key, digest = named_key(key), file_sha256(path)
        return self._store(
            lambda: self._upload_file(key, path, digest), lambda: self.spool.put_file(key, path)
        )

    def _read(self, key: str) -> bytes:
        spooled = self.spool.path(key)
        if spooled.exists():
            return spooled.read_bytes()
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._s3_key(key))
            return response["Body"].read()
        except (BotoCoreError, ClientError) as error:
            if isinstance(error, ClientError) and _missing(error):
                raise FileNotFoundError(f"{self.url}: no object {key}") from error
            if unavailable(error):
                raise self._unreachable(key, error) from error
            raise

    def _unreachable(self, key: str, error: BaseException) -> ArchiveUnreachable:
        return ArchiveUnreachable(
            f"S3 at {self.client.meta.endpoint_url} does not answer ({one_line(error)}) and "
            f"{key} is not in the spool {self.spool.root}"
        )

    def get(self, digest: str) -> bytes:
        return verified(digest, self._read(object_key(digest)))

    def get_named(self, key: str) -> bytes:
        return self._read(named_key(key))

    def exists(self, digest: str) -> bool:
        key = object_key(digest)
        if self.spool.exists(digest):
            return True
        try:
            return self._stored(key)
        except (BotoCoreError, ClientError) as error:
            if unavailable(error):
                raise self._unreachable(key, error) from error
            raise
