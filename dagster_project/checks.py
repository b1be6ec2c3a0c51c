"""Asset checks an operator trusts: identities, parse errors, sites that answered and did not
block, coverage. Each check is evaluated per portal (partition) of the run: a run materialises
many, and `AssetCheckResult` names no partition, so each check yields one evaluation per
partition and then its (empty) output."""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from dagster import (
    AssetCheckEvaluation,
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    MetadataValue,
    Output,
    asset_check,
)
from sqlalchemy import Connection, select

from dagster_project.assets import (
    SITE_ANSWERED,
    UNREACHABLE,
    captures,
    reports,
    unreachable_reason,
    unreached_check,
    unreached_portals,
    warehouse_tables,
)
from dagster_project.io_managers import PortalValues
from dagster_project.partitions import portal_metadata, site_partitions, start_url_for
from dagster_project.resources import WarehouseResource
from warehouse.panel import carry_breaks
from warehouse.tables import documents
from warehouse.tables import reports as report_rows
from xxgk.records import Capture, ParseResult

FIRST_YEAR = 2019
_V = TypeVar("_V")


def per_portal(
    context: AssetCheckExecutionContext,
    values: Mapping[str, _V],
    evaluate: Callable[[_V], AssetCheckResult],
) -> Iterator[AssetCheckEvaluation | Output]:
    """The check's evaluation of each partition of the run, then its output. A portal whose
    crawl in this run got no answer has nothing to check (`unreached_check`)."""
    [spec] = context.check_specs
    op = context.op_execution_context
    unreached = unreached_portals(op.instance, op.run_id)
    for partition in op.partition_keys:
        if partition in unreached:
            key = AssetCheckKey(spec.asset_key, spec.name)
            yield unreached_check(key, partition, unreached[partition])
            continue
        result = evaluate(values[partition])
        yield AssetCheckEvaluation(
            asset_key=spec.asset_key,
            check_name=spec.name,
            passed=result.passed,
            metadata={**portal_metadata(partition), **result.metadata},
            severity=result.severity,
            partition=partition,
        )
    yield Output(None, output_name=op.op_def.output_defs[0].name)


def identity_tally(results: list[ParseResult]) -> Counter:
    """How many accounting identities passed, failed, or could not be decided (a null cell)."""
    outcome = {True: "passed", False: "failed", None: "undecided"}
    return Counter(
        outcome[check["passed"]]
        for result in results
        if result.record is not None
        for check in result.record["checks"]
    )


@asset_check(
    asset=reports,
    partitions_def=site_partitions,
    description="The parsed reports' accounting identities hold.",
)
def identities_hold(
    context: AssetCheckExecutionContext, reports: PortalValues
) -> Iterator[AssetCheckEvaluation | Output]:
    yield from per_portal(context, reports, identities_hold_result)


def identities_hold_result(reports: list[ParseResult]) -> AssetCheckResult:
    tally = identity_tally(reports)
    failing = sorted(
        f"{r.record['organ']} {r.record['year']}: {c['name']} ({c['detail']})"
        for r in reports
        if r.record is not None
        for c in r.record["checks"]
        if c["passed"] is False
    )
    decided = tally["passed"] + tally["failed"]
    return AssetCheckResult(
        passed=not failing,
        severity=AssetCheckSeverity.WARN,
        metadata={
            **{f"identities_{k}": n for k, n in tally.items()},
            "pass_rate": tally["passed"] / decided if decided else 1.0,
            "failing": MetadataValue.json(failing),
        },
    )


@asset_check(
    asset=reports,
    partitions_def=site_partitions,
    description="Fewer than half of the documents fail to parse.",
)
def parse_error_rate(
    context: AssetCheckExecutionContext, reports: PortalValues
) -> Iterator[AssetCheckEvaluation | Output]:
    yield from per_portal(context, reports, parse_error_rate_result)


def parse_error_rate_result(reports: list[ParseResult]) -> AssetCheckResult:
    failed = Counter(r.error.kind for r in reports if r.error)
    rate = sum(failed.values()) / len(reports) if reports else 0.0
    return AssetCheckResult(
        passed=rate < 0.5,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "documents": len(reports),
            "error_rate": rate,
            "errors_by_kind": MetadataValue.json(dict(failed)),
        },
    )


@asset_check(
    asset=captures,
    partitions_def=site_partitions,
    description="The portal did not block the crawler.",
)
def site_not_blocked(
    context: AssetCheckExecutionContext, captures: PortalValues
) -> Iterator[AssetCheckEvaluation | Output]:
    yield from per_portal(context, captures, site_not_blocked_result)


def site_not_blocked_result(captures: list[Capture]) -> AssetCheckResult:
    reasons = sorted({c.error.message for c in captures if c.error and c.error.kind == "blocked"})
    return AssetCheckResult(
        passed=not reasons,
        severity=AssetCheckSeverity.WARN,
        metadata={"blocked_reasons": MetadataValue.json(reasons)},
    )


@asset_check(
    asset=captures,
    name=SITE_ANSWERED,
    partitions_def=site_partitions,
    description="The portal answered at all (its partition is rerun when it did not); when it "
    "did not, why: dns, connection (refused), timeout …",
)
def site_answered(
    context: AssetCheckExecutionContext, captures: PortalValues
) -> Iterator[AssetCheckEvaluation | Output]:
    yield from per_portal(context, captures, site_answered_result)


def site_answered_result(captures: list[Capture]) -> AssetCheckResult:
    errors = Counter(c.error.kind for c in captures if c.error)
    answered = any(c.status for c in captures)
    return AssetCheckResult(
        passed=answered,
        metadata={
            "errors_by_kind": MetadataValue.json(dict(errors)),
            **({} if answered else {UNREACHABLE: unreachable_reason(captures)}),
        },
    )


GOVERNMENT_DEADLINE = (3, 31)  # 31 March of the next year, for people's governments
DEPARTMENT_DEADLINE = (1, 31)  # 31 January, for their departments


def due_years(organ: str, today: dt.date) -> range:
    """Years since 2019 whose report from `organ` is legally due by `today`."""
    month, day = GOVERNMENT_DEADLINE if organ.endswith("人民政府") else DEPARTMENT_DEADLINE
    last = today.year - 1 if today > dt.date(today.year, month, day) else today.year - 2
    return range(FIRST_YEAR, last + 1)


def coverage_gaps(results: list[ParseResult], today: dt.date) -> dict[str, list[int]]:
    """Per organ seen on the portal, the due years for which no report was found."""
    found: dict[str, set[int]] = {}
    for result in results:
        if (record := result.record) is not None:
            found.setdefault(record["organ"], set()).add(record["year"])
    gaps = {
        organ: [year for year in due_years(organ, today) if year not in years]
        for organ, years in found.items()
    }
    return {organ: years for organ, years in sorted(gaps.items()) if years}


@asset_check(
    asset=reports,
    partitions_def=site_partitions,
    description="Every organ on the portal has a report for each year since 2019 that is due "
    "(31 March for governments, 31 January for departments).",
)
def coverage(
    context: AssetCheckExecutionContext, reports: PortalValues
) -> Iterator[AssetCheckEvaluation | Output]:
    yield from per_portal(context, reports, coverage_result)


def coverage_result(reports: list[ParseResult]) -> AssetCheckResult:
    gaps = coverage_gaps(reports, dt.date.today())
    has_government = any(
        r.record is not None and (r.record["organ"] or "").endswith("人民政府") for r in reports
    )
    return AssetCheckResult(
        passed=has_government and not gaps,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "government_report_found": has_government,
            "missing_years": MetadataValue.json(gaps),
        },
    )


@asset_check(
    asset=warehouse_tables,
    partitions_def=site_partitions,
    description="Each year's 结转下年度继续办理 is the next year's 上年结转 (view v_carry_breaks), "
    "for every organ with a report of either year found on the portal.",
)
def carry_unbroken(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[AssetCheckEvaluation | Output]:
    keys = context.op_execution_context.partition_keys
    with warehouse.open().engine.connect() as connection:
        breaks = portal_carry_breaks(connection, {key: start_url_for(key) for key in keys})
    yield from per_portal(context, breaks, carry_unbroken_result)


def portal_carry_breaks(
    connection: Connection, start_urls: Mapping[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """Per site key, the breaks of the cross-year identity with a report of either year among
    the documents found on its portal (`start_urls`: site key → start URL)."""
    found = connection.execute(
        select(report_rows.c.id, documents.c.site)
        .join(documents, documents.c.id == report_rows.c.document_id)
        .where(documents.c.site.in_(set(start_urls.values())))
    ).all()
    reports_by_site: dict[str, set[int]] = {}
    for report_id, site in found:
        reports_by_site.setdefault(site, set()).add(report_id)
    breaks = carry_breaks(connection)
    return {
        key: [
            b
            for b in breaks
            if {b["report_id"], b["next_report_id"]} & reports_by_site.get(url, set())
        ]
        for key, url in start_urls.items()
    }


def carry_unbroken_result(breaks: list[dict[str, Any]]) -> AssetCheckResult:
    return AssetCheckResult(
        passed=not breaks,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "carry_breaks": len(breaks),
            "breaks": MetadataValue.json(
                [
                    f"{b['organ']} {b['year']}→{b['next_year']} {b['applicant']}: "
                    f"结转 {b['carried_forward']} ≠ 上年结转 {b['next_carried_over']}"
                    for b in breaks
                ]
            ),
        },
    )
