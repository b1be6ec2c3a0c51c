"""The organ × year panel: what makes two reports one observation, and what breaks across years.

Two reports of one organ and year with the same cells (`content_sha256`) are copies of one
publication (a city portal repeating a county's report, a page and its attachment); with
different cells, one re-publishes the other. The views of migration 0008 choose among them
(`v_organ_year_reports`, `v_observations`) and list where one year's 结转下年度继续办理 is not the
next year's 上年结转 (`v_carry_breaks`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, text

from warehouse.rows import CELL_TABLES

#: Cells in a canonical order, whatever order a parser put rows and columns in.
CANONICAL = json.JSONEncoder(sort_keys=True, check_circular=False, separators=(",", ":"))
#: The columns of `v_carry_breaks`, in order.
CARRY_BREAK_COLUMNS = (
    "organ_id", "organ", "year", "next_year", "applicant", "carried_forward", "next_carried_over",
    "report_id", "next_report_id",
)  # fmt: skip


def content_sha256(record: Mapping) -> str:
    """The digest of a record's year, template and cell values: equal for two readings of one
    report whatever file, page or portal they came from (how a cell was read may differ)."""
    content = [record.get("year"), record.get("template"), *map(record.get, CELL_TABLES)]
    return hashlib.sha256(CANONICAL.encode(content).encode()).hexdigest()


def carry_breaks(connection: Connection) -> list[dict[str, Any]]:
    """Every break of the cross-year identity (`v_carry_breaks`), by organ, year and applicant
    column: what a check reports. It changes no cell."""
    query = text(
        f"SELECT {', '.join(CARRY_BREAK_COLUMNS)} FROM v_carry_breaks "
        "ORDER BY organ_id, year, applicant"
    )
    return [dict(row) for row in connection.execute(query).mappings()]
