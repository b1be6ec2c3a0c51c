"""The pipeline as assets: sites → captures → documents → reports → warehouse."""

from __future__ import annotations

from collections import Counter

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    Config,
    Failure,
    MetadataValue,
    Output,
    asset,
    asset_check,
)

from dagster_project.resources import ArchiveResource, CrawlerResource, WarehouseResource
from parsers import PARSER_VERSION, ParseError, parse
from xxgk.archive import Archive, DigestMismatch
from xxgk.documents import select_documents


class SitesConfig(Config):
    start_urls: list[str] = []
    registry_filter: str | None = None


@asset(group_name="crawl")
def sites(config: SitesConfig) -> Output[list[dict]]:
    """The portals to crawl: explicit start URLs, or the registry entries matching a filter."""
    chosen = [{"start_url": url} for url in config.start_urls]
    if config.registry_filter:
        from xxgk.registry import load_sites

        chosen += [
            {"start_url": s.start_url, "id": s.id, "adcode": s.adcode}
            for s in load_sites(config.registry_filter)
        ]
    if not chosen:
        raise Failure("No sites: set start_urls or registry_filter in the sites asset's config.")
    return Output(chosen, metadata={"sites": len(chosen)})


@asset(group_name="crawl")
def captures(
    context: AssetExecutionContext,
    sites: list[dict],
    crawler: CrawlerResource,
    archive: ArchiveResource,
) -> Output[list[dict]]:
    """Every response the spider got, its bytes archived before anything reads them."""
    records = crawler.crawl([s["start_url"] for s in sites], archive.url, context.run_id)
    errors = Counter(c["error"]["kind"] for c in records if c.get("error"))
    blocked = sorted(
        {c["site"] for c in records if (c.get("error") or {}).get("kind") == "blocked"}
    )
    return Output(
        records,
        metadata={
            "pages_fetched": len(records),
            "bytes_archived": sum(c.get("size") or 0 for c in records),
            "errors_by_kind": dict(errors),
            "blocked_sites": MetadataValue.json(blocked),
        },
    )


@asset(group_name="parse")
def documents(captures: list[dict]) -> Output[list[dict]]:
    """The report documents among the captures: inline report pages and their attachments."""
    found = select_documents(captures)
    return Output(found, metadata={"documents": len(found)})


@asset(group_name="parse", code_version=PARSER_VERSION)
def reports(documents: list[dict], archive: ArchiveResource) -> Output[list[dict]]:
    """Each document parsed from its archived bytes into an `xxgk.report/1` record or an error."""
    store = archive.open()
    results = [parse_document(store, document) for document in documents]
    errors = Counter(r["error"]["kind"] for r in results if "error" in r)
    return Output(
        results,
        metadata={
            "reports_parsed": sum("record" in r for r in results),
            "errors_by_kind": dict(errors),
            "parser_version": PARSER_VERSION,
        },
    )


def parse_document(store: Archive, document: dict) -> dict:
    digest = document["sha256"]
    try:
        data = store.get(digest)
    except DigestMismatch as exc:
        return {
            "document_sha256": digest,
            "error": {"kind": "corrupt_archive", "message": str(exc)},
        }
    try:
        record = parse(data, document.get("media_type"), document.get("file_name"))
    except ParseError as exc:
        return {"document_sha256": digest, "error": {"kind": exc.kind, "message": exc.message}}
    return {"document_sha256": digest, "record": record}


@asset(group_name="load")
def warehouse_tables(
    captures: list[dict],
    documents: list[dict],
    reports: list[dict],
    warehouse: WarehouseResource,
) -> Output[dict]:
    """Captures, documents, reports, cells, checks and errors loaded into the SQL warehouse."""
    store = warehouse.open()
    store.load(captures, documents, reports, PARSER_VERSION)
    counts = store.counts()
    return Output(counts, metadata={f"rows_{table}": n for table, n in counts.items()})


def identity_tally(results: list[dict]) -> Counter:
    """How many accounting identities passed, failed, or could not be decided (a null cell)."""
    outcome = {True: "passed", False: "failed", None: "undecided"}
    return Counter(
        outcome[check["passed"]]
        for result in results
        if "record" in result
        for check in result["record"]["checks"]
    )


@asset_check(asset=reports, description="Every parsed report's accounting identities hold.")
def identities_hold(reports: list[dict]) -> AssetCheckResult:
    tally = identity_tally(reports)
    failing = sorted(
        f"{r['record']['organ']} {r['record']['year']}: {c['name']} ({c['detail']})"
        for r in reports
        if "record" in r
        for c in r["record"]["checks"]
        if c["passed"] is False
    )
    decided = tally["passed"] + tally["failed"]
    return AssetCheckResult(
        passed=not failing,
        severity=AssetCheckSeverity.WARN,
        metadata={
            **dict(tally),
            "pass_rate": tally["passed"] / decided if decided else 1.0,
            "failing": MetadataValue.json(failing),
        },
    )


@asset_check(asset=reports, description="Fewer than half of the documents fail to parse.")
def parse_error_rate(reports: list[dict]) -> AssetCheckResult:
    failed = sum("error" in r for r in reports)
    rate = failed / len(reports) if reports else 0.0
    return AssetCheckResult(
        passed=rate < 0.5,
        severity=AssetCheckSeverity.WARN,
        metadata={"documents": len(reports), "errors": failed, "error_rate": rate},
    )
