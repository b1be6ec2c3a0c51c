"""The code location `dagster dev -w workspace.yaml` loads."""

from __future__ import annotations

from dagster import Definitions, ExecutorDefinition

from dagster_project import assets, checks, jobs, schedules, sensors
from dagster_project.environments import (
    Resources,
    environment_executor,
    environment_resources,
)
from xxgk.settings import Settings

PIPELINE_ASSETS = [assets.captures, assets.documents, assets.reports, assets.warehouse_tables]
PIPELINE_CHECKS = [
    checks.identities_hold,
    checks.parse_error_rate,
    checks.site_not_blocked,
    checks.site_answered,
    checks.coverage,
    checks.carry_unbroken,
]


def build_definitions(
    resources: Resources, executor: ExecutorDefinition | None = None
) -> Definitions:
    return Definitions(
        assets=[assets.site_registry, *PIPELINE_ASSETS, assets.publication_coverage],
        asset_checks=PIPELINE_CHECKS,
        jobs=[jobs.pipeline_job],
        schedules=[schedules.weekly_crawl, schedules.reporting_season_crawl],
        sensors=[sensors.registry_sites],
        resources=resources,
        executor=executor,
    )


_settings = Settings.from_env()
defs = build_definitions(environment_resources(_settings), environment_executor(_settings))
