"""The README's tables say what the code holds: the configuration table lists exactly
`xxgk.settings.VARIABLES`, the error-kind table exactly `xxgk.records.ERROR_KINDS`."""

from __future__ import annotations

from pathlib import Path

from xxgk.records import CRAWL_ERROR_KINDS, ERROR_KINDS, PARSE_ERROR_KINDS
from xxgk.settings import VARIABLES

README = Path(__file__).resolve().parent.parent / "README.md"


def table(heading: str) -> list[dict[str, str]]:
    """The rows of the first table under `heading`, by the header's column names."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(heading)
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    header, rule, *body = rows
    assert set("".join(rule)) <= set("-:"), f"{heading}: no table"
    return [dict(zip(header, row, strict=True)) for row in body]


def name(cell: str) -> str:
    assert cell.startswith("`") and cell.endswith("`"), cell
    return cell.strip("`")


def test_the_configuration_table_is_the_settings() -> None:
    rows = table("## Configuration")
    assert [name(row["variable"]) for row in rows] == list(VARIABLES)
    assert {name(row["variable"]): row["meaning"] for row in rows} == VARIABLES
    assert all(row["default"] for row in rows)


def test_the_error_table_is_the_error_kinds() -> None:
    rows = table("### Error kinds")
    assert [name(row["kind"]) for row in rows] == list(ERROR_KINDS)
    assert {name(row["kind"]): row["meaning"] for row in rows} == ERROR_KINDS
    stages = {"crawl": CRAWL_ERROR_KINDS, "parse": PARSE_ERROR_KINDS}
    assert all(name(row["kind"]) in stages[row["stage"]] for row in rows)
