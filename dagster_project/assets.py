"""The pipeline as assets, one partition per portal: captures → documents → reports → warehouse.

A run materialises many partitions (`PORTAL_BATCHES`): each asset handles every portal of the
run (`context.partition_keys`) and gives a mapping from partition key to that portal's value,
which the IO manager stores one partition at a time; its metadata is the portal's own."""

import functools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from http import HTTPStatus
from types import MappingProxyType

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetExecutionContext,
    AssetKey,
    AssetRecordsFilter,
    Backoff,
    DagsterEventType,
    DagsterInstance,
    Failure,
    MaterializeResult,
    MetadataValue,
    Output,
    RetryPolicy,
    TableColumn,
    TableColumnConstraints,
    TableRecord,
    TableSchema,
    asset,
)

import parsers
from dagster_project.io_managers import PortalValues, SpooledValues
from dagster_project.partitions import (
    CRAWL_POOL,
    PORTAL_BATCHES,
    portal_metadata,
    portal_name,
    registry_site,
    site_partitions,
    start_url_for,
)
from dagster_project.resources import ArchiveResource, Crawler, WarehouseResource
from warehouse import coverage, coverage_chart
from warehouse.tables import metadata as warehouse_metadata
from xxgk.documents import select_documents, unpack_containers
from xxgk.parsing import ParseService
from xxgk.records import ERROR_KINDS, Capture, Document, ParseResult
from xxgk.registry import load_sites
from xxgk.settings import Settings

TRANSIENT = RetryPolicy(max_retries=3, delay=30, backoff=Backoff.EXPONENTIAL)
CAPTURE_LOG = "capture_log"  # the `captures` materialisation's entry naming its crawl's log
ANSWERED = "answered"  # the `captures` materialisation's entry: did the portal answer at all
UNREACHABLE = "unreachable"  # … and, when it did not, why (`unreachable_reason`)
SITE_ANSWERED = "site_answered"  # the check a portal that did not answer fails
NOTHING_TO_CHECK = "nothing_to_check"  # the entry of the other checks of such a portal
PARSE_BATCH = 200  # documents parsed together, enough to keep every parse worker busy
PORTAL_TAG = "xxgk/portal"  # the run tag naming the region of a run's one portal
OWNERS = ["team:xxgk"]
COLUMN_SCHEMA = "dagster/column_schema"  # the entry the UI shows as an asset's columns
TABLE_ROWS = "warehouse_rows"  # the `warehouse_tables` entry: rows per table, added and in all


@asset(group_name="registry", kinds={"python", "json"}, owners=OWNERS, tags={"reads": "registry"})
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
    kinds={"scrapy", "python"},
    owners=OWNERS,
    tags={"reads": "portals", "writes": "archive"},
    retry_policy=TRANSIENT,
    backfill_policy=PORTAL_BATCHES,
    pool=CRAWL_POOL,
)
def captures(context: AssetExecutionContext, crawler: Crawler) -> Output[PortalValues]:
    """Every response the spider got from each portal of the run, all crawled together by one
    crawl, their bytes archived before anything reads them. A recrawl asks only for what
    changed since the crawl of the partition's last materialisation. The spider retries what
    fails in passing; a portal that still answers nothing is `answered: false` (check
    `site_answered`), and a run none of whose portals answered fails, for an operator to rerun
    (or the next scheduled crawl)."""
    sites = context.partition_keys
    previous = previous_capture_logs(context.instance, sites)
    crawls = crawler.crawl(
        {site: start_url_for(site) for site in sites}, context.run.run_id, previous
    )
    if len(sites) == 1 and (name := portal_name(sites[0])):
        context.instance.add_run_tags(context.run.run_id, {PORTAL_TAG: name})
    unreached = {}
    for site in sites:
        records = crawls[site].captures()
        metadata = {
            **portal_metadata(site),
            **captures_metadata(records, crawls[site].key, previous.get(site)),
        }
        context.add_asset_metadata(metadata, partition_key=site)
        if not metadata[ANSWERED]:
            unreached[site] = metadata[UNREACHABLE]
    if len(unreached) == len(sites):
        for key in planned_checks(context):  # left planned, a failed run's shows as failed
            for site, reason in unreached.items():
                context.log_event(unreached_check(key, site, reason))
        reasons = {start_url_for(site): reason for site, reason in unreached.items()}
        raise Failure(
            "no portal of the run answered: "
            + "; ".join(f"{url} unreachable, {reason}" for url, reason in reasons.items()),
            metadata={url: MetadataValue.text(reason) for url, reason in reasons.items()},
            allow_retries=False,
        )
    return Output(PortalValues({site: crawls[site].captures for site in sites}))


def unreachable_reason(records: list[Capture]) -> str:
    """Why a portal never answered: its home page's error (dns, connection, timeout …), and
    what the crawl said of it."""
    errors = [c.error for c in sorted(records, key=lambda c: c.role != "home") if c.error]
    if not errors:
        return "no page was requested"
    return f"{errors[0].kind} ({errors[0].message or ERROR_KINDS[errors[0].kind]})"


def planned_checks(context: AssetExecutionContext) -> set[AssetCheckKey]:
    """The checks the run is to evaluate, of any asset."""
    records = context.instance.get_records_for_run(
        context.run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED
    ).records
    return {
        AssetCheckKey(data.asset_key, data.check_name)
        for record in records
        if (data := record.event_log_entry.dagster_event.asset_check_planned_data)
    }


def unreached_check(key: AssetCheckKey, site: str, reason: str) -> AssetCheckEvaluation:
    """A check of a portal that did not answer: `site_answered` failed, with the reason; any
    other passed, with nothing to check (not a failure of the check)."""
    failed = key.name == SITE_ANSWERED
    return AssetCheckEvaluation(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=not failed,
        metadata={
            **portal_metadata(site),
            UNREACHABLE: reason,
            **({} if failed else {NOTHING_TO_CHECK: "the portal did not answer"}),
        },
        partition=site,
    )


@functools.lru_cache(maxsize=4)
def unreached_portals(instance: DagsterInstance, run_id: str) -> Mapping[str, str]:
    """The portals whose crawl in the run got no answer, by partition, with the reason (from
    the run's materialisations of `captures`). Read once per run by a process: every check of
    the run asks, and its `captures` step has ended before any check begins."""
    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
    ).records
    materializations = [r.asset_materialization for r in records]
    return MappingProxyType(
        {
            m.partition: str(m.metadata[UNREACHABLE].value)
            for m in materializations
            if m
            and m.asset_key == AssetKey("captures")
            and m.partition
            and UNREACHABLE in m.metadata
        }
    )


def captures_metadata(records: list[Capture], log: str, previous: str | None) -> dict:
    errors = Counter(c.error.kind for c in records if c.error)
    blocked = sorted({c.error.message for c in records if c.error and c.error.kind == "blocked"})
    answered = any(c.status for c in records)
    return {
        ANSWERED: answered,
        **({} if answered else {UNREACHABLE: unreachable_reason(records)}),
        "pages_fetched": sum(c.sha256 is not None for c in records),
        "pages_unchanged": sum(c.status == HTTPStatus.NOT_MODIFIED for c in records),
        "bytes_archived": sum(c.size or 0 for c in records if c.status != HTTPStatus.NOT_MODIFIED),
        "errors_by_kind": MetadataValue.json(dict(errors)),
        "blocked_reason": MetadataValue.json(blocked),
        CAPTURE_LOG: MetadataValue.text(log),
        **({"previous_capture_log": MetadataValue.text(previous)} if previous else {}),
    }


def previous_capture_logs(instance: DagsterInstance, sites: Sequence[str]) -> dict[str, str]:
    """The archive key of the capture log of the crawl that last materialised `captures`, for
    each of `sites` that has one: two queries, however many portals the run has."""
    key = AssetKey("captures")
    latest = instance.event_log_storage.get_latest_storage_id_by_partition(
        key, DagsterEventType.ASSET_MATERIALIZATION, set(sites)
    )
    if not latest:
        return {}
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=key, storage_ids=list(latest.values())), limit=len(latest)
    ).records
    return {
        record.partition_key: str(entry.value)
        for record in records
        if record.partition_key
        and record.asset_materialization
        and (entry := record.asset_materialization.metadata.get(CAPTURE_LOG))
    }


@asset(
    group_name="parse",
    partitions_def=site_partitions,
    kinds={"python"},
    owners=OWNERS,
    tags={"reads": "archive"},
    backfill_policy=PORTAL_BATCHES,
)
def documents(
    context: AssetExecutionContext, captures: PortalValues, archive: ArchiveResource
) -> Output[PortalValues]:
    """The report documents among each portal's captures: inline report pages and their
    attachments, a ZIP's reports in place of the ZIP (each member archived under its own
    sha256)."""
    store = archive.open()
    found: SpooledValues[list[Document]] = SpooledValues()
    for site in context.partition_keys:
        documents = unpack_containers(select_documents(captures[site]), store)
        found[site] = documents
        context.add_asset_metadata(
            {**portal_metadata(site), "documents": len(documents)}, partition_key=site
        )
    return Output(found)


@asset(
    group_name="parse",
    partitions_def=site_partitions,
    code_version=parsers.PARSER_VERSION,
    kinds={"python", "pdfplumber"},
    owners=OWNERS,
    tags={"reads": "archive"},
    backfill_policy=PORTAL_BATCHES,
)
def reports(
    context: AssetExecutionContext,
    documents: PortalValues,
    archive: ArchiveResource,
) -> Output[PortalValues]:
    """Each document parsed from its archived bytes into an `xxgk.report/1` record or an error,
    with what its archived report page prints; each result carries the parser version that
    made it. A new parser version re-parses from the archive without fetching anything.
    Portals are parsed a few together (PARSE_BATCH documents), so that every parse worker has
    work however few documents a portal has."""
    service = ParseService.from_settings(Settings.from_env())
    store = archive.open()
    parsed: SpooledValues[list[ParseResult]] = SpooledValues()
    for batch in document_batches(documents, context.partition_keys):
        results = iter(service.parse_documents(store, [d for ds in batch.values() for d in ds]))
        for site, site_documents in batch.items():
            site_results = [next(results) for _ in site_documents]
            parsed[site] = site_results
            report_metadata(context, site, site_results, service.version)
    return Output(parsed)


def document_batches(
    documents: PortalValues, sites: Sequence[str]
) -> Iterator[dict[str, list[Document]]]:
    """The portals' documents, a few portals at a time: at least PARSE_BATCH documents."""
    batch: dict[str, list[Document]] = {}
    for site in sites:
        batch[site] = documents[site]
        if sum(map(len, batch.values())) >= PARSE_BATCH:
            yield batch
            batch = {}
    if batch:
        yield batch


def report_metadata(
    context: AssetExecutionContext, site: str, results: list[ParseResult], version: str
) -> None:
    errors = Counter(r.error.kind for r in results if r.error)
    metadata = {
        **portal_metadata(site),
        "reports_parsed": sum(r.record is not None for r in results),
        "parser_bugs": errors["parser_bug"],
        "errors_by_kind": MetadataValue.json(dict(errors)),
        "parser_version": version,
    }
    context.add_asset_metadata(metadata, partition_key=site)


def warehouse_schema() -> TableSchema:
    """Every column of the warehouse's tables, named `table.column`."""
    return TableSchema(
        columns=[
            TableColumn(
                name=f"{table.name}.{column.name}",
                type=str(column.type),
                constraints=TableColumnConstraints(
                    nullable=column.nullable is not False, unique=bool(column.unique)
                ),
            )
            for table in warehouse_metadata.tables.values()
            for column in table.columns
        ]
    )


def table_rows(added: dict[str, int], counts: dict[str, int]) -> MetadataValue:
    """Per warehouse table, the rows a portal's load added and the rows it holds after the run."""
    columns = [TableColumn("table"), TableColumn("rows_added", "int"), TableColumn("rows", "int")]
    return MetadataValue.table(
        [
            TableRecord({"table": t, "rows_added": added.get(t, 0), "rows": n})
            for t, n in counts.items()
        ],
        schema=TableSchema(columns=columns),
    )


@asset(
    group_name="load",
    partitions_def=site_partitions,
    kinds={"sqlite", "postgresql", "sqlalchemy"},
    owners=OWNERS,
    tags={"writes": "warehouse"},
    metadata={COLUMN_SCHEMA: warehouse_schema()},
    retry_policy=TRANSIENT,
    backfill_policy=PORTAL_BATCHES,
)
def warehouse_tables(
    context: AssetExecutionContext,
    captures: PortalValues,
    documents: PortalValues,
    reports: PortalValues,
    warehouse: WarehouseResource,
) -> Output[dict[str, dict]]:
    """Each portal's captures, documents, reports, cells, checks and errors in the warehouse;
    its metadata, per table, the rows the portal added and the rows in the warehouse after the
    run (the warehouse's columns are the definition's: not repeated in every portal's event)."""
    store = warehouse.open()
    added = {}
    for key in context.partition_keys:
        site = registry_site(key)
        if site is not None:
            store.register_sites([asdict(site)])
        added[key] = store.load(captures[key], documents[key], reports[key]).added
    counts = store.counts()
    for key, rows in added.items():
        metadata = {
            **portal_metadata(key),
            "new_documents": rows.get("documents", 0),
            "new_reports": rows.get("reports", 0),
            **{f"rows_added_{table}": n for table, n in rows.items()},
            TABLE_ROWS: table_rows(rows, counts),
        }
        context.add_asset_metadata(metadata, partition_key=key)
    return Output(added)


@asset(
    group_name="research",
    deps=[warehouse_tables],
    kinds={"matplotlib", "sql"},
    owners=OWNERS,
    tags={"reads": "warehouse"},
)
def publication_coverage(warehouse: WarehouseResource) -> MaterializeResult:
    """Province × year, the organs that published their report on time, late or not at all
    against 条例 第五十条's deadlines (`v_publication_deadlines`), drawn as `xxgk report
    coverage` draws it; materialise it after a backfill to see the warehouse as it stands."""
    store = warehouse.open()
    cells = coverage.grid(store.engine)
    tally = {status: sum(getattr(cell, status) for cell in cells) for status in coverage.STATUSES}
    metadata = {
        "provinces": len({cell.province for cell in cells}),
        "organ_years": sum(tally.values()),
        **{f"organ_years_{status}": n for status, n in tally.items()},
    }
    if cells:
        metadata["picture"] = MetadataValue.md(coverage_chart.markdown(cells))
    return MaterializeResult(metadata=metadata)
