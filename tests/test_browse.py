"""`xxgk browse` in a real browser: Datasette serving a SQLite warehouse of generated reports
(the coverage test's organs, and the expected records with a failed identity, so that every
worked query finds rows) read-only, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.s3server import answers_http, free_ports
from tests.test_cli import XXGK, xxgk_command
from tests.test_coverage import inputs as organ_inputs
from tests.warehouse_fixtures import expected_records
from tests.warehouse_fixtures import inputs as fixture_inputs
from warehouse import Warehouse, catalogue

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
QUERIES = catalogue.documented_queries(catalogue.QUERIES_DOC.read_text(encoding="utf-8"))


def test_every_sql_block_of_the_queries_doc_is_a_canned_query_of_its_own() -> None:
    doc = catalogue.QUERIES_DOC.read_text(encoding="utf-8")
    assert len(QUERIES) == doc.count("```sql\n") >= 10
    assert len({query.name for query in QUERIES}) == len(QUERIES)
    assert all(query.description and not query.sql.endswith(";") for query in QUERIES)
    deadlines = next(q for q in QUERIES if q.name == "published-on-time-by-province-and-year")
    assert deadlines.title == "Published on time, by province and year"
    assert deadlines.description.startswith("The organ-years of v_publication_deadlines by status")


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The base URL of `xxgk browse` over a fresh warehouse, and the warehouse's file."""
    data = tmp_path_factory.mktemp("browse")
    warehouse = Warehouse(f"sqlite:///{data}/warehouse.db")
    warehouse.migrate()
    warehouse.load(**organ_inputs())
    records = expected_records()
    records[1]["checks"][0]["passed"] = False  # an organ whose tables fail an identity
    warehouse.load(**fixture_inputs(records))
    warehouse.dispose()
    (port,) = free_ports(1)
    server = subprocess.Popen(
        [XXGK, "browse", "--data", str(data), "--port", str(port)],
        env={**os.environ, "XXGK_DATABASE_URL": ""},
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not answers_http(f"{base}/-/versions.json"):
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "xxgk browse did not start"
            time.sleep(0.2)
        yield base, data / "warehouse.db"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    page = browser.new_page()
    yield page
    page.close()


def shown(value: object) -> str:
    """A value as Datasette prints it in a cell."""
    return "" if value is None else str(value)


def test_the_index_leads_to_the_warehouse_its_views_and_queries(datasette, page) -> None:
    base, _ = datasette
    assert page.goto(f"{base}/").ok
    assert page.title().startswith("xxgk: 政府信息公开工作年度报告")
    page.click("h2 a[href='/warehouse']")
    page.wait_for_url(f"{base}/warehouse")
    assert page.locator("a[href='/warehouse/v_observations']").count() == 1
    assert page.locator("a", has_text=QUERIES[0].title).count() == 1


def test_a_view_shows_its_description_column_descriptions_and_facets(datasette, page) -> None:
    base, _ = datasette
    assert page.goto(f"{base}/warehouse/v_observations").ok
    description = page.locator(".metadata-description").inner_text()
    assert description.startswith("One row per organ and year: the chosen report")
    columns = page.locator("dl.column-descriptions").inner_text()
    assert "identical_copies: several copies of the same cells, the first published kept" in columns
    assert "the body: <adcode>/<kind>/<normalised name>" in columns  # the codebook's
    for column in ("province", "year", "kind"):
        assert page.locator(f".facet-info[data-column={column}]").count() == 1, column
    province = page.locator(".facet-info[data-column=province]").inner_text()
    assert "河南省" in province and "宁夏回族自治区" in province
    assert page.goto(f"{base}/warehouse/v_applications").ok
    cells = page.locator("dl.column-descriptions").inner_text()
    assert "三、收到和处理政府信息公开申请情况 一、本年新收政府信息公开申请数量 自然人" in cells


@pytest.mark.parametrize("query", QUERIES, ids=[query.name for query in QUERIES])
def test_each_worked_query_answers_in_the_browser(datasette, page, query) -> None:
    base, database = datasette
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        expected = [[shown(v) for v in row] for row in connection.execute(query.sql)]
    assert expected, "the warehouse should give every worked query rows"
    assert page.goto(f"{base}/warehouse/{query.name}").ok
    assert page.locator("h1").inner_text().strip() == query.title
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == len(expected)
    first = [cell.strip() for cell in rows.nth(0).locator("td").all_inner_texts()]
    assert first == expected[0]


def test_the_observation_query_shows_the_corrected_report_chosen(datasette, page) -> None:
    base, _ = datasette
    assert page.goto(f"{base}/warehouse/one-observation-per-organ-and-year").ok
    office = page.locator("tr", has_text="410326/办公室/人民政府办公室")
    assert "latest_publication" in office.inner_text()


def test_the_warehouse_is_served_read_only(datasette, page) -> None:
    base, _ = datasette
    with urllib.request.urlopen(f"{base}/-/databases.json", timeout=10) as answer:
        assert [(d["name"], d["is_mutable"]) for d in json.load(answer)] == [("warehouse", False)]
    page.goto(f"{base}/warehouse?sql=DELETE+FROM+organs")
    assert "Statement must be a SELECT" in page.content()


def test_a_postgresql_warehouse_is_told_to_use_duckdb_on_the_export() -> None:
    done = xxgk_command(
        "browse", env={"XXGK_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/test"}
    )
    assert done.returncode == 2
    assert "Datasette serves SQLite only" in done.stderr and "DuckDB" in done.stderr


def test_a_port_in_use_is_told(datasette) -> None:
    base, database = datasette
    port = base.rsplit(":", 1)[1]
    done = xxgk_command(
        "browse", "--data", str(database.parent), "--port", port, env={"XXGK_DATABASE_URL": ""}
    )
    assert done.returncode == 2
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr
