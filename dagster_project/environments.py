"""Which resources a run gets, per environment (`XXGK_ENV`): local defaults and tests get
concrete settings; production reads every location from environment variables at run time, so
no URL or credential is stored in the Dagster instance or shown in the UI. Asset values are
kept one partition at a time (`ArchiveIOManager`): in production in the archive, so that any
worker finds them; locally in a directory of the data directory, `<data>/values/`. The executor
is chosen per environment too: production runs send their steps to the Celery workers
(`dagster_project.workers`); local runs keep Dagster's default, a process per step on this
machine."""

from __future__ import annotations

from dagster import ConfigurableIOManager, ConfigurableResource, EnvVar, ExecutorDefinition

from dagster_project.io_managers import ArchiveIOManager
from dagster_project.resources import ArchiveResource, SubprocessCrawler, WarehouseResource
from dagster_project.workers import production_executor
from xxgk.settings import Settings

Resources = dict[str, ConfigurableResource | ConfigurableIOManager]


def resources_for(settings: Settings, *, polite: bool = True) -> Resources:
    archive = ArchiveResource(url=settings.archive_url)
    return {
        "archive": archive,
        "warehouse": WarehouseResource(url=settings.database_url),
        "crawler": SubprocessCrawler(archive=archive, polite=polite, workdir=str(settings.crawls)),
        "io_manager": ArchiveIOManager(
            archive=ArchiveResource(url=str(settings.data_dir / "values"))
        ),
    }


def production_resources() -> Resources:
    archive = ArchiveResource(url=EnvVar("XXGK_ARCHIVE_URL"))
    return {
        "archive": archive,
        "warehouse": WarehouseResource(url=EnvVar("XXGK_DATABASE_URL")),
        "crawler": SubprocessCrawler(archive=archive, workdir=EnvVar("XXGK_CRAWL_DIR")),
        "io_manager": ArchiveIOManager(archive=archive),
    }


def environment_resources(settings: Settings) -> Resources:
    """The resources for `settings.environment` (`XXGK_ENV`: `local`, or `production`)."""
    if settings.environment == "production":
        return production_resources()
    return resources_for(settings)


def environment_executor(settings: Settings) -> ExecutorDefinition | None:
    """The executor for `settings.environment`; None: Dagster's default."""
    return production_executor if settings.environment == "production" else None
