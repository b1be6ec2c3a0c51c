"""Sensors: the site registry grows, the partitions follow."""

from __future__ import annotations

from dagster import SensorEvaluationContext, SensorResult, SkipReason, sensor

from dagster_project.jobs import pipeline_job, site_run
from dagster_project.partitions import site_partitions
from xxgk.registry import load_sites


@sensor(job=pipeline_job, minimum_interval_seconds=3600)
def registry_sites(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    """Adds a partition for every registry site not yet known, and crawls the new ones once the
    registry has been synced before (the first sync leaves crawling to the schedules)."""
    known = set(context.instance.get_dynamic_partitions(site_partitions.name))
    new = [site.id for site in load_sites() if site.id not in known]
    if not new:
        return SkipReason("the registry has no new sites")
    return SensorResult(
        run_requests=[site_run(key, "new-site") for key in new] if known else [],
        dynamic_partitions_requests=[site_partitions.build_add_request(new)],
    )
