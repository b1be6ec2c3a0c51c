"""The pipeline as assets, one partition per portal: captures → documents → reports → warehouse."""

from collections import Counter
from dataclasses import asdict
from http import HTTPStatus

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetRecordsFilter,
    Backoff,
    DagsterInstance,
    Failure,
    MetadataValue,
    Output,
    RetryPolicy,
    asset,
)

import parsers
from dagster_project.partitions import registry_site, site_partitions, start_url_for
from dagster_project.resources import ArchiveResource, Crawler, WarehouseResource
from xxgk.documents import select_documents
from xxgk.parsing import ParseService
from xxgk.records import Capture, Document, ParseResult
from xxgk.registry import load_sites
from xxgk.settings import Settings

TRANSIENT = RetryPolicy(max_retries=3, delay=30, backoff=Backoff.EXPONENTIAL)
CAPTURE_LOG = "capture_log"  # the `captures` materialisation's entry naming its crawl's log


@asset(group_name="registry")
def site_registry() -> Output[list[dict]]:
    """The portals xxgk knows: the packaged registry of county, city and province portals."""
    registry = [
        {"id": s.id, "start_url": s.start_url, "host": s.host, "adcode": s.adcode}
        for s in load_sites()
    ]
    return Output(registry, metadata={"sites": len(registry)})


@asset(
    group_name="crawl",
    partitions_def=site_partitions,
    deps=[site_registry],
    retry_policy=TRANSIENT,
)
def captures(context: AssetExecutionContext, crawler: Crawler) -> Output[list[Capture]]:
    """Every response the spider got from one portal, its bytes archived before anything
    reads them. A recrawl asks only for what changed since the crawl of the partition's last
    materialisation. The spider retries what fails in passing; a portal that still answers
    nothing fails its partition, for an operator to rerun (or the next scheduled crawl)."""
    site = context.partition_key
    previous = previous_capture_log(context.instance, site)
    crawl = crawler.crawl(start_url_for(site), site, context.run.run_id, previous)
    records = crawl.captures
    errors = Counter(c.error.kind for c in records if c.error)
    blocked = sorted({c.error.message for c in records if c.error and c.error.kind == "blocked"})
    metadata = {
        "pages_fetched": sum(c.sha256 is not None for c in records),
        "pages_unchanged": sum(c.status == HTTPStatus.NOT_MODIFIED for c in records),
        "bytes_archived": sum(c.size or 0 for c in records if c.status != HTTPStatus.NOT_MODIFIED),
        "errors_by_kind": MetadataValue.json(dict(errors)),
        "blocked_reason": MetadataValue.json(blocked),
        CAPTURE_LOG: MetadataValue.text(crawl.log),
        "previous_capture_log": MetadataValue.text(previous) if previous else None,
    }
    if not any(c.status for c in records):
        raise Failure(
            f"{site}: no response from the portal", metadata=metadata, allow_retries=False
        )
    return Output(records, metadata=metadata)


def previous_capture_log(instance: DagsterInstance, site: str) -> str | None:
    """The archive key of the capture log of the crawl that last materialised `captures` for
    `site`, if any."""
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey("captures"), asset_partitions=[site]), limit=1
    ).records
    materialization = records[0].asset_materialization if records else None
    entry = materialization.metadata.get(CAPTURE_LOG) if materialization else None
    return str(entry.value) if entry else None


@asset(group_name="parse", partitions_def=site_partitions)
def documents(captures: list[Capture]) -> Output[list[Document]]:
    """The report documents among the captures: inline report pages and their attachments."""
    found = select_documents(captures)
    return Output(found, metadata={"documents": len(found)})


@asset(group_name="parse", partitions_def=site_partitions, code_version=parsers.PARSER_VERSION)
def reports(documents: list[Document], archive: ArchiveResource) -> Output[list[ParseResult]]:
    """Each document parsed from its archived bytes into an `xxgk.report/1` record or an error,
    with what its archived report page prints; each result carries the parser version that
    made it. A new parser version re-parses from the archive without fetching anything."""
    service = ParseService.from_settings(Settings.from_env())
    store = archive.open()
    results = service.parse_documents(store, documents)
    errors = Counter(r.error.kind for r in results if r.error)
    return Output(
        results,
        metadata={
            "reports_parsed": sum(r.record is not None for r in results),
            "parser_bugs": errors["parser_bug"],
            "errors_by_kind": MetadataValue.json(dict(errors)),
            "parser_version": service.version,
        },
    )


@asset(group_name="load", partitions_def=site_partitions, retry_policy=TRANSIENT)
def warehouse_tables(
    context: AssetExecutionContext,
    captures: list[Capture],
    documents: list[Document],
    reports: list[ParseResult],
    warehouse: WarehouseResource,
) -> Output[dict]:
    """One portal's captures, documents, reports, cells, checks and errors in the warehouse."""
    store = warehouse.open()
    site = registry_site(context.partition_key)
    if site is not None:
        store.register_sites([asdict(site)])
    stats = store.load(captures, documents, reports)
    return Output(
        stats.added,
        metadata={
            "new_documents": stats.added.get("documents", 0),
            "new_reports": stats.added.get("reports", 0),
            **{f"rows_added_{table}": n for table, n in stats.added.items()},
        },
    )
