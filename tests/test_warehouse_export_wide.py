"""The wide export and its codebook on real databases, loaded with generated reports of one
county (name variants, a re-publication, a copy on a second portal, two years of a series): one
row per organ-year observation, counts as integers, the codebook beside the file and in the
Parquet fields. Read with pyarrow, the csv module and DuckDB (pandas is not installed here)."""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from parsers.templates import TEMPLATES
from tests import warehouse_fixtures
from tests.test_cli import xxgk_command
from tests.test_warehouse_organs import OFFICE_2021_CORRECTED, PUBLISHED, fetch, inputs
from warehouse import Warehouse, codebook
from warehouse.codebook import cell_column

postgres_database, wh = warehouse_fixtures.postgres_database, warehouse_fixtures.wh

TABLES = ("active_disclosure", "applications", "review_litigation")
ARROW = {"integer": pa.int64(), "float": pa.float64(), "text": pa.string(),
         "boolean": pa.bool_(), "date": pa.date32()}  # fmt: skip
DUCKDB = {"integer": "BIGINT", "float": "DOUBLE", "text": "VARCHAR", "boolean": "BOOLEAN",
          "date": "DATE"}  # fmt: skip


@pytest.fixture
def loaded(wh: Warehouse) -> Warehouse:
    wh.migrate()
    wh.load(**inputs())
    return wh


def record_of(row: dict[str, Any]) -> dict[str, Any]:
    """The generated record behind a row, by its file (`<name>.pdf`)."""
    name = row["source_file_url"].rsplit("/", 1)[1].removesuffix(".pdf")
    return PUBLISHED[name][1]


def codebook_of(export: Path) -> list[dict[str, str]]:
    csv_path, json_path = codebook.paths(export)
    with csv_path.open(encoding="utf-8-sig", newline="") as lines:
        rows = list(csv.DictReader(lines))
    assert json.loads(json_path.read_text(encoding="utf-8")) == rows
    return rows


def test_wide_parquet_is_one_row_per_organ_year_with_integer_counts(
    loaded: Warehouse, tmp_path: Path
) -> None:
    out = tmp_path / "panel.parquet"
    observations = fetch(loaded, "SELECT organ_id, year, report_id FROM v_observations")
    assert loaded.export(out, "parquet", wide=True) == len(observations) == 7
    table = pq.read_table(out)
    entries = codebook_of(out)
    assert table.column_names == [entry["column"] for entry in entries]
    assert sorted((r["organ_id"], r["year"], r["report_id"]) for r in table.to_pylist()) == (
        observations
    )
    for field, entry in zip(table.schema, entries, strict=True):
        assert field.type == ARROW[entry["type"]], field.name
        description = field.metadata[b"description"].decode()
        assert entry["meaning"] in description and entry["label_zh"] in description
    assert table.schema.field("applications__new_received__natural_person").type == pa.int64()
    assert table.schema.field("active_disclosure__fees__amount_10k_yuan").type == pa.float64()
    for row in table.to_pylist():
        record = record_of(row)
        assert (row["template"], row["incomplete"]) == (
            record["template"],
            record.get("incomplete"),
        )
        assert (row["text_source"], row["parser_version"]) == ("text", "parser-1")
        shown = {
            cell_column(section, key, column): value
            for section in TABLES
            for key, columns in record[section].items()
            for column, value in columns.items()
        }
        cells = {name: value for name, value in row.items() if name.count("__") == 2}
        assert cells == {name: shown.get(name) for name in cells}  # others: not in its format
    office = next(row for row in table.to_pylist() if row["organ_id"].endswith("人民政府办公室"))
    granted = OFFICE_2021_CORRECTED["applications"]["granted"]["natural_person"]
    assert (office["choice"], office["applications__granted__natural_person"]) == (
        "latest_publication",
        granted,
    )
    assert str(office["published_on"]) == "2022-02-20"


def test_wide_parquet_reads_in_duckdb_with_integer_columns_and_the_codebook(
    loaded: Warehouse, tmp_path: Path
) -> None:
    out = tmp_path / "panel.parquet"
    loaded.export(out, "parquet", wide=True)
    csv_path, json_path = codebook.paths(out)
    duck = duckdb.connect()
    columns = duck.sql(f"SELECT column_name, column_type FROM (DESCRIBE '{out}')").fetchall()
    assert columns == [(entry["column"], DUCKDB[entry["type"]]) for entry in codebook_of(out)]
    office = duck.sql(
        "SELECT year, applications__granted__natural_person, "
        f"active_disclosure__fees__amount_10k_yuan FROM '{out}' "
        "WHERE choice = 'latest_publication'"
    ).fetchall()
    granted = OFFICE_2021_CORRECTED["applications"]["granted"]["natural_person"]
    fees = OFFICE_2021_CORRECTED["active_disclosure"]["fees"]["amount_10k_yuan"]
    assert office == [(2021, granted, fees)] and type(office[0][1]) is int
    described = duck.sql(
        f"SELECT d.column_name, c.type, c.unit, c.label_zh FROM (DESCRIBE '{out}') d "
        f"JOIN read_json('{json_path}') c ON c.\"column\" = d.column_name "
        "WHERE d.column_name = 'applications__new_received__natural_person'"
    ).fetchall()
    assert described == [
        ("applications__new_received__natural_person", "integer", "件",
         "三、收到和处理政府信息公开申请情况 一、本年新收政府信息公开申请数量 自然人"),
    ]  # fmt: skip
    assert duck.sql(f"SELECT COUNT(*) FROM read_csv('{csv_path}')").fetchall() == [(len(columns),)]
    # The fields' descriptions: in the Arrow schema the file carries as key-value metadata.
    [(arrow_schema,)] = duck.sql(
        f"SELECT value FROM parquet_kv_metadata('{out}') WHERE key = 'ARROW:schema'"
    ).fetchall()
    fields = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(arrow_schema)))
    assert {field.name: field.metadata[b"description"].decode() for field in fields} == {
        entry.column: entry.description for entry in codebook.wide()
    }


def test_wide_csv_with_a_bom_reads_as_integers_and_its_codebook_too(
    loaded: Warehouse, tmp_path: Path
) -> None:
    out = tmp_path / "panel.csv"
    assert loaded.export(out, "csv", wide=True, bom=True) == 7
    assert out.read_bytes().startswith(b"\xef\xbb\xbfo")
    assert codebook.paths(out)[0].read_bytes().startswith(b"\xef\xbb\xbf")
    entries = {entry["column"]: entry for entry in codebook_of(out)}
    table = pv.read_csv(out)  # types inferred from the text, as a spreadsheet or pandas would
    with out.open(encoding="utf-8-sig", newline="") as lines:
        assert next(csv.reader(lines)) == list(entries) == table.column_names
    assert table.num_rows == 7
    for field in table.schema:
        kind = entries[field.name]["type"]
        if kind == "integer" and field.type != pa.null():  # a column no report fills is null
            assert field.type == pa.int64(), field.name
    assert table.schema.field("applications__total_handled__total").type == pa.int64()
    assert table.schema.field("active_disclosure__fees__amount_10k_yuan").type == pa.float64()
    assert table.schema.field("incomplete").type in (pa.bool_(), pa.null())


def test_the_codebook_is_the_templates_cells_named_as_the_pivot_views(loaded: Warehouse) -> None:
    cells = codebook.cell_entries()
    keys = [(entry.section, entry.row_key, entry.column_key) for entry in cells]
    assert len(keys) == len(set(keys))
    for name, template in TEMPLATES.items():
        for spec in template.active_rows:
            for column in spec.columns:
                assert ("active_disclosure", spec.key, column) in keys
        for row in template.application_rows:
            entry = next(e for e in cells if e.section == "applications" and e.row_key == row.key)
            assert row.label in entry.label_zh and name in entry.templates.split()
    money = {(e.row_key, e.column_key) for e in cells if e.type == "float"}
    assert money == {("fees", "amount_10k_yuan"), ("procurement", "amount_10k_yuan")}
    assert {e.unit for e in cells if e.type == "float"} == {"万元"}
    with loaded.engine.connect() as connection:
        for view, section in (("v_applications", "applications"),
                              ("v_review_litigation", "review_litigation"),
                              ("v_active_disclosure", "active_disclosure")):  # fmt: skip
            names = connection.execute(text(f"SELECT * FROM {view} WHERE 1 = 0")).keys()
            pivot = [f"{section}__{name}" for name in names if "__" in name]
            assert pivot == [e.column for e in cells if e.section == section]


def test_the_cli_writes_the_wide_export_and_its_codebook_beside_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    warehouse = Warehouse(f"sqlite:///{data}/warehouse.db")
    warehouse.migrate()
    warehouse.load(**inputs())
    warehouse.dispose()
    out = tmp_path / "out" / "panel.parquet"
    done = xxgk_command(
        "export", "--data", str(data), "--out", str(out), "--wide",
        env={"XXGK_DATABASE_URL": ""},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert pq.read_table(out).num_rows == 7
    assert [path.name for path in codebook.paths(out)] == [
        "panel.codebook.csv",
        "panel.codebook.json",
    ]
    assert [entry["column"] for entry in codebook_of(out)] == pq.read_schema(out).names
    long = tmp_path / "cells.csv"
    done = xxgk_command("export", "--data", str(data), "--out", str(long), "--bom",
                        env={"XXGK_DATABASE_URL": ""})  # fmt: skip
    assert done.returncode == 0, done.stderr
    with long.open(encoding="utf-8-sig", newline="") as lines:
        header = next(csv.reader(lines))
    columns = [entry["column"] for entry in codebook_of(long)]
    assert columns[: len(header)] == header
    assert {"section", "row_key", "column_key"} <= set(header)
    assert not {"table", "row", "column"} & set(header)
