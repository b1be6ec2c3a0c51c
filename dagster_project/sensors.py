"""Sensors: the site registry grows, the partitions follow."""

from __future__ import annotations

from dagster import (
    AssetMaterialization,
    DefaultSensorStatus,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from dagster_project.jobs import batch_runs, pipeline_job
from dagster_project.partitions import site_partitions
from xxgk.registry import load_sites

SYNCED = "synced"  # the sensor's cursor once it has added the registry's sites


@sensor(
    job=pipeline_job,
    minimum_interval_seconds=3600,
    default_status=DefaultSensorStatus.RUNNING,
    description="Adds a partition for every portal of the site registry not yet known, at its "
    "first tick (crawling none); later, when the registry grows, crawls the new portals.",
)
def registry_sites(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    """Adds a partition for every registry site not yet known, and crawls the new ones once the
    sensor has synced the registry before (its cursor says so: partitions that `xxgk run` added,
    of registry sites or start URLs, do not count). The first sync crawls nothing, leaving that
    to the schedules, so a sensor running by default launches no crawl of the whole registry."""
    known = set(context.instance.get_dynamic_partitions(site_partitions.name))
    registry = load_sites()
    new = [site.id for site in registry if site.id not in known]
    synced = context.cursor == SYNCED
    if not new and synced:
        return SkipReason("the registry has no new sites")
    return SensorResult(
        # added after every known partition, so the new ones are ranges of their own
        run_requests=list(batch_runs(new, new, "new-site")) if synced else [],
        dynamic_partitions_requests=[site_partitions.build_add_request(new)] if new else [],
        # the registry as the partitions now have it: `captures` has its upstream materialised
        asset_events=[
            AssetMaterialization(
                "site_registry", metadata={"sites": len(registry), "added": len(new)}
            )
        ],
        cursor=SYNCED,
    )
