"""What `xxgk browse` tells of the warehouse, from the docs and the codebook: a description of
each table and view (the table "What to query" of `docs/queries.md`), of each column (the
codebook's entry of the name, else what that table says of it in brackets), the worked queries
of `docs/queries.md` (each `sql` block, titled by its section), and the facets of the observation
views, as Datasette metadata."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse import codebook

QUERIES_DOC = Path(__file__).resolve().parents[1] / "docs" / "queries.md"
#: The views a researcher counts organ-years in, and the columns to facet them by.
FACETS = {
    "v_observations": ("province", "year", "kind", "choice"),
    "v_publication_deadlines": ("province", "year", "kind", "status"),
    "v_organ_year_reports": ("year", "role"),
    "v_carry_breaks": ("year", "applicant"),
}
#: Each view of the pivots and the codebook section of its `<row>__<column>` cells.
PIVOTS = {
    "v_applications": "applications",
    "v_review_litigation": "review_litigation",
    "v_active_disclosure": "active_disclosure",
}
#: The Datasette settings `xxgk browse` serves with: queries over the panel views take longer
#: than the defaults of 1 s (a query) and 200 ms (a facet); suggesting facets would work a view
#: out again for each of its columns.
SETTINGS = {"sql_time_limit_ms": 10_000, "facet_time_limit_ms": 2_000, "suggest_facets": False}

_SECTION = re.compile(r"^## (.+)$", re.M)
_SQL = re.compile(r"```sql\n(.*?)```", re.S)
_RELATION_ROW = re.compile(r"^\| ((?:`\w+`(?:, )?)+) \| (.+?) \| (.+) \|$", re.M)


@dataclass(frozen=True)
class Query:
    name: str  # its URL: /<database>/<name>
    title: str
    description: str
    sql: str


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def plain(markdown: str) -> str:
    """A paragraph of the docs as one line of text, without Markdown's code quotes."""
    return " ".join(markdown.replace("`", "").split())


def documented_queries(doc: str) -> list[Query]:
    """Every `sql` block of the doc, titled by its section's heading (numbered from the second
    block of a section on), described by the paragraph before it."""
    queries = []
    headings = list(_SECTION.finditer(doc))
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        section = doc[heading.end() : following.start() if following else len(doc)]
        start = 0
        for number, block in enumerate(_SQL.finditer(section), start=1):
            title = heading[1] if number == 1 else f"{heading[1]} ({number})"
            before = [p for p in re.split(r"\n\s*\n", section[start : block.start()]) if p.strip()]
            description = plain(before[-1]).removesuffix(":") if before else ""
            sql = block[1].strip().removesuffix(";")
            queries.append(Query(slug(title), title, description, sql))
            start = block.end()
    return queries


def relation_notes(doc: str) -> dict[str, tuple[str, str]]:
    """(one row per …, what it holds) of each relation the doc's table lists."""
    notes = {}
    for names, row, holds in _RELATION_ROW.findall(doc):
        for name in re.findall(r"`(\w+)`", names):
            notes[name] = (row, holds)
    return notes


def bracketed(holds: str) -> dict[str, str]:
    """What the doc says in brackets after a column's name: `role` (`chosen`; `copy`: …)."""
    notes = {}
    for match in re.finditer(r"`(\w+)` \(", holds):
        depth, end = 1, match.end()
        while end < len(holds) and depth:
            depth += {"(": 1, ")": -1}.get(holds[end], 0)
            end += 1
        notes.setdefault(match[1], holds[match.end() : end - 1])
    return notes


def column_descriptions(relation: str, columns: Sequence[str], holds: str) -> dict[str, str]:
    """A pivot's cells by the codebook; other columns by what the doc's table says of them in
    this relation, else by the codebook's metadata entry of the name (those of the wide export
    for `v_observations`, its rows, those of the long one for the rest)."""
    section = PIVOTS.get(relation)
    cells = {entry.column: entry for entry in codebook.cell_entries()}
    named = {
        entry.column: entry
        for entry in (
            codebook.WIDE_METADATA if relation == "v_observations" else codebook.LONG_METADATA
        )
    }
    notes = bracketed(holds)
    descriptions = {}
    for column in columns:
        cell = cells.get(f"{section}__{column}") if section else None
        if cell:
            descriptions[column] = cell.description
        elif column in notes:
            descriptions[column] = plain(notes[column])
        elif column in named:
            descriptions[column] = named[column].description
    return descriptions


def datasette_metadata(
    database: str, relations: Mapping[str, Sequence[str]], doc: str
) -> dict[str, Any]:
    """Metadata for Datasette serving the warehouse as `database`, whose tables and views have
    `relations`' columns."""
    notes = relation_notes(doc)
    tables = {}
    for relation, columns in relations.items():
        row, holds = notes.get(relation, ("", ""))
        table: dict[str, Any] = {}
        if row:
            table["description"] = plain(f"One row per {row}: {holds}")
        if described := column_descriptions(relation, columns, holds):
            table["columns"] = described
        if relation in FACETS:
            table["facets"] = [c for c in FACETS[relation] if c in columns]
        if table:
            tables[relation] = table
    queries = {
        query.name: {"title": query.title, "description": query.description, "sql": query.sql}
        for query in documented_queries(doc)
    }
    return {
        "title": "xxgk: 政府信息公开工作年度报告 (disclosure annual reports)",
        "description": "The warehouse, read-only. What each row is and how organs are matched: "
        "docs/dataset.md; the worked queries of docs/queries.md are under Queries.",
        "databases": {database: {"tables": tables, "queries": queries}},
    }
