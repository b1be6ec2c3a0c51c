"""Shared by the warehouse tests: a warehouse on SQLite and on PostgreSQL, and its inputs.

PostgreSQL comes from `XXGK_TEST_POSTGRES_URL` (default: the local server's `test` database);
each session works in a database of its own, and each test in a schema of its own.
Import the fixtures into a test module: `from tests.warehouse_fixtures import postgres_database,
wh`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from warehouse import Warehouse
from xxgk.records import Capture, Document, Error, PageMetadata, ParseResult

EXPECTED = Path(__file__).parent / "fixtures" / "expected"
POSTGRES_URL = os.environ.get(
    "XXGK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
VERSION = "parser-1"
#: What the report page of each of `inputs`' documents prints above its article.
PUBLICATIONS = [
    {"index_number": "11410326005209186X/2020-00003", "publisher": "汝阳县人民政府办公室",
     "document_number": None, "issued_on": "2020-01-15", "written_on": "2020-01-14"},
    {"index_number": "114108250055436330/2023-00012", "publisher": "温县人民政府办公室",
     "document_number": "温政办〔2023〕2号", "issued_on": "2023-01-18", "written_on": None},
    {"index_number": None, "publisher": "固原市人民政府办公室", "document_number": None,
     "issued_on": "2020-04-08", "written_on": None},  # past the deadline, 31 March
    {"index_number": "11410328005514023T/2021-00001", "publisher": None,
     "document_number": None, "issued_on": "2021-01-25", "written_on": "2021-01-20"},
    {"index_number": None, "publisher": "驻马店市人民政府", "document_number": None,
     "issued_on": "2020-01-10", "written_on": None},
    {"index_number": "11640000MB1234567X/2021-00031", "publisher": "宁夏回族自治区人民政府办公厅",
     "document_number": "宁政办发〔2021〕5号", "issued_on": "2021-03-02", "written_on": None},
]  # fmt: skip


@contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """A database of its own on the server of `server_url`, named `<prefix>_<random>`, dropped
    afterwards (open connections and all): its URL."""
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{secrets.token_hex(4)}"
    with server.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        server.dispose()


def postgres_test_database(prefix: str) -> AbstractContextManager[str]:
    """`fresh_database` on the test server; the test skipped if PostgreSQL is not there."""
    server = create_engine(POSTGRES_URL)
    try:
        server.connect().close()
    except OperationalError as error:
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {error.orig}")
    finally:
        server.dispose()
    return fresh_database(POSTGRES_URL, prefix)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[URL]:
    with postgres_test_database("xxgk_test") as url:
        yield make_url(url)


def postgres_schema_url(database: URL) -> str:
    schema = f"t_{secrets.token_hex(4)}"
    engine = create_engine(database)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    url = database.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def wh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/nested/warehouse.db"
    else:
        url = postgres_schema_url(request.getfixturevalue("postgres_database"))
    warehouse = Warehouse(url)
    yield warehouse
    warehouse.dispose()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def expected_records() -> list[dict[str, Any]]:
    records = []
    for path in sorted(EXPECTED.glob("*.json")):
        record = json.loads(path.read_text())
        record.pop("notes")
        record["checks"] = [
            {"name": "applications.rows", "passed": True, "detail": "23 rows add up"},
            {"name": "review_litigation.groups", "passed": None, "detail": "a cell is null"},
        ]
        record["sections"] = {"overview": f"{record['organ']}概述", "problems": "", "other": "无"}
        records.append(record)
    return records


Inputs = dict[str, list[Any]]


def inputs(records: list[dict[str, Any]]) -> Inputs:
    """What the crawl and parse steps produce for these records, plus one file that is no report
    (a notice, on a report page that prints its metadata): `captures`, `documents`, `results`
    as `Warehouse.load` takes them, every result of parser version `VERSION`."""
    captures: list[Capture] = []
    documents: list[Document] = []
    results: list[ParseResult] = []
    for index, record in enumerate([*records, None]):
        site = f"http://www.gov{index}.example.cn/"
        page, attachment = f"{site}xxgk/{index}.html", f"{site}files/{index}.pdf"
        fetched_at = f"2024-05-0{index + 1}T08:00:00+08:00"
        sha = digest(attachment)
        captures += [
            Capture(page, site, "report_page", 200, fetched_at, {"Content-Type": "text/html"},
                    referer=site, title=f"报告{index}", attachments=[attachment],
                    media_type="text/html", sha256=digest(page), size=100, found_by="json_list"),
            Capture(attachment, site, "attachment", 200, fetched_at,
                    {"Content-Type": "application/pdf"}, referer=page, title=f"报告{index}",
                    report_page_url=page, file_name=f"{index}.pdf",
                    media_type="application/pdf", sha256=sha, size=2000, found_by="links"),
        ]  # fmt: skip
        documents.append(
            Document(sha, page, site, file_url=attachment, media_type="application/pdf",
                     size=2000, title=f"报告{index}", file_name=f"{index}.pdf",
                     page_sha256=digest(page))
        )  # fmt: skip
        outcome = {"record": record} if record else {"error": Error("not_a_report", "空白")}
        results.append(
            ParseResult(sha, VERSION, **outcome, page=PageMetadata(**PUBLICATIONS[index]))
        )
    captures.append(
        replace(captures[0], url="http://www.gov0.example.cn/gone", status=None, sha256=None,
                size=None, attachments=[], error=Error("timeout", "read timed out"))
    )  # fmt: skip
    return {"captures": captures, "documents": documents, "results": results}


def reparsed(result: ParseResult, version: str) -> ParseResult:
    """What parser `version` makes of `result`'s document: the same, its record a copy to edit."""
    return replace(result, parser_version=version, record=copy.deepcopy(result.record))


def cell_count(record: dict[str, Any]) -> int:
    tables = ("active_disclosure", "applications", "review_litigation")
    return sum(len(columns) for table in tables for columns in record[table].values())
