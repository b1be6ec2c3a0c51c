from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.s3server import s3_endpoint, s3_env  # noqa: F401  (fixtures)
from xxgk.archive import Archive, DigestMismatch, LocalArchive, object_key, open_archive
from xxgk.s3archive import S3Archive

DATA = "洛宁县人民政府2020年政府信息公开工作年度报告".encode()


def stored_keys(archive: Archive) -> list[str]:
    if isinstance(archive, LocalArchive):
        files = (path for path in archive.root.rglob("*") if path.is_file())
        return sorted(str(path.relative_to(archive.root)) for path in files)
    assert isinstance(archive, S3Archive)
    listing = archive.client.list_objects_v2(Bucket=archive.bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def overwrite(archive: Archive, digest: str, data: bytes) -> None:
    """Change a stored object behind the archive's back."""
    if isinstance(archive, LocalArchive):
        (archive.root / object_key(digest)).write_bytes(data)
        return
    assert isinstance(archive, S3Archive)
    archive.client.put_object(Bucket=archive.bucket, Key=archive.key(digest), Body=data)


@pytest.fixture(params=["local", "s3"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Archive:
    if request.param == "local":
        return open_archive(str(tmp_path / "archive"))
    request.getfixturevalue("s3_env")
    return open_archive(f"s3://xxgk-{secrets.token_hex(4)}/raw/")


def test_put_get_round_trip(archive: Archive) -> None:
    digest = archive.put(DATA)
    assert archive.exists(digest)
    assert archive.get(digest) == DATA
    assert not archive.exists("0" * 64)


def test_put_is_idempotent(archive: Archive) -> None:
    assert archive.put(DATA) == archive.put(DATA)
    assert len(stored_keys(archive)) == 1


def test_missing_object(archive: Archive) -> None:
    with pytest.raises(FileNotFoundError):
        archive.get("0" * 64)


def test_corrupt_object_is_detected(archive: Archive) -> None:
    digest = archive.put(DATA)
    overwrite(archive, digest, DATA + b"\x00")
    with pytest.raises(DigestMismatch):
        archive.get(digest)


def test_s3_layout_and_metadata(s3_env: str) -> None:  # noqa: F811
    archive = open_archive("s3://xxgk-layout/raw/")
    assert isinstance(archive, S3Archive)
    assert archive.url == "s3://xxgk-layout/raw"
    digest = archive.put(DATA)
    assert stored_keys(archive) == [f"raw/{object_key(digest)}"]
    head = archive.client.head_object(Bucket=archive.bucket, Key=archive.key(digest))
    assert head["Metadata"]["sha256"] == digest


def test_s3_credentials_come_from_the_environment(
    s3_env: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    with pytest.raises(ClientError):
        S3Archive.from_url("s3://xxgk-denied")


def test_open_archive_local(tmp_path: Path) -> None:
    assert isinstance(open_archive(f"file://{tmp_path}"), LocalArchive)
    with pytest.raises(ValueError):
        S3Archive.from_url("s3:///no-bucket")
