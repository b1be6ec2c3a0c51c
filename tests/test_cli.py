"""The `xxgk` command, run as a user runs it: in a subprocess, through its console script."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import xxgk
from spiders.settings import USER_AGENT
from tests.fixtures.render.blocks import SEEDS
from warehouse import Warehouse
from warehouse.summary import EXAMPLE_QUERY
from xxgk.settings import sqlite_url

XXGK = Path(sys.executable).with_name("xxgk")
SEED = SEEDS / "003_351f4af2c3a8fcf1.txt"


def xxgk_command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(XXGK), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_version_is_the_package_s() -> None:
    done = xxgk_command("--version")
    assert (done.returncode, done.stdout) == (0, f"xxgk {xxgk.__version__}\n")
    assert USER_AGENT.startswith(f"xxgk/{xxgk.__version__} ")


def test_sites_filter_prints_a_table_of_the_matches() -> None:
    done = xxgk_command("sites", "--filter", "洛阳市")
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split() == ["id", "level", "province", "city", "county", "start_url"]
    assert any(
        row.split()[:5] == ["410326", "county", "河南省", "洛阳市", "汝阳县"] for row in rows
    )
    assert all("洛阳市" in row for row in rows)
    assert f"{len(rows)} sites" in done.stderr


def test_sites_filter_that_matches_nothing_says_so() -> None:
    done = xxgk_command("sites", "--filter", "no-such-portal")
    assert (done.returncode, done.stdout) == (1, "")
    assert "no site of the registry matches 'no-such-portal'" in done.stderr


def test_parse_prints_a_record_or_an_error_for_every_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 16)
    absent = tmp_path / "absent.pdf"
    done = xxgk_command("parse", str(SEED), str(broken), str(absent), "--jsonl")
    assert done.returncode == 0, done.stderr
    record, corrupt, unreadable = (json.loads(line) for line in done.stdout.splitlines())
    assert record["source"] == {"path": str(SEED)}
    assert (record["schema"], record["organ"], record["year"]) == (
        "xxgk.report/1",
        "洛宁县人民政府",
        2020,
    )
    assert corrupt == {
        "source": {"path": str(broken)},
        "error": {"kind": "corrupt", "message": corrupt["error"]["message"]},
    }
    assert unreadable["error"]["kind"] == "unreadable"
    assert "parsed 3 files" in done.stderr and "corrupt 1, unreadable 1" in done.stderr


def test_parse_without_jsonl_prints_indented_json(tmp_path: Path) -> None:
    done = xxgk_command("parse", str(SEED))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('{\n  "source"')
    assert json.loads(done.stdout)["organ"] == "洛宁县人民政府"


def test_export_from_an_empty_data_dir_says_what_to_do(tmp_path: Path) -> None:
    out = tmp_path / "reports.jsonl"
    done = xxgk_command("export", "--data", str(tmp_path / "empty"), "--out", str(out))
    assert done.returncode == 1
    assert "holds no reports to export" in done.stderr
    assert "run `xxgk demo` or `xxgk run` first" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_export_to_an_unknown_format_is_refused(tmp_path: Path) -> None:
    done = xxgk_command("export", "--data", str(tmp_path), "--out", str(tmp_path / "out.xlsx"))
    assert done.returncode == 2
    assert "cannot tell the format of" in done.stderr and "give --format" in done.stderr


@pytest.mark.parametrize(
    "command",
    [["export", "--out", "x.jsonl"], ["parse", str(SEED)], ["crawl", "http://127.0.0.1:9/"]],
    ids=["export", "parse", "crawl"],
)
def test_a_bad_xxgk_env_exits_2_without_a_traceback(command: list[str], tmp_path: Path) -> None:
    done = xxgk_command(*command, env={"XXGK_ENV": "nowhere", "XXGK_DATA_DIR": str(tmp_path)})
    assert done.returncode == 2
    assert "XXGK_ENV='nowhere': use one of local, production" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_crawl_with_nothing_to_crawl_exits_2(tmp_path: Path) -> None:
    done = xxgk_command("crawl", "--registry-filter", "no-such-portal", "--data", str(tmp_path))
    assert done.returncode == 2
    assert "nothing to crawl" in done.stderr


def test_demo_on_a_port_in_use_says_to_choose_another(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = xxgk_command("demo", "--port", port, "--data", str(tmp_path))
    assert done.returncode == 2
    assert f"cannot serve the demo portal on 127.0.0.1:{port}" in done.stderr
    assert "choose another port with --port" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_summary_s_example_query_is_asked_of_the_warehouse(tmp_path: Path) -> None:
    warehouse = Warehouse(sqlite_url(tmp_path / "warehouse.db"))
    warehouse.migrate()
    query, columns, rows = warehouse.example_query()
    assert query == EXAMPLE_QUERY
    assert columns == ["organ", "year", "requests", "granted", "pct_granted"]
    assert rows == []
