"""The raw archive on S3-compatible storage (AWS S3, SeaweedFS, MinIO, ...).

The endpoint comes from `XXGK_S3_ENDPOINT_URL` or the standard `AWS_ENDPOINT_URL`;
credentials and region only from the standard AWS chain (environment, profile, instance role).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from xxgk.archive import object_key, sha256_hex, verified

RETRIES = {"mode": "adaptive", "max_attempts": 10}
NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in NOT_FOUND


class S3Archive:
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        config = Config(
            retries=RETRIES,
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        session = boto3.session.Session()  # resolves credentials afresh, unlike boto3.client
        self.client = session.client("s3", endpoint_url=endpoint_url, config=config)
        self._ensure_bucket()

    @classmethod
    def from_url(cls, url: str) -> S3Archive:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"not an s3://bucket/prefix URL: {url!r}")
        endpoint = os.environ.get("XXGK_S3_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL")
        return cls(parts.netloc, parts.path, endpoint_url=endpoint or None)

    def key(self, digest: str) -> str:
        key = object_key(digest)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _ensure_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
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

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        if not self.exists(digest):
            self.client.put_object(
                Bucket=self.bucket, Key=self.key(digest), Body=data, Metadata={"sha256": digest}
            )
        return digest

    def get(self, digest: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(digest))
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(f"{self.url}: no object {digest}") from error
            raise
        return verified(digest, response["Body"].read())

    def exists(self, digest: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(digest))
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True
