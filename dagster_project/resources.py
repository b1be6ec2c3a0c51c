"""Resources the assets use, swapped per environment: local defaults and tests get concrete
settings; production (`XXGK_ENV=production`) reads every location from environment variables
at run time, so no URL or credential is stored in the Dagster instance or shown in the UI."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource, EnvVar

from warehouse import Warehouse
from xxgk.archive import Archive, open_archive
from xxgk.settings import Settings


class ArchiveResource(ConfigurableResource):
    """The raw archive: a local directory or `s3://bucket/prefix`."""

    url: str

    def open(self) -> Archive:
        return open_archive(self.url)


class WarehouseResource(ConfigurableResource):
    """The SQL warehouse, migrated to the current schema when opened."""

    url: str

    def open(self) -> Warehouse:
        warehouse = Warehouse(self.url)
        warehouse.migrate()
        return warehouse


class CrawlerResource(ConfigurableResource):
    """How crawls run: in a subprocess (Twisted's reactor cannot restart in one process)."""

    polite: bool = True
    timeout_seconds: int = 6 * 3600
    workdir: str = "data/crawls"

    def crawl(self, start_url: str, archive_url: str, site_key: str, run_id: str) -> list[dict]:
        """Crawl one portal; its capture log is kept at `<workdir>/<site>/<run id>.jsonl`.
        A recrawl asks only for what changed since the portal's last capture log."""
        from spiders.crawl import run_crawl_subprocess

        logs = Path(self.workdir) / site_key
        logs.mkdir(parents=True, exist_ok=True)
        previous = max(logs.glob("*.jsonl"), key=lambda p: p.stat().st_mtime, default=None)
        return run_crawl_subprocess(
            [start_url],
            archive_url,
            logs / f"{run_id}.jsonl",
            polite=self.polite,
            timeout=self.timeout_seconds,
            previous_captures=previous,
        )


def resources_for(settings: Settings, *, polite: bool = True) -> dict[str, ConfigurableResource]:
    return {
        "archive": ArchiveResource(url=settings.archive_url),
        "warehouse": WarehouseResource(url=settings.database_url),
        "crawler": CrawlerResource(polite=polite, workdir=str(settings.data_dir / "crawls")),
    }


def production_resources() -> dict[str, ConfigurableResource]:
    return {
        "archive": ArchiveResource(url=EnvVar("XXGK_ARCHIVE_URL")),
        "warehouse": WarehouseResource(url=EnvVar("XXGK_DATABASE_URL")),
        "crawler": CrawlerResource(workdir=EnvVar("XXGK_CRAWL_DIR")),
    }


def environment_resources() -> dict[str, ConfigurableResource]:
    """The resources for `XXGK_ENV` (`local`, the default, or `production`)."""
    if os.environ.get("XXGK_ENV", "local") == "production":
        return production_resources()
    return resources_for(Settings.from_env())
