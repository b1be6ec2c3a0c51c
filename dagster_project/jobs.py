"""The pipeline job, and a run of it for one portal: what schedules and sensors request."""

from __future__ import annotations

from urllib.parse import urlsplit

from dagster import RunRequest, define_asset_job

from dagster_project.partitions import start_url_for

HOST_TAG = "xxgk/host"

pipeline_job = define_asset_job(
    "pipeline",
    selection=["captures", "documents", "reports", "warehouse_tables"],
    description="crawl → archive → parse → load, for one portal",
)


def site_run(site_key: str, reason: str) -> RunRequest:
    """A run for one portal, tagged with its host so that no portal is hit by two runs at once
    (the run queue limits `xxgk/host` to one run per value: see dagster.yaml)."""
    host = urlsplit(start_url_for(site_key)).hostname or site_key
    return RunRequest(
        run_key=f"{reason}:{site_key}",
        partition_key=site_key,
        tags={HOST_TAG: host, "xxgk/reason": reason},
    )
