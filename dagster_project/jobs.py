"""The pipeline job, and runs of it for batches of portals: what schedules and sensors request."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from dagster import RunRequest, define_asset_job
from dagster._core.storage.tags import (  # the tags Dagster itself marks a range run with
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from dagster_project.partitions import PORTALS_PER_RUN

REASON_TAG = "xxgk/reason"

pipeline_job = define_asset_job(
    "pipeline",
    selection=["captures", "documents", "reports", "warehouse_tables"],
    description="crawl → archive → parse → load, for a batch of portals crawled together",
)


def partition_ranges(
    ordered: Sequence[str], wanted: Collection[str], size: int = PORTALS_PER_RUN
) -> list[list[str]]:
    """`wanted` as runs of consecutive keys of `ordered` (the partitions' order: a run covers
    a range of it), none holding a key not wanted, nor more than `size` keys."""
    ranges: list[list[str]] = [[]]
    for key in ordered:
        if key in wanted and len(ranges[-1]) < size:
            ranges[-1].append(key)
        elif key in wanted:
            ranges.append([key])
        elif ranges[-1]:
            ranges.append([])
    return [keys for keys in ranges if keys]


def range_tags(keys: Sequence[str]) -> dict[str, str]:
    """The tags that make a run materialise the partitions `keys[0]` to `keys[-1]`."""
    return {ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1]}


def batch_runs(
    ordered: Sequence[str], wanted: Collection[str], reason: str
) -> Iterator[RunRequest]:
    """Runs crawling the portals `wanted`, up to PORTALS_PER_RUN together; `ordered` is every
    partition key in order. No tag names their hosts: the crawl step's pool
    (`partitions.CRAWL_POOL`) keeps crawls from overlapping, whoever launched them."""
    for keys in partition_ranges(ordered, wanted):
        yield RunRequest(
            run_key=f"{reason}:{keys[0]}..{keys[-1]}",
            tags={**range_tags(keys), REASON_TAG: reason},
        )
