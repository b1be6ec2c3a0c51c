"""Benchmark: load synthetic reports into SQLite and PostgreSQL, then reload them.

    .venv/bin/python -m bench.load [--records 10000] [--postgres URL]

The records follow xxgk.report/1 (both templates, ~200 cells each) with numbers that satisfy
every accounting identity; each comes with what its report page prints (索引号, 发布机构, 发布日期),
so `page_metadata` is loaded too. PostgreSQL gets fresh databases of its own, dropped afterwards.
Prints records/s for the first load and for an idempotent reload (which must add nothing), the
ratio reload time / first load time, and the baseline of the database's pace: the same cells,
built beforehand, appended to an empty `report_cell_values` by the loader's bulk path alone (a
binary COPY on PostgreSQL, one executemany on SQLite), and the ratio first load time / that
time.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from itertools import count
from typing import Any

from parsers.templates import (
    APPLICANTS,
    APPLICATION_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    TEMPLATES,
)
from tests.warehouse_fixtures import fresh_database
from warehouse import Warehouse, rows
from warehouse.load import append_cells
from warehouse.tables import metadata, report_cell_values
from xxgk.records import Capture, Document, PageMetadata, ParseResult

ACTIVE = {name: {row.key: row.columns for row in t.active_rows} for name, t in TEMPLATES.items()}
PROVINCES = ("河南省", "河北省", "山东省", "四川省", "宁夏回族自治区")
VERSION = "bench-1"


def applications(rng: random.Random, template: str) -> dict[str, dict[str, float]]:
    """Section 三, satisfying its three identities in every column and row."""
    results, other = TEMPLATES[template].result_rows, TEMPLATES[template].other_handling_rows
    table: dict[str, dict[str, float]] = {}
    for column in APPLICANTS:
        cells = {row: rng.randint(0, 20) for row in results}
        handled = sum(cells.values())
        forward = rng.randint(0, 5)
        over = rng.randint(0, min(5, handled + forward))
        if other:
            cells["other_handling"] = sum(cells[row] for row in other)
        cells |= {"total_handled": handled, "carried_forward": forward, "carried_over": over,
                  "new_received": handled + forward - over}  # fmt: skip
        for row, value in cells.items():
            table.setdefault(row, {})[column] = value
    for columns in table.values():
        columns["total"] = sum(columns.values())
    return table


def record(rng: random.Random, index: int) -> dict[str, Any]:
    template = "2021" if index % 2 else "2019"
    year = rng.randint(2021, 2024) if template == "2021" else rng.randint(2019, 2020)
    province = PROVINCES[index % len(PROVINCES)]
    county = index % 2000
    organ = f"合成县{county}人民政府" + ("" if index % 3 else f"第{index % 7}局")
    review = {}
    for group in REVIEW_GROUPS:
        cells = {column: rng.randint(0, 5) for column in REVIEW_COLUMNS[:-1]}
        review[group] = {**cells, "total": sum(cells.values())}
    active = {row: {column: rng.randint(0, 200) for column in columns}
              for row, columns in ACTIVE[template].items()}  # fmt: skip
    cell_status = (
        {f"applications.other_handling.{column}": "derived" for column in APPLICATION_COLUMNS}
        if template == "2021"
        else {}
    )
    return {
        "schema": "xxgk.report/1", "title": f"{organ}{year}年政府信息公开工作年度报告",
        "organ": organ, "year": year, "template": template,
        "region": {"province": province, "city": f"合成市{county // 10}",
                   "county": f"合成县{county}", "adcode": f"{100000 + county:06d}"},
        "active_disclosure": active, "applications": applications(rng, template),
        "review_litigation": review, "cell_status": cell_status,
        "checks": [{"name": "applications.rows", "passed": True, "detail": ""}],
        "sections": {"overview": "概述", "problems": "", "other": ""},
    }  # fmt: skip


def published(
    site: str, name: str, report: dict, page: PageMetadata, version: str = VERSION
) -> tuple[Capture, Document, ParseResult]:
    """A report PDF `<site>xxgk/<name>.pdf` as the crawl captures it, the documents step picks
    it and the parser reads it."""
    url = f"{site}xxgk/{name}.pdf"
    sha = hashlib.sha256(url.encode()).hexdigest()
    capture = Capture(
        url, site, "attachment", 200, "2024-05-01T08:00:00Z", referer=site,
        file_name=f"{name}.pdf", media_type="application/pdf", sha256=sha, size=1000,
    )  # fmt: skip
    document = Document(
        sha, url, site, file_url=url, media_type="application/pdf", size=1000,
        file_name=f"{name}.pdf",
    )  # fmt: skip
    return capture, document, ParseResult(sha, version, record=report, page=page)


def inputs(count: int) -> dict[str, list[Any]]:
    rng = random.Random(20240501)
    made = []
    for index in range(count):
        report = record(rng, index)
        page = PageMetadata(
            index_number=f"{100000 + index:018d}/{report['year'] + 1}-00001",
            publisher=report["organ"],
            issued_on=f"{report['year'] + 1}-03-{rng.randint(1, 31):02d}",
        )
        site = f"http://www.county{index % 2000}.example.cn/"
        made.append(published(site, str(index), report, page))
    captures, documents, results = (list(column) for column in zip(*made, strict=True))
    return {"captures": captures, "documents": documents, "results": results}


def bench(url: str, data: dict[str, list[Any]]) -> tuple[float, float, int]:
    warehouse = Warehouse(url)
    try:
        warehouse.migrate()
        started = time.perf_counter()
        first = warehouse.load(**data)
        loaded = time.perf_counter()
        again = warehouse.load(**data)
        reloaded = time.perf_counter()
    finally:
        warehouse.dispose()
    if set(again.added.values()) != {0}:
        raise AssertionError(f"the reload added rows: {again.added}")
    return loaded - started, reloaded - loaded, first.added["report_cell_values"]


def bare(url: str, cells: list[tuple]) -> float:
    """Seconds to append `cells` to an empty `report_cell_values` (its keys and index, no more)
    and commit: the database's own pace for the bulk of a load."""
    warehouse = Warehouse(url)
    try:
        metadata.create_all(warehouse.engine, tables=[report_cell_values])
        started = time.perf_counter()
        with warehouse.engine.begin() as connection:
            append_cells(connection, [cells])
        return time.perf_counter() - started
    finally:
        warehouse.dispose()


def all_cells(results: list[ParseResult]) -> list[tuple]:
    """The cells of every result, as a load makes them (report ids 1, 2, ..., cell ids in
    the order the results first name them)."""
    ids: rows.CellIds = {}
    numbers = count(1)
    for result in results:
        for cell in rows.unknown_cells(result.record, ids):
            ids.setdefault(cell["table"], {}).setdefault(cell["row"], {})[cell["column"]] = next(
                numbers
            )
    return [
        cell
        for report_id, result in enumerate(results, start=1)
        for cell in rows.cell_rows(report_id, result.record, ids)
    ]


def report(
    backend: str, records: int, first: float, reload: float, cells: int, baseline: float
) -> None:
    print(
        f"{backend:<10} {records} records, {cells} cells: "
        f"first load {first:.1f} s ({records / first:,.0f} records/s), "
        f"reload {reload:.1f} s ({records / reload:,.0f} records/s), "
        f"reload/first {reload / first:.2f}; "
        f"bare cells {baseline:.1f} s, first/bare {first / baseline:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="a server to create (and drop) the benchmark database on",
    )
    args = parser.parse_args()
    data = inputs(args.records)
    cells = all_cells(data["results"])
    with tempfile.TemporaryDirectory() as directory:
        baseline = bare(f"sqlite:///{directory}/bare.db", cells)
        figures = bench(f"sqlite:///{directory}/bench.db", data)
        report("sqlite", args.records, *figures, baseline)
    with (
        fresh_database(args.postgres, "xxgk_bench") as bare_url,
        fresh_database(args.postgres, "xxgk_bench") as url,
    ):
        baseline = bare(bare_url, cells)
        report("postgresql", args.records, *bench(url, data), baseline)


if __name__ == "__main__":
    main()
