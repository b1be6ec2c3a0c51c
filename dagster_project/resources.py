"""Resources the assets use, configured per environment (local defaults, tests, production)."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from warehouse import Warehouse
from xxgk.archive import Archive, open_archive
from xxgk.config import Settings


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
    timeout_seconds: int = 3600
    workdir: str = "data/crawls"

    def crawl(self, start_urls: list[str], archive_url: str, run_id: str) -> list[dict]:
        from spiders.crawl import run_crawl_subprocess

        out = Path(self.workdir) / f"{run_id}.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        return run_crawl_subprocess(
            start_urls,
            archive_url,
            str(out),
            polite=self.polite,
            timeout=self.timeout_seconds,
        )


def resources_for(settings: Settings, *, polite: bool = True) -> dict[str, ConfigurableResource]:
    return {
        "archive": ArchiveResource(url=settings.archive_url),
        "warehouse": WarehouseResource(url=settings.database_url),
        "crawler": CrawlerResource(polite=polite, workdir=str(settings.data_dir / "crawls")),
    }
