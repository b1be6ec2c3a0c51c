from __future__ import annotations

import base64
import hashlib
import os
import secrets
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.s3server import WeedServer, point_aws_at, s3_endpoint, s3_env  # noqa: F401
from xxgk.archive import (
    Archive,
    ArchiveUnreachable,
    ArchiveUnusable,
    DigestMismatch,
    LocalArchive,
    open_archive,
)
from xxgk.archive.base import PART_PREFIX, named_key, object_key, sha256_hex
from xxgk.archive.s3 import S3Archive

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
    archive = S3Archive.from_url("s3://xxgk-denied")  # asks the store nothing yet
    started = time.monotonic()
    with pytest.raises(ArchiveUnusable, match="credentials"):  # not transient: no retries
        archive.check()
    assert time.monotonic() - started < 5
    with pytest.raises(ClientError):
        archive.put(DATA)


def test_open_archive_local(tmp_path: Path) -> None:
    assert isinstance(open_archive(f"file://{tmp_path}"), LocalArchive)
    with pytest.raises(ValueError):
        S3Archive.from_url("s3:///no-bucket")


def test_named_objects_round_trip_and_replace(archive: Archive) -> None:
    assert archive.put_named("warc/crawl-1.bin", b"one") == sha256_hex(b"one")
    archive.put_named("warc/crawl-1.bin", DATA)
    assert archive.get_named("warc/crawl-1.bin") == DATA
    with pytest.raises(FileNotFoundError):
        archive.get_named("warc/absent.bin")
    assert archive.flush_spool() == 0


def test_put_file_stores_a_file_under_its_name(archive: Archive, tmp_path: Path) -> None:
    source = tmp_path / "crawl-00000.bin"
    data = os.urandom(3 << 20) + DATA
    source.write_bytes(data)
    assert archive.put_file("warc/crawl-00000.bin", source) == sha256_hex(data)
    assert archive.get_named("warc/crawl-00000.bin") == data
    assert source.read_bytes() == data
    with pytest.raises(ValueError):
        archive.put_file("sha256/ab/cd/not-a-name", source)


def test_local_objects_are_readable_by_everyone(tmp_path: Path) -> None:
    archive = LocalArchive(tmp_path / "archive")
    source = tmp_path / "crawl.bin"
    source.write_bytes(DATA)
    archive.put(DATA)
    archive.put_many([b"one", b"two"])
    archive.put_named("warc/crawl.cdxj", DATA)
    archive.put_file("warc/crawl.bin", source)
    files = [path for path in archive.root.rglob("*") if path.is_file()]
    assert len(files) == 5
    assert not [path for path in files if path.name.startswith(PART_PREFIX)]
    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o644}


def test_s3_put_file_goes_up_in_parts_above_the_threshold_each_checksummed(
    s3_env: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    part = 5 << 20  # the least part size S3 takes
    archive = S3Archive(f"xxgk-{secrets.token_hex(4)}", "raw", s3_env, multipart_threshold=part)
    big, small = tmp_path / "big.bin", tmp_path / "small.bin"
    big.write_bytes(os.urandom(12 << 20))
    small.write_bytes(os.urandom(part - 1))
    for path in (big, small):
        digest = archive.put_file(f"warc/{path.name}", path)
        data = path.read_bytes()
        assert archive.get_named(f"warc/{path.name}") == data
        head = archive.client.head_object(
            Bucket=archive.bucket, Key=f"raw/warc/{path.name}", ChecksumMode="ENABLED"
        )
        assert head["Metadata"]["sha256"] == digest == sha256_hex(data)
        if path is small:  # one request, checked whole against the sha256 sent along
            assert "-" not in head["ETag"]
            assert head["ChecksumSHA256"] == base64.b64encode(bytes.fromhex(digest)).decode()
            continue
        # three parts, each checked against its own sha256: S3's composite checksum
        parts = [
            hashlib.sha256(data[start : start + part]).digest() for start in (0, part, 2 * part)
        ]
        composite = base64.b64encode(hashlib.sha256(b"".join(parts)).digest()).decode()
        assert head["ETag"].endswith('-3"')
        assert head["ChecksumSHA256"] == f"{composite}-3"


@pytest.mark.parametrize(
    "key", ["", "/etc/passwd", "../x", "a/../b", "a//b", "sha256/ab", "a/", "sha256", "a\\..\\b"]
)
def test_bad_names_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        named_key(key)


@pytest.fixture
def weed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WeedServer]:
    """A SeaweedFS server of this test's own, which it may stop and restart."""
    (tmp_path / "weed").mkdir()
    server = WeedServer(tmp_path / "weed")
    point_aws_at(monkeypatch, server.endpoint)
    server.start()
    yield server
    server.stop()


def s3_archive(weed: WeedServer, spool: Path, **options: float) -> S3Archive:
    return S3Archive("xxgk-faults", "raw", weed.endpoint, spool_dir=spool, **options)


def test_writes_spool_while_the_store_is_down_and_flush_when_it_is_back(
    weed: WeedServer, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    archive = s3_archive(weed, spool, max_attempts=2, recheck_seconds=0)
    blobs = [f"{index}: {DATA.decode()}".encode() for index in range(12)]
    digests = [archive.put(blob) for blob in blobs[:4]]
    assert list(archive.spool.stored_keys()) == []
    weed.stop()
    digests += [archive.put(blob) for blob in blobs[4:8]]  # acknowledged: fsynced in the spool
    archive.put_named("warc/down.cdxj", DATA)
    warc = tmp_path / "down.bin"
    warc.write_bytes(os.urandom(1 << 20))
    assert archive.put_file("warc/down.bin", warc) == sha256_hex(warc.read_bytes())
    assert len(list(archive.spool.stored_keys())) == 6
    assert [archive.get(digest) for digest in digests[4:]] == blobs[4:8]  # from the spool
    with pytest.raises(ArchiveUnreachable):
        archive.flush_spool()
    weed.start()
    digests.append(archive.put(blobs[8]))  # the first write once the store is back flushes
    assert list(archive.spool.stored_keys()) == []
    weed.stop()
    digests += [archive.put(blob) for blob in blobs[9:]]
    weed.start()
    # a new process on the same spool, as after a crash, finds and uploads what was spooled
    assert s3_archive(weed, spool).flush_spool() == 3
    assert list(spool.rglob("*")) == []
    elsewhere = s3_archive(weed, tmp_path / "empty-spool")
    assert [elsewhere.get(digest) for digest in digests] == blobs
    assert elsewhere.get_named("warc/down.cdxj") == DATA
    assert elsewhere.get_named("warc/down.bin") == warc.read_bytes()
    for digest in digests:
        head = elsewhere.client.head_object(Bucket=elsewhere.bucket, Key=elsewhere.key(digest))
        assert head["Metadata"]["sha256"] == digest


def test_a_corrupt_spooled_object_is_not_uploaded(weed: WeedServer, tmp_path: Path) -> None:
    archive = s3_archive(weed, tmp_path / "spool", max_attempts=1, recheck_seconds=0)
    weed.stop()
    digest = archive.put(DATA)
    archive.spool.path(object_key(digest)).write_bytes(DATA + b"\x00")
    weed.start()
    with pytest.raises(DigestMismatch):
        archive.flush_spool()
    assert not s3_archive(weed, tmp_path / "empty-spool").exists(digest)


def test_a_short_outage_loses_no_write(weed: WeedServer, tmp_path: Path) -> None:
    archive = s3_archive(weed, tmp_path / "spool", recheck_seconds=0)
    weed.stop()
    restart = threading.Timer(1.0, weed.start)
    restart.start()
    digest = archive.put(DATA)  # uploaded by a retry, or spooled if the store was slower
    restart.join()
    archive.flush_spool()
    assert list(archive.spool.stored_keys()) == []
    assert s3_archive(weed, tmp_path / "empty-spool").get(digest) == DATA


def test_with_the_store_down_an_archive_opens_writes_and_reads_within_seconds(
    weed: WeedServer, tmp_path: Path
) -> None:
    """Default retries and timeouts: S3 down is told in seconds, and the spool serves."""
    weed.stop()
    started = time.monotonic()
    archive = s3_archive(weed, tmp_path / "spool")
    with pytest.raises(ArchiveUnreachable, match="does not answer"):
        archive.check()
    digest = archive.put(DATA)
    archive.put_named("crawls/site/run.jsonl", DATA)
    # another process, as a later step of the run: reads what the spool holds
    reader = s3_archive(weed, tmp_path / "spool")
    assert reader.get(digest) == DATA
    assert reader.get_named("crawls/site/run.jsonl") == DATA
    assert reader.exists(digest)
    for read in (reader.get, reader.exists):
        with pytest.raises(ArchiveUnreachable, match="not in the spool"):
            read(sha256_hex(b"never stored"))
    with pytest.raises(ArchiveUnreachable):
        reader.flush_spool()
    assert time.monotonic() - started < 20
    weed.start()
    reader.check()
    assert reader.flush_spool() == 2
    assert s3_archive(weed, tmp_path / "empty-spool").get(digest) == DATA


DIGESTS_THAT_ARE_PATHS = ["../../etc/hostname", "../../../../../../etc/hostname", "A" * 64,
                          "0" * 63, "0" * 64 + "\n", "sha256/" + "0" * 57]  # fmt: skip


@pytest.mark.parametrize("digest", DIGESTS_THAT_ARE_PATHS)
def test_a_digest_that_is_not_64_lowercase_hex_digits_is_refused_before_any_access(
    digest: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "hostname").write_text("a file outside the archive")
    local = LocalArchive(tmp_path / "a" / "archive")
    point_aws_at(monkeypatch, "http://127.0.0.1:9")  # nothing listens: a request would fail
    remote = S3Archive("xxgk-keys", "raw", "http://127.0.0.1:9", spool_dir=tmp_path / "a" / "sp")
    for archive in (local, remote):
        for read in (archive.exists, archive.get):
            with pytest.raises(ValueError, match="not a sha256 digest"):
                read(digest)
    assert not (tmp_path / "a").exists()


@pytest.mark.parametrize(
    "url", ["s3://xxgk/../../x", "s3://xxgk/raw/../../../x", "s3://xxgk/./x", "s3://../x",
            "s3://xxgk/a\\..\\..\\x"]
)  # fmt: skip
def test_an_s3_url_cannot_put_the_spool_outside_its_directory(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XXGK_S3_SPOOL_DIR", str(tmp_path / "spools" / "here"))
    with pytest.raises(ValueError, match="not an S3"):
        open_archive(url)
    archive = open_archive("s3://xxgk/raw/2026")
    assert isinstance(archive, S3Archive)
    assert archive.spool.root == tmp_path / "spools" / "here" / "xxgk" / "raw" / "2026"
    assert list(tmp_path.rglob("*")) == []
