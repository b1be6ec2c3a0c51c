"""Cut-off reports (tests/fixtures/render/cut.py: each seed cut after section 三's 上年结转 row,
before or inside section 四's row of numbers, after a PDF's first page, or without rows in the
middle of section 三) give the cells they show, exactly as the whole seed does, every other cell
null and missing, and `incomplete`; the whole seeds and the official layouts are complete."""

from __future__ import annotations

from functools import cache

import pytest

from parsers import ParseError, parse
from parsers.applications import identities
from parsers.review import IDENTITIES
from parsers.templates import APPLICATION_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS, TEMPLATES
from tests.fixtures.make_official import FORMATS, MEDIA_TYPES, OUT
from tests.fixtures.parser.compare import load_expected
from tests.fixtures.render.blocks import SEED_NAMES, SEEDS
from tests.fixtures.render.cut import CutReport, Shown, cut_reports

TABLES = ("active_disclosure", "applications", "review_litigation")
Cell = tuple[str, str, str]  # table, row, column


@cache
def reports(name: str) -> list[CutReport]:
    return cut_reports(name)


def printed_rows(expected: dict) -> list[list[Cell]]:
    """The cells of each numbered table row the seed prints, in print order: the section 二 rows
    it prints, the section 三 rows, the section 四 row."""
    template = TEMPLATES[expected["template"]]
    active = expected["active_disclosure"]
    rows = [
        [("active_disclosure", spec.key, column) for column in active[spec.key]]
        for spec in template.active_rows
        if any(value is not None for value in active[spec.key].values())
    ]
    rows += [
        [("applications", row.key, column) for column in APPLICATION_COLUMNS]
        for row in template.application_rows
    ]
    rows.append(
        [
            ("review_litigation", group, column)
            for group in REVIEW_GROUPS
            for column in REVIEW_COLUMNS
        ]
    )
    return rows


def shown_cells(expected: dict, shown: Shown) -> set[Cell]:
    rows = printed_rows(expected)
    cells = {cell for n, row in enumerate(rows[: shown.rows]) if n not in shown.gap for cell in row}
    if shown.cells:
        cells |= set(rows[shown.rows][: shown.cells])
    parts = TEMPLATES[expected["template"]].other_handling_rows
    if parts and all(("applications", part, "total") in cells for part in parts):
        cells |= {("applications", "other_handling", column) for column in APPLICATION_COLUMNS}
    return cells


def identity_cells(template: str) -> dict[str, set[Cell]]:
    found = {
        rule.name: {("applications", row, column) for (row, column), _ in rule.terms()}
        for rule in identities(TEMPLATES[template])  # type: ignore[index]
    }
    found |= {
        rule.name: {("review_litigation", group, column) for (group, column), _ in rule.terms()}
        for rule in IDENTITIES
    }
    return found


CUT_NAMES = ("carried_over", "review_header", "review_half", "first_page", "page_missing")
CASES = [(name, n) for name in SEED_NAMES for n in range(10)]


@pytest.mark.parametrize(("name", "n"), CASES, ids=[f"{name}-{n}" for name, n in CASES])
def test_cut_report_gives_what_it_shows_and_the_rest_missing(name: str, n: int) -> None:
    report = reports(name)[n]
    expected = load_expected(name)
    shown = shown_cells(expected, report.shown)
    if not shown:
        with pytest.raises(ParseError) as raised:
            parse(report.data, report.media_type, report.file_name)
        assert raised.value.kind == "not_a_report"
        return
    record = parse(report.data, report.media_type, report.file_name)
    assert record["incomplete"] is True
    assert record["text_source"] == {"kind": "text"}
    assert record["template"] == expected["template"]
    wrong = []
    for table in TABLES:
        for row, columns in record[table].items():
            for column, value in columns.items():
                status = record["cell_status"].get(f"{table}.{row}.{column}")
                if (table, row, column) in shown:
                    want = expected[table][row][column]
                    want_status = expected["cell_status"].get(f"{table}.{row}.{column}")
                else:
                    want, want_status = None, "missing"
                if (value, status) != (want, want_status):
                    wrong.append(
                        f"{table}.{row}.{column}: {value} {status}, not {want} {want_status}"
                    )
    assert not wrong, f"{report.file_name}:\n" + "\n".join(wrong)
    whole = {check["name"]: check["passed"] for check in parse_seed(name)["checks"]}
    for check in record["checks"]:
        decided = identity_cells(expected["template"])[check["name"]] <= shown
        assert check["passed"] == (whole[check["name"]] if decided else None), check


@cache
def parse_seed(name: str) -> dict:
    return parse((SEEDS / f"{name}.txt").read_bytes(), "text/plain", f"{name}.txt")


def test_every_seed_is_cut_each_way() -> None:
    cuts = {(report.cut, report.suffix) for name in SEED_NAMES for report in reports(name)}
    assert all(len(reports(name)) == len(cuts) == 10 for name in SEED_NAMES)
    assert {cut for cut, _ in cuts} == set(CUT_NAMES)


def test_a_half_loaded_row_of_section_four_gives_its_first_cells() -> None:
    report = next(r for r in reports("004_49c0d768678019fb") if r.cut == "review_half")
    review = parse(report.data, report.media_type)["review_litigation"]
    assert review["review"] == {"upheld": 21, "corrected": 5, "other": 7, "pending": 3, "total": 36}
    assert review["litigation_direct"] == {
        "upheld": 61, "corrected": 2, "other": None, "pending": None, "total": None,
    }  # fmt: skip


@pytest.mark.parametrize("name", SEED_NAMES)
def test_whole_seed_is_complete(name: str) -> None:
    record = parse_seed(name)
    assert record["incomplete"] is False
    assert record["text_source"] == {"kind": "text"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SEED_NAMES)
def test_official_layout_is_complete(name: str, fmt: str) -> None:
    path = OUT / f"{name}.{fmt}"
    record = parse(path.read_bytes(), MEDIA_TYPES[fmt], path.name)
    assert record["incomplete"] is False
    assert record["text_source"] == {"kind": "text"}
