"""The code location `dagster dev -w workspace.yaml` loads."""

from __future__ import annotations

from dagster import Definitions, define_asset_job

from dagster_project import assets
from dagster_project.resources import resources_for
from xxgk.config import Settings

PIPELINE_ASSETS = [
    assets.sites,
    assets.captures,
    assets.documents,
    assets.reports,
    assets.warehouse_tables,
]
PIPELINE_CHECKS = [assets.identities_hold, assets.parse_error_rate]

pipeline_job = define_asset_job("pipeline", description="crawl → archive → parse → load")


def build_definitions(settings: Settings, *, polite: bool = True) -> Definitions:
    return Definitions(
        assets=PIPELINE_ASSETS,
        asset_checks=PIPELINE_CHECKS,
        jobs=[pipeline_job],
        resources=resources_for(settings, polite=polite),
    )


defs = build_definitions(Settings.from_env())
