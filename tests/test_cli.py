"""The `xxgk` command, run as a user runs it: in a subprocess, through its console script."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import xxgk
from dagster_project.partitions import site_key_for, start_url_for
from spiders.settings import USER_AGENT
from tests.fixtures.render.blocks import SEEDS
from tests.s3server import s3_endpoint, s3_env  # noqa: F401
from warehouse import Warehouse
from warehouse.summary import EXAMPLE_QUERY
from xxgk.cli.stores import STORE_UNUSABLE
from xxgk.cli.summary import print_summary
from xxgk.demo.portal import DemoPortal
from xxgk.pipeline import RunSummary, unreachable_reason
from xxgk.records import Capture, Error, ErrorKind
from xxgk.settings import Settings, sqlite_url

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


def test_parse_of_a_file_name_that_is_not_utf8_prints_valid_utf8(tmp_path: Path) -> None:
    name = "报告".encode("gb18030") + b".txt"  # as unzip leaves a GBK archive's names
    path = os.fsencode(tmp_path) + b"/" + name
    with open(path, "wb") as out:
        out.write(SEED.read_bytes())
    done = subprocess.run(
        [os.fsencode(XXGK), b"parse", b"--jsonl", path, path + b".absent"],
        capture_output=True,
        timeout=300,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    record, absent = (json.loads(line) for line in done.stdout.decode("utf-8").splitlines())
    assert os.fsencode(record["source"]["path"]) == path  # the escapes give the bytes back
    assert record["organ"] == "洛宁县人民政府"
    assert '"path": "' + os.fsdecode(tmp_path) + "/\\udcb1\\udca8" in done.stdout.decode()
    assert absent["error"]["kind"] == "unreadable"


def test_ui_runs_the_dagster_beside_its_python_without_it_on_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from xxgk.cli.ui import dagster_executable

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert dagster_executable() == str(Path(sys.executable).with_name("dagster"))
    version = subprocess.run(
        [dagster_executable(), "--version"], capture_output=True, text=True, timeout=120
    )
    assert version.returncode == 0 and "dagster" in version.stdout


ABSENT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/xxgk_no_such_database"
NOTHING_LISTENS = "postgresql+psycopg://postgres@127.0.0.1:9/test"


@pytest.mark.parametrize(
    ("command", "url", "said", "within"),
    [
        (["run", "--start-url", "http://127.0.0.1:9/"], ABSENT_DATABASE, "refuses to be used", 10),
        (["demo", "--port", "0"], ABSENT_DATABASE, "refuses to be used", 10),
        (["export", "--out", "x.jsonl"], ABSENT_DATABASE, "refuses to be used", 10),
        (["run", "--start-url", "http://127.0.0.1:9/"], NOTHING_LISTENS, "does not answer", 15),
    ],
    ids=["run-absent", "demo-absent", "export-absent", "run-refused"],
)
def test_a_warehouse_it_cannot_use_is_told_in_seconds_in_one_line(
    command: list[str], url: str, said: str, within: float, tmp_path: Path
) -> None:
    started = time.monotonic()
    done = xxgk_command(*command, "--data", str(tmp_path), env={"XXGK_DATABASE_URL": url})
    took = time.monotonic() - started
    assert done.returncode == STORE_UNUSABLE
    first, *rest = done.stderr.splitlines()
    assert first.startswith(f"xxgk {command[0]}: the warehouse {url} {said} (")
    assert "XXGK_DATABASE_URL" in first
    assert rest == [] and done.stdout == ""
    assert took < within
    assert not (tmp_path / "crawls").exists()  # nothing was crawled


def test_an_archive_that_refuses_is_told_in_seconds_and_a_bad_url_is_a_mistake(
    s3_env: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    denied = {"XXGK_ARCHIVE_URL": "s3://xxgk-denied/raw", "AWS_SECRET_ACCESS_KEY": "wrong"}
    started = time.monotonic()
    done = xxgk_command("crawl", "http://127.0.0.1:9/", "--data", str(tmp_path), env=denied)
    assert time.monotonic() - started < 10
    assert done.returncode == STORE_UNUSABLE
    (line,) = done.stderr.splitlines()
    assert line.startswith(
        f"xxgk crawl: the archive s3://xxgk-denied/raw: S3 at {s3_env} refuses bucket xxgk-denied ("
    )
    assert (
        "(403) when calling the HeadBucket operation: Forbidden): check the AWS credentials" in line
    )
    escaping = {"XXGK_ARCHIVE_URL": "s3://xxgk/../../x", "XXGK_S3_SPOOL_DIR": str(tmp_path)}
    done = xxgk_command("crawl", "http://127.0.0.1:9/", "--data", str(tmp_path), env=escaping)
    assert done.returncode == 2
    assert "XXGK_ARCHIVE_URL='s3://xxgk/../../x': not an S3 key prefix" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_local_archive_it_cannot_make_stops_the_crawl_before_it_starts(tmp_path: Path) -> None:
    (tmp_path / "archive").write_text("a file where the archive should be")
    done = xxgk_command(
        "crawl", "http://127.0.0.1:9/", "--data", str(tmp_path),
        env={"XXGK_ARCHIVE_URL": str(tmp_path / "archive")},
    )  # fmt: skip
    assert done.returncode == STORE_UNUSABLE
    assert done.stderr.splitlines() == [
        f"xxgk crawl: the archive {tmp_path / 'archive'}: cannot make the archive directory: "
        f"[Errno 17] File exists: '{tmp_path / 'archive'}'"
    ]
    assert not (tmp_path / "crawls").exists()


def test_start_url_has_help_text() -> None:
    done = xxgk_command("run", "--help")
    assert "--start-url URL       a portal's home page, http(s)://host/…" in done.stdout


#: Lines of libraries that an operator has nothing to do about, at the default level.
LIBRARY_NOISE = (
    "[scrapy",  # Scrapy's versions, settings, middlewares, stats
    "Warning: ",  # Dagster's beta, preview and deprecation warnings
    "Disabled ",  # a middleware off, as it usually is
    "Context impl",  # Alembic's migration context
    "alembic",  # Alembic's plugin lines
    "Telemetry:",  # Dagster's banner on its first use on a machine
    "Traceback",
)
#: What only a progress bar writes (a pipe turns its carriage returns into line ends).
BAR_MARKS = ("pages fetched:", "documents parsed:", "portals:", "/s]", "\x1b[")
#: The lines of a terminal's first screen.
SCREEN = 24


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flag", "heard", "unheard"),
    [
        ([], ["spiders.portal INFO crawling portal", "spiders.portal WARNING"], [" DEBUG "]),
        (["-q"], ["spiders.portal WARNING"], [" INFO ", " DEBUG "]),
        (
            ["-v"],  # the crawl's own debug lines too: its process follows the command's level
            ["spiders.downloadermiddlewares.replay DEBUG XXGK_RESUME_CAPTURES is not set"],
            [],
        ),
    ],
)
def test_demo_says_as_much_as_asked_and_its_summary_on_the_first_screen(
    flag: list[str], heard: list[str], unheard: list[str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [str(XXGK), *flag, "demo", "--port", "0", "--data", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert all(any(part in line for line in lines) for part in heard), done.stdout
    assert not [line for line in lines if any(part in line for part in unheard)]
    if flag != ["-v"]:
        assert not [line for line in lines if any(part in line for part in LIBRARY_NOISE)]
        assert lines.index("xxgk pipeline finished") < SCREEN
    assert not [line for line in lines if any(mark in line for mark in BAR_MARKS)]


@pytest.mark.slow
def test_a_rerun_of_the_demo_on_a_fresh_machine_says_no_more_than_its_first_run(
    tmp_path: Path,
) -> None:
    """A home without `~/.dagster` (as on a fresh machine: Dagster's telemetry banner would come
    first); the same port both times, so the rerun recrawls the same portal."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = str(free.getsockname()[1])
    home = tmp_path / "home"
    home.mkdir()
    said = []
    for _ in range(2):
        done = subprocess.run(
            [str(XXGK), "demo", "--port", port, "--data", str(tmp_path / "data")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
            env={**os.environ, "HOME": str(home)},
        )
        assert done.returncode == 0, done.stdout
        lines = done.stdout.splitlines()
        assert not [line for line in lines if any(part in line for part in LIBRARY_NOISE)]
        assert not [line for line in lines if any(mark in line for mark in BAR_MARKS)]
        assert lines.index("xxgk pipeline finished") < SCREEN // 2
        said.append(lines)
    first, rerun = said
    assert len(rerun) <= len(first) <= 40
    assert any("unchanged since the last crawl" in line for line in rerun)
    assert not (home / ".dagster").exists()


class HomeWithoutReports(BaseHTTPRequestHandler):
    """A portal that answers, with a home page that leads nowhere."""

    def do_GET(self) -> None:
        body = "<html><head><title>首页</title></head><body>欢迎</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.slow  # the portal that refuses is retried with backoff: some 35 s
def test_run_names_each_portal_without_reports_by_url_and_reason(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.3", 0))
        refusing = f"http://127.0.0.3:{closed.getsockname()[1]}/"
    answering = ThreadingHTTPServer(("127.0.0.2", 0), HomeWithoutReports)
    threading.Thread(target=answering.serve_forever, daemon=True).start()
    empty = f"http://127.0.0.2:{answering.server_address[1]}/"
    try:
        with DemoPortal() as portal:
            done = xxgk_command(
                "run", "--no-polite", "--data", str(tmp_path),
                *("--start-url", portal.url, "--start-url", refusing, "--start-url", empty),
            )  # fmt: skip
    finally:
        answering.shutdown()
        answering.server_close()
    assert done.returncode == 1, done.stderr
    summary = done.stdout.splitlines()
    start = summary.index("xxgk pipeline finished")
    assert summary[start + 1 : start + 6] == [
        "  sites crawled          3 (1 unreachable, 1 no reports found)",
        "  unreachable:",
        f"    {refusing}  connection (DownloadConnectionRefusedError: Connection was refused by "
        "other side: 111: Connection refused.)",
        "  no reports found:",
        f"    {empty}  no_report_column (no annual-report column reached; 1 page(s) tried: "
        f"{empty})",
    ]
    assert "  reports parsed         5" in summary  # the demo portal's
    (errors,) = [line for line in summary if line.startswith("  errors recorded")]
    assert "connection 1" in errors and "no_report_column 1" in errors
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("kind", "message", "reason"),
    [
        ("dns", "", "dns (the host name does not resolve)"),
        ("connection", "", "connection (the connection was refused, lost or cut short)"),
        ("timeout", "", "timeout (no answer within the download timeout, still after the retries)"),
        (
            "connection",
            "Connection was refused by other side: 111",
            "connection (Connection was refused by other side: 111)",
        ),
    ],
)
def test_an_unreachable_portal_is_named_by_its_url_with_the_reason(
    kind: ErrorKind, message: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary names the portal by its start URL, not its partition key (percent-encoded),
    and says why its home page never answered (what the crawl said, else what the kind means),
    its robots.txt's failure aside."""
    url = "http://www.portal.invalid/"
    captures = [
        Capture(f"{url}robots.txt", url, "robots", error=Error("connection", "refused")),
        Capture(url, url, "home", error=Error(kind, message)),
    ]
    assert unreachable_reason(captures) == reason
    summary = RunSummary(sites=1, unreachable={start_url_for(site_key_for(url)): reason})
    warehouse = tmp_path / "warehouse.db"
    Warehouse(sqlite_url(warehouse)).migrate()
    settings = Settings.from_env(str(tmp_path))
    print_summary(summary, settings)
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("  sites crawled          1 (1 unreachable)")
    assert lines[start + 1 : start + 3] == ["  unreachable:", f"    {url}  {reason}"]


@pytest.mark.slow  # the portal that refuses is retried with backoff: some 35 s
def test_crawl_of_a_portal_that_never_answers_says_so_and_fails(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.3", 0))
        refusing = f"http://127.0.0.3:{closed.getsockname()[1]}/"
    done = xxgk_command("crawl", "--no-polite", "--data", str(tmp_path), refusing)
    assert done.returncode == 1, done.stderr
    assert f"xxgk.cli.crawl WARNING unreachable: {refusing} (connection)" in done.stderr
    assert Path(done.stdout.strip()).is_file()  # its capture log, all the same
