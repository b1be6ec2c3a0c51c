"""The pipeline as assets, one partition per portal: captures → documents → reports → warehouse."""

from collections import Counter
from dataclasses import asdict
from http import HTTPStatus

from dagster import (
    AssetExecutionContext,
    Backoff,
    Failure,
    MetadataValue,
    Output,
    RetryPolicy,
    asset,
)

import parsers
from dagster_project.partitions import registry_site, site_partitions, start_url_for
from dagster_project.resources import ArchiveResource, CrawlerResource, WarehouseResource
from xxgk.archive import Archive, DigestMismatch
from xxgk.convert import to_docx
from xxgk.documents import select_documents
from xxgk.registry import load_sites

TRANSIENT = RetryPolicy(max_retries=3, delay=30, backoff=Backoff.EXPONENTIAL)


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
def captures(
    context: AssetExecutionContext, crawler: CrawlerResource, archive: ArchiveResource
) -> Output[list[dict]]:
    """Every response the spider got from one portal, its bytes archived before anything
    reads them. The spider retries what fails in passing; a portal that still answers nothing
    fails its partition, for an operator to rerun (or the next scheduled crawl)."""
    site = context.partition_key
    records = crawler.crawl(start_url_for(site), archive.url, site, context.run.run_id)
    errors = Counter(c["error"]["kind"] for c in records if c.get("error"))
    blocked = sorted({c["error"]["message"] for c in records if error_kind(c) == "blocked"})
    metadata = {
        "pages_fetched": sum(c.get("sha256") is not None for c in records),
        "pages_unchanged": sum(c.get("status") == HTTPStatus.NOT_MODIFIED for c in records),
        "bytes_archived": sum(c.get("size") or 0 for c in records),
        "errors_by_kind": MetadataValue.json(dict(errors)),
        "blocked_reason": MetadataValue.json(blocked),
    }
    if not any(c.get("status") for c in records):
        raise Failure(
            f"{site}: no response from the portal", metadata=metadata, allow_retries=False
        )
    return Output(records, metadata=metadata)


def error_kind(capture: dict) -> str | None:
    return capture["error"]["kind"] if capture.get("error") else None


@asset(group_name="parse", partitions_def=site_partitions)
def documents(captures: list[dict]) -> Output[list[dict]]:
    """The report documents among the captures: inline report pages and their attachments."""
    found = select_documents(captures)
    return Output(found, metadata={"documents": len(found)})


@asset(group_name="parse", partitions_def=site_partitions, code_version=parsers.PARSER_VERSION)
def reports(documents: list[dict], archive: ArchiveResource) -> Output[list[dict]]:
    """Each document parsed from its archived bytes into an `xxgk.report/1` record or an error.
    A new parser version re-parses from the archive without fetching anything."""
    store = archive.open()
    results = [parse_document(store, document) for document in documents]
    errors = Counter(r["error"]["kind"] for r in results if "error" in r)
    return Output(
        results,
        metadata={
            "reports_parsed": sum("record" in r for r in results),
            "errors_by_kind": MetadataValue.json(dict(errors)),
            "parser_version": parsers.PARSER_VERSION,
        },
    )


def parse_document(store: Archive, document: dict) -> dict:
    digest = document["sha256"]
    try:
        data = store.get(digest)
    except DigestMismatch as exc:
        error = {"kind": "corrupt_archive", "message": str(exc)}
        return {"document_sha256": digest, "error": error}
    try:
        record = parsers.parse(to_docx(data), document.get("media_type"), document.get("file_name"))
    except parsers.ParseError as exc:
        return {"document_sha256": digest, "error": {"kind": exc.kind, "message": exc.message}}
    return {"document_sha256": digest, "record": record}


@asset(group_name="load", partitions_def=site_partitions, retry_policy=TRANSIENT)
def warehouse_tables(
    context: AssetExecutionContext,
    captures: list[dict],
    documents: list[dict],
    reports: list[dict],
    warehouse: WarehouseResource,
) -> Output[dict]:
    """One portal's captures, documents, reports, cells, checks and errors in the warehouse."""
    store = warehouse.open()
    site = registry_site(context.partition_key)
    if site is not None:
        store.register_sites([asdict(site)])
    stats = store.load(captures, documents, reports, parsers.PARSER_VERSION)
    return Output(
        stats.added,
        metadata={
            "new_documents": stats.added.get("documents", 0),
            "new_reports": stats.added.get("reports", 0),
            **{f"rows_added_{table}": n for table, n in stats.added.items()},
        },
    )
