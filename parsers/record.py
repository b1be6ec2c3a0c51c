"""Blocks in, an `xxgk.report/1` record out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from parsers import metadata, ocr
from parsers.active import active_disclosure
from parsers.applications import align, applications
from parsers.errors import ParseError
from parsers.extract import Block, Extraction
from parsers.review import review_litigation
from parsers.rows import DataRow, sections
from parsers.templates import TEMPLATES, Template, marker_counts, shows_format
from xxgk.records import ParseContext

SCHEMA = "xxgk.report/1"
#: The first year reported in the national format (国办公开办函〔2019〕60号); earlier reports
#: print the tables of the 2008 regulations, which the record does not hold.
FIRST_TEMPLATE_YEAR = 2019


def build_record(
    extraction: Extraction,
    properties: Sequence[str] = (),
    context: ParseContext | None = None,
) -> dict:
    """`properties`: what the file's document properties say (title, subject, author);
    `context`: what the pipeline knows of the document."""
    blocks = extraction.blocks
    read_by_ocr = bool(extraction.ocr_pages)
    paragraphs = [block for block in blocks if isinstance(block, str)]
    tables = sections(blocks)
    described = metadata.describe(paragraphs, properties, context)
    title = described["title"]
    found = f"titled {title}" if title else "no report title"
    if (
        (year := described["year"])
        and year < FIRST_TEMPLATE_YEAR
        and not shows_format(cells(blocks))
    ):
        raise ParseError("old_template", f"{found}: the report for {year}, before 2019's format")
    if not any(row.has_numbers for rows in tables.values() for row in rows):
        raise ParseError(
            "not_a_report", f"{found}, but none of the tables of sections 二, 三 and 四"
        )
    template = detect_template(blocks, tables["applications"])
    active, active_status, active_rows = active_disclosure(tables["active"], template)
    handled = applications(tables["applications"], template, read_by_ocr=read_by_ocr)
    review = review_litigation(tables["review"], read_by_ocr=read_by_ocr)
    if not (active_rows or len(handled.absent) < len(template.application_rows) or review.shown):
        raise ParseError(
            "not_a_report", f"{found}, but no row of the standard tables of sections 二, 三 and 四"
        )
    return {
        "schema": SCHEMA,
        **described,
        "template": template.name,
        "active_disclosure": active,
        "applications": handled.values,
        "review_litigation": review.values,
        "cell_status": active_status | handled.status | review.status,
        "checks": handled.checks + review.checks,
        "sections": metadata.sections(paragraphs),
        # a section's table absent, or cut short: rows of section 三 or cells of 四 missing
        "incomplete": not active_rows or bool(handled.absent) or review.cut,
        "text_source": text_source(extraction),
    }


def text_source(extraction: Extraction) -> dict:
    if not extraction.ocr_pages:
        return {"kind": "text"}
    return {
        "kind": "ocr",
        "engine": ocr.ENGINE,
        "version": ocr.engine_version(),
        "pages": list(extraction.ocr_pages),
        "mean_confidence": round(extraction.ocr_confidence or 0.0, 3),
    }


def cells(blocks: Sequence[Block]) -> Iterator[str]:
    return (cell for block in blocks if isinstance(block, list) for row in block for cell in row)


def detect_template(blocks: Sequence[Block], rows: Sequence[DataRow]) -> Template:
    """By the words of the column headers and row labels; when they do not tell, by which
    format's rows the section 三 table matches better."""
    counts = marker_counts(cells(blocks))
    if counts["2019"] != counts["2021"]:
        return TEMPLATES[max(counts, key=counts.__getitem__)]
    return max(TEMPLATES.values(), key=lambda template: align(rows, template.application_rows)[0])
