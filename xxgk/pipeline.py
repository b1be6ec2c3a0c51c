"""Run the Dagster pipeline job in-process and summarise what it did."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from dagster import DagsterInstance

from dagster_project.assets import identity_tally
from dagster_project.definitions import build_definitions
from xxgk.config import Settings

EXAMPLE_QUERY = """\
SELECT organ, year,
       new_received__total AS requests,
       granted__total AS granted,
       ROUND(100.0 * granted__total / NULLIF(total_handled__total, 0), 1) AS pct_granted
FROM v_applications
ORDER BY year, organ"""


@dataclass
class RunSummary:
    sites: int
    pages_fetched: int
    documents: int
    reports_parsed: int
    errors: Counter = field(default_factory=Counter)
    checks: Counter = field(default_factory=Counter)
    warehouse_rows: dict[str, int] = field(default_factory=dict)


def run_pipeline(start_urls: list[str], settings: Settings, *, polite: bool = True) -> RunSummary:
    """Materialise every pipeline asset for these portals, in this process."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    job = build_definitions(settings, polite=polite).get_job_def("pipeline")
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    result = job.execute_in_process(
        run_config={"ops": {"sites": {"config": {"start_urls": start_urls}}}},
        instance=instance or DagsterInstance.ephemeral(),
    )
    captures = result.output_for_node("captures")
    reports = result.output_for_node("reports")
    errors = Counter(c["error"]["kind"] for c in captures if c.get("error"))
    errors.update(r["error"]["kind"] for r in reports if "error" in r)
    return RunSummary(
        sites=len(result.output_for_node("sites")),
        pages_fetched=len(captures),
        documents=len(result.output_for_node("documents")),
        reports_parsed=sum("record" in r for r in reports),
        errors=errors,
        checks=identity_tally(reports),
        warehouse_rows=result.output_for_node("warehouse_tables"),
    )
