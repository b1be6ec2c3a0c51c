"""The summary `xxgk demo` and `xxgk run` print: what the run did, where its data is, and the
example query's answer from the warehouse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from tabulate import tabulate

from warehouse import Warehouse
from xxgk.settings import Settings

if TYPE_CHECKING:
    from xxgk.pipeline import RunSummary

#: How many portals of each kind of failure the summary names.
SHOWN = 20


def print_summary(summary: RunSummary, settings: Settings) -> None:
    query, columns, rows = Warehouse(settings.database_url).example_query()
    checks = summary.checks
    gave_none = {"unreachable": summary.unreachable, "no reports found": summary.no_reports}
    lines = [
        "",
        "xxgk pipeline finished",
        f"  sites crawled          {summary.sites}"
        + (
            " ("
            + ", ".join(f"{len(urls)} {what}" for what, urls in gave_none.items() if urls)
            + ")"
            if any(gave_none.values())
            else ""
        ),
        *(line for what, reasons in gave_none.items() for line in portal_lines(what, reasons)),
        f"  pages fetched          {summary.pages_fetched}"
        + (
            f" ({summary.pages_unchanged} unchanged since the last crawl)"
            if summary.pages_unchanged
            else ""
        ),
        f"  documents archived     {summary.documents}",
        f"  reports parsed         {summary.reports_parsed}",
        f"  identity checks        {checks['passed']} passed, {checks['failed']} failed, "
        f"{checks['undecided']} undecided (a blank cell)",
        "  errors recorded        "
        + (", ".join(f"{kind} {n}" for kind, n in sorted(summary.errors.items())) or "none"),
        f"  warehouse              {redact(settings.database_url)}",
        f"  archive                {settings.archive_url}",
        "  warehouse rows         "
        + ", ".join(f"{table} {n}" for table, n in summary.warehouse_rows.items()),
        "",
        "Example query (share of requests granted in full):",
        *("  " + line for line in query.splitlines()),
        "",
        *("  " + line for line in tabulate(rows, columns, "plain", missingval="").splitlines()),
    ]
    print("\n".join(lines))


def portal_lines(heading: str, reasons: dict[str, str]) -> list[str]:
    """A line per portal (start URL and reason), at most SHOWN of them."""
    shown = [f"    {url}  {reason}" for url, reason in list(reasons.items())[:SHOWN]]
    more = [f"    … and {len(reasons) - SHOWN} more"] if len(reasons) > SHOWN else []
    return [f"  {heading}:", *shown, *more] if reasons else []


def redact(url: str) -> str:
    """The database URL without its password."""
    return make_url(url).render_as_string(hide_password=True)
