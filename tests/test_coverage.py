"""The coverage picture on real databases loaded with the organ tests' generated reports (one
county of 河南省 over 2019–2022) and a city government of 宁夏: the grid counts each province's
organs by deadline status, and `xxgk report coverage` draws it as PNG and SVG."""

from __future__ import annotations

import base64
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from dagster import materialize

from bench.load import published
from bench.load import record as generated_record
from dagster_project.assets import publication_coverage
from dagster_project.resources import WarehouseResource
from tests import warehouse_fixtures
from tests.test_cli import xxgk_command
from tests.test_warehouse_organs import inputs as county_inputs
from warehouse import Warehouse, coverage_chart
from warehouse.coverage import Cell, grid
from xxgk.records import PageMetadata

postgres_database, wh = warehouse_fixtures.postgres_database, warehouse_fixtures.wh

GUYUAN = {"province": "宁夏回族自治区", "city": "固原市", "county": None, "adcode": "640400"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
#: 河南省: 汝阳县's government (due from 2019), 卫计委 (2019, renamed by 2021), 卫健委, 办公室
#: (from 2021) and a 街道 (2022, no date on its page); 宁夏: 固原市's government, on time in 2021.
GRID = [
    Cell("河南省", 2019, on_time=1, missing=1),
    Cell("河南省", 2020, missing=2),
    Cell("河南省", 2021, on_time=3),
    Cell("河南省", 2022, late=2, undated=1, missing=1),
    Cell("宁夏回族自治区", 2019, missing=1),
    Cell("宁夏回族自治区", 2020, missing=1),
    Cell("宁夏回族自治区", 2021, on_time=1),
    Cell("宁夏回族自治区", 2022, missing=1),
]


def inputs() -> dict[str, list[Any]]:
    made = generated_record(random.Random(8), 1) | {
        "organ": "固原市人民政府", "year": 2021, "region": dict(GUYUAN),
        "title": "固原市人民政府2021年政府信息公开工作年度报告",
    }  # fmt: skip
    page = PageMetadata(publisher="固原市人民政府", issued_on="2022-03-01")
    capture, document, result = published(
        "http://www.guyuan.example.cn/", "guyuan-2021", made, page
    )
    county = county_inputs()
    return {
        "captures": [*county["captures"], capture],
        "documents": [*county["documents"], document],
        "results": [*county["results"], result],
    }


def svg_texts(picture: bytes) -> list[str]:
    return [element.text or "" for element in ET.fromstring(picture).iter(f"{SVG}text")]


def test_the_grid_counts_each_province_s_organs_by_deadline_status(wh: Warehouse) -> None:
    wh.migrate()
    wh.load(**inputs())
    cells = grid(wh.engine)
    assert cells == GRID
    assert [cell.organs for cell in cells[:4]] == [2, 2, 3, 4]
    assert cells[3].share("late") == 0.5


def test_the_picture_is_a_png_or_an_svg_with_the_province_names_as_text() -> None:
    png = coverage_chart.render(GRID, "png")
    assert png.startswith(PNG_SIGNATURE)
    texts = svg_texts(coverage_chart.render(GRID, "svg"))
    assert {"河南省", "宁夏回族自治区", "2019", "2022", "1/2", "按时", "缺失"} <= set(texts)
    image = coverage_chart.markdown(GRID)
    assert image.startswith("![coverage](data:image/png;base64,")
    inline = base64.b64decode(image.removeprefix("![coverage](data:image/png;base64,")[:-1])
    assert inline == coverage_chart.render(GRID, "png", coverage_chart.INLINE_DPI)
    assert len(inline) < len(png)


def test_the_cli_draws_the_warehouse_s_coverage(tmp_path: Path) -> None:
    data = tmp_path / "data"
    warehouse = Warehouse(f"sqlite:///{data}/warehouse.db")
    warehouse.migrate()
    warehouse.load(**inputs())
    warehouse.dispose()
    env = {"XXGK_DATABASE_URL": ""}
    svg = tmp_path / "pictures" / "coverage.svg"
    for arguments, picture in (((), data / "coverage.png"), (("--out", str(svg)), svg)):
        done = xxgk_command("report", "coverage", "--data", str(data), *arguments, env=env)
        assert done.returncode == 0, done.stderr
        assert f"drew 2 provinces × 4 years to {picture}" in done.stderr
    assert (data / "coverage.png").read_bytes().startswith(PNG_SIGNATURE)
    assert {"河南省", "宁夏回族自治区"} <= set(svg_texts(svg.read_bytes()))
    done = xxgk_command("report", "coverage", "--data", str(data), "--out", "x.pdf", env=env)
    assert (done.returncode, done.stderr) == (
        2,
        "xxgk report: cannot draw x.pdf: give a .png or .svg file\n",
    )
    done = xxgk_command("report", "coverage", "--data", str(tmp_path / "none"), env=env)
    assert done.returncode == 3 and "no warehouse at" in done.stderr


def test_an_unknown_picture_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown picture format 'gif'"):
        coverage_chart.render(GRID, "gif")


def test_the_organs_due_leave_out_those_whose_deadline_has_not_passed() -> None:
    cell = Cell("河南省", 2025, on_time=2, late=1, missing=1, not_due=3)
    assert (cell.organs, cell.due, cell.share("not_due")) == (7, 4, 3 / 7)


def test_the_dagster_asset_shows_the_picture_on_its_materialisation(wh: Warehouse) -> None:
    wh.migrate()
    wh.load(**inputs())
    url = wh.engine.url.render_as_string(hide_password=False)
    result = materialize(
        [publication_coverage], resources={"warehouse": WarehouseResource(url=url)}
    )
    (materialization,) = result.asset_materializations_for_node("publication_coverage")
    metadata = {key: entry.value for key, entry in materialization.metadata.items()}
    assert (metadata["provinces"], metadata["organ_years"]) == (2, 15)
    assert (metadata["organ_years_on_time"], metadata["organ_years_missing"]) == (5, 7)
    assert metadata["picture"] == coverage_chart.markdown(GRID)
