"""Sensors: the site registry grows, the partitions follow."""

from __future__ import annotations

from dagster import SensorEvaluationContext, SensorResult, SkipReason, sensor

from dagster_project.jobs import batch_runs, pipeline_job
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
        # added after every known partition, so the new ones are ranges of their own
        run_requests=list(batch_runs(new, new, "new-site")) if known else [],
        dynamic_partitions_requests=[site_partitions.build_add_request(new)],
    )
