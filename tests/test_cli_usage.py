"""A user's mistakes with the `xxgk` command: one line saying what is wrong, a distinct exit
status, no traceback, and nothing left behind."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import XXGK, xxgk_command
from warehouse import Warehouse
from xxgk.cli import BROKEN_PIPE, command_line
from xxgk.cli.crawl import start_urls
from xxgk.cli.stores import STORE_UNUSABLE


def first_line(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    return done.stderr.splitlines()[0] if done.stderr else ""


@pytest.mark.parametrize(
    ("args", "status", "first"),
    [
        (["export", "--out", "out.xlsx"], 2, "xxgk export: cannot tell the format of out.xlsx"),
        (["sites", "--filter", "no-such-portal"], 1, "xxgk sites: no site of the registry"),
        (
            ["run", "--start-url", "not-a-url"],
            2,
            "xxgk run: argument --start-url: 'not-a-url' is not a portal's URL: give its home page",
        ),
        (
            ["crawl", "ftp://portal.invalid/"],
            2,
            "xxgk crawl: argument URL: 'ftp://portal.invalid/'",
        ),
        (["run", "not-a-url"], 2, "xxgk run: argument URL: 'not-a-url' is not a portal's URL"),
        (["crawl", "--start-url", "portal"], 2, "xxgk crawl: argument --start-url: 'portal'"),
        (["run"], 2, "xxgk run: nothing to run: give URLs or a --registry-filter"),
        (["parse"], 2, "xxgk parse: the following arguments are required: FILE"),
        (["frobnicate"], 2, "xxgk: argument COMMAND: invalid choice: 'frobnicate'"),
        (["run", "-v", "-q"], 2, "xxgk run: argument -q/--quiet: not allowed with argument -v"),
    ],
)
def test_a_bad_usage_is_one_line_and_a_distinct_status(
    args: list[str], status: int, first: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [str(XXGK), *args], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == status, done.stderr
    assert first_line(done).startswith(first)
    assert len(done.stderr.splitlines()) == 1, done.stderr


def test_parse_where_no_file_gives_a_record_fails(tmp_path: Path) -> None:
    """Each file still gets its line (a batch goes on past a bad file), but a batch with no
    record at all exits 1."""
    (noise := tmp_path / "noise.pdf").write_bytes(b"not a pdf at all")
    done = xxgk_command("parse", "--jsonl", str(noise), str(tmp_path / "gone.pdf"))
    assert done.returncode == 1, done.stderr
    corrupt, gone = (json.loads(line)["error"] for line in done.stdout.splitlines())
    assert (corrupt["kind"], gone["kind"]) == ("corrupt", "unreadable")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("out_name", "options"), [("out.jsonl", []), ("out.parquet", []), ("out.csv", ["--wide"])]
)
def test_export_of_a_missing_warehouse_says_so_and_writes_nothing(
    out_name: str, options: list[str], tmp_path: Path
) -> None:
    data, out = tmp_path / "data", tmp_path / out_name
    done = xxgk_command("export", "--data", str(data), "--out", str(out), *options)
    assert done.returncode == STORE_UNUSABLE
    assert first_line(done) == (
        f"xxgk export: no warehouse at {data / 'warehouse.db'}: run `xxgk demo` or `xxgk run` "
        "first, or point --data or XXGK_DATABASE_URL at a warehouse"
    )
    assert not data.exists() and not out.exists()


def test_output_cut_short_by_its_reader_ends_quietly() -> None:
    sites = subprocess.Popen([str(XXGK), "sites"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert sites.stdout is not None and sites.stderr is not None
    sites.stdout.readline()
    sites.stdout.close()  # as `xxgk sites | head -1` does
    stderr = sites.stderr.read().decode()
    assert sites.wait(timeout=60) == BROKEN_PIPE
    assert stderr == ""


@pytest.mark.parametrize("command", ["run", "crawl"])
def test_run_and_crawl_take_urls_the_same_way(command: str) -> None:
    given = ["http://a.gov.cn/", "http://b.gov.cn/"]
    again = ["--start-url", "http://a.gov.cn/", "--start-url", "http://c.gov.cn/"]
    args = command_line().parse_args([command, *given, *again])
    assert start_urls(args) == ["http://a.gov.cn/", "http://b.gov.cn/", "http://c.gov.cn/"]


@pytest.mark.parametrize(
    "argv",
    [
        ["-q", "report", "coverage"],
        ["report", "coverage", "-q"],
        ["export", "--out", "x.csv", "-q"],
        ["run", "http://www.example.gov.cn/", "--quiet"],
    ],
)
def test_loudness_is_taken_before_or_after_any_command(argv: list[str]) -> None:
    assert command_line().parse_args(argv).log_level == "WARNING"


@pytest.mark.parametrize("command", ["demo --port", "ui --demo --demo-port", "browse --port"])
def test_a_port_in_use_is_one_line_naming_the_option_to_change(
    command: str, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        *words, option = command.split()
        Warehouse(f"sqlite:///{tmp_path}/warehouse.db").migrate()
        done = xxgk_command(*words, option, port, "--data", str(tmp_path))
    assert done.returncode == 2
    assert f"127.0.0.1:{port}" in first_line(done) and f"with {option}" in first_line(done)
