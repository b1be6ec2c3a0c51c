"""Blocks in, an `xxgk.report/1` record out."""

from __future__ import annotations

from collections.abc import Sequence

from parsers import metadata
from parsers.active import active_disclosure
from parsers.applications import align, applications
from parsers.errors import ParseError
from parsers.extract import Block
from parsers.region import resolve_region
from parsers.review import review_litigation
from parsers.rows import DataRow, sections
from parsers.templates import TEMPLATES, Template, marker_counts

SCHEMA = "xxgk.report/1"


def build_record(blocks: Sequence[Block]) -> dict:
    paragraphs = [block for block in blocks if isinstance(block, str)]
    tables = sections(blocks)
    title = metadata.title(paragraphs)
    if not any(row.has_numbers for rows in tables.values() for row in rows):
        found = f"titled {title}" if title else "no report title"
        raise ParseError(
            "not_a_report", f"{found}, but none of the tables of sections 二, 三 and 四"
        )
    template = detect_template(blocks, tables["applications"])
    active, active_status = active_disclosure(tables["active"], template)
    handled = applications(tables["applications"], template)
    review, review_status, review_checks = review_litigation(tables["review"])
    organ = metadata.organ(title) if title else None
    return {
        "schema": SCHEMA,
        "title": title,
        "organ": organ,
        "year": metadata.year(title) if title else None,
        "region": resolve_region(organ or title) if organ or title else None,
        "template": template.name,
        "active_disclosure": active,
        "applications": handled.values,
        "review_litigation": review,
        "cell_status": active_status | handled.status | review_status,
        "checks": handled.checks + review_checks,
        "sections": metadata.sections(paragraphs),
    }


def detect_template(blocks: Sequence[Block], rows: Sequence[DataRow]) -> Template:
    """By the words of the column headers and row labels; when they do not tell, by which
    format's rows the section 三 table matches better."""
    counts = marker_counts(
        cell for block in blocks if isinstance(block, list) for row in block for cell in row
    )
    if counts["2019"] != counts["2021"]:
        return TEMPLATES[max(counts, key=counts.__getitem__)]
    return max(TEMPLATES.values(), key=lambda template: align(rows, template.application_rows)[0])
