"""Run the Dagster pipeline job in-process on many portals (partitions) at once, and summarise."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus

from dagster import DagsterInstance, ExecuteInProcessResult
from tqdm import tqdm

from dagster_project.checks import identity_tally
from dagster_project.definitions import build_definitions
from dagster_project.environments import resources_for
from dagster_project.jobs import partition_ranges, range_tags
from dagster_project.partitions import site_partitions, start_url_for
from dagster_project.resources import migrate_once
from warehouse import Warehouse
from xxgk.settings import Settings


@dataclass
class RunSummary:
    sites: int = 0
    failed_sites: list[str] = field(default_factory=list)
    pages_fetched: int = 0
    pages_unchanged: int = 0
    documents: int = 0
    reports_parsed: int = 0
    errors: Counter = field(default_factory=Counter)
    checks: Counter = field(default_factory=Counter)
    warehouse_rows: dict[str, int] = field(default_factory=dict)

    def add(self, result: ExecuteInProcessResult, keys: list[str]) -> None:
        """The run's portals, one at a time."""
        if not result.success:
            self.failed_sites += [start_url_for(key) for key in keys]
            return
        by_site = {n: result.output_for_node(n) for n in ("captures", "documents", "reports")}
        for key in keys:
            captures, documents, reports = (values[key] for values in by_site.values())
            if not any(c.status for c in captures):
                self.failed_sites.append(start_url_for(key))
            self.pages_fetched += sum(c.sha256 is not None for c in captures)
            self.pages_unchanged += sum(c.status == HTTPStatus.NOT_MODIFIED for c in captures)
            self.documents += len(documents)
            self.reports_parsed += sum(r.record is not None for r in reports)
            self.errors.update(c.error.kind for c in captures if c.error)
            self.errors.update(r.error.kind for r in reports if r.error)
            self.checks.update(identity_tally(reports))


def run_pipeline(
    site_keys: list[str],
    settings: Settings,
    *,
    polite: bool = True,
    log_level: str = "INFO",
) -> RunSummary:
    """Materialise the pipeline's assets for each portal (a registry id, or a start URL's
    `site_key_for`), in this process: as few runs as the partitions' order allows (a run covers
    a range of it), up to PORTALS_PER_RUN portals each, each run's portals crawled by one crawl.
    The runs go to the Dagster instance of `DAGSTER_HOME`, else to `<data>/dagster_home` (the
    one `xxgk ui` shows), so that the next run of a portal recrawls only what changed since its
    last materialisation."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    job = build_definitions(resources_for(settings, polite=polite)).resolve_job_def("pipeline")
    keys = list(dict.fromkeys(site_keys))
    summary = RunSummary(sites=len(keys))
    with dagster_instance(settings) as instance:
        known = set(instance.get_dynamic_partitions(site_partitions.name))
        instance.add_dynamic_partitions(site_partitions.name, [k for k in keys if k not in known])
        ordered = instance.get_dynamic_partitions(site_partitions.name)
        progress = tqdm(total=len(keys), desc="portals", unit="site", disable=None)
        for batch in partition_ranges(ordered, set(keys)):
            result = job.execute_in_process(
                tags=range_tags(batch),
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            )
            summary.add(result, batch)
            progress.update(len(batch))
        progress.close()
    migrate_once(settings.database_url)  # done by the runs already, unless every one failed
    summary.warehouse_rows = Warehouse(settings.database_url).counts()
    return summary


def dagster_instance(settings: Settings) -> DagsterInstance:
    if os.environ.get("DAGSTER_HOME"):
        return DagsterInstance.get()
    home = settings.data_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    return DagsterInstance.from_config(str(home.resolve()))
