"""When portals are crawled: weekly all year, daily in the reporting season."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from dagster import RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from dagster_project.jobs import batch_runs, pipeline_job
from dagster_project.partitions import site_partitions

SEASON = ((1, 15), (4, 15))  # reports are due by 31 January / 31 March: crawl daily around then


def all_site_runs(context: ScheduleEvaluationContext, reason: str) -> Iterator[RunRequest]:
    keys = context.instance.get_dynamic_partitions(site_partitions.name)
    yield from batch_runs(keys, set(keys), f"{reason}-{context.scheduled_execution_time:%Y%m%d}")


def in_season(day: dt.date) -> bool:
    (start_month, start_day), (end_month, end_day) = SEASON
    return dt.date(day.year, start_month, start_day) <= day <= dt.date(day.year, end_month, end_day)


@schedule(
    job=pipeline_job,
    cron_schedule="0 2 * * 1",
    execution_timezone="Asia/Shanghai",
    description="Crawls every portal every Monday at 02:00 Beijing time, up to 300 portals a run.",
)
def weekly_crawl(context: ScheduleEvaluationContext):
    yield from all_site_runs(context, "weekly")


@schedule(
    job=pipeline_job,
    cron_schedule="0 3 * 1-4 *",
    execution_timezone="Asia/Shanghai",
    description="Crawls every portal daily at 03:00 Beijing time from 15 January to 15 April, "
    "when the year's reports appear (due by 31 January and 31 March).",
)
def reporting_season_crawl(context: ScheduleEvaluationContext):
    if not in_season(context.scheduled_execution_time.date()):
        yield SkipReason("outside the reporting season (15 January to 15 April)")
        return
    yield from all_site_runs(context, "season")
