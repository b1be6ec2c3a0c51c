"""The `xxgk` command line."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from xxgk.registry import display_width
from xxgk.settings import Settings

DEMO_PORT = 8741
EXPORT_FORMATS = ("jsonl", "csv", "parquet")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xxgk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run the whole pipeline on a local demo portal")
    demo.add_argument("--data", help="data directory (default: data/)")
    demo.add_argument(
        "--port",
        type=int,
        default=DEMO_PORT,
        help=f"port of the demo portal (default {DEMO_PORT}: the same port on every run keeps "
        "its URLs, so a rerun adds no rows)",
    )
    demo.set_defaults(handler=demo_command)

    run = commands.add_parser("run", help="run the whole pipeline on portals")
    run.add_argument("--start-url", action="append", default=[], dest="start_urls")
    add_crawl_options(run)
    run.set_defaults(handler=run_command)

    crawl = commands.add_parser(
        "crawl", help="crawl portals into the archive and a capture log; parse nothing"
    )
    crawl.add_argument("start_urls", nargs="*", metavar="URL")
    add_crawl_options(crawl)
    crawl.set_defaults(handler=crawl_command)

    parse = commands.add_parser("parse", help="parse report files into xxgk.report/1 records")
    parse.add_argument("files", nargs="+")
    parse.add_argument("--jsonl", action="store_true", help="one record per line")
    parse.set_defaults(handler=parse_command)

    export = commands.add_parser("export", help="write every report in the warehouse to a file")
    export.add_argument("--data", help="data directory (default: data/)")
    export.add_argument("--out", required=True, help="FILE.jsonl, FILE.csv or FILE.parquet")
    export.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        help="jsonl: one xxgk.report/1 record a line; csv, parquet: one row per cell "
        "(default: from the file's suffix)",
    )
    export.set_defaults(handler=export_command)

    sites = commands.add_parser("sites", help="list the portals of the site registry")
    sites.add_argument("--filter", help="substring of a name or host, or adcode:41*")
    sites.set_defaults(handler=sites_command)

    ui = commands.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=ui_command)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    return args.handler(args)


def add_crawl_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--registry-filter", help="also the registry's sites matching this (see `xxgk sites`)"
    )
    command.add_argument("--data", help="data directory (default: data/)")
    command.add_argument(
        "--no-polite",
        action="store_false",
        dest="polite",
        help="no delays or throttling (only for portals you run yourself)",
    )


def demo_command(args: argparse.Namespace) -> int:
    from dagster_project.partitions import site_key_for
    from xxgk.demo.portal import DemoPortal
    from xxgk.pipeline import run_pipeline

    settings = Settings.from_env(args.data)
    try:
        portal = DemoPortal(port=args.port)
    except OSError as exc:
        print(
            f"cannot serve the demo portal on 127.0.0.1:{args.port} ({exc.strerror}); "
            "choose another with --port",
            file=sys.stderr,
        )
        return 2
    with portal:
        summary = run_pipeline(
            [site_key_for(portal.url)], settings, polite=False, log_level="WARNING"
        )
    print_summary(summary, settings)
    return 0


def run_command(args: argparse.Namespace) -> int:
    from dagster_project.partitions import site_key_for
    from xxgk.pipeline import run_pipeline
    from xxgk.registry import load_sites

    settings = Settings.from_env(args.data)
    keys = [site_key_for(url) for url in args.start_urls]
    if args.registry_filter:
        keys += [site.id for site in load_sites(args.registry_filter)]
    if not keys:
        print(
            "nothing to run: give --start-url or a --registry-filter that matches", file=sys.stderr
        )
        return 2
    summary = run_pipeline(keys, settings, polite=args.polite)
    print_summary(summary, settings)
    return 1 if summary.failed_sites else 0


def crawl_command(args: argparse.Namespace) -> int:
    from spiders.crawl import crawl_main

    settings = Settings.from_env(args.data)
    return crawl_main(args.start_urls, args.registry_filter, settings, args.polite)


def print_summary(summary, settings: Settings) -> None:
    from sqlalchemy import text

    from warehouse import Warehouse
    from xxgk.pipeline import EXAMPLE_QUERY

    checks = summary.checks
    lines = [
        "",
        "xxgk pipeline finished",
        f"  sites crawled          {summary.sites}"
        + (
            f" ({len(summary.failed_sites)} failed: {', '.join(summary.failed_sites)})"
            if summary.failed_sites
            else ""
        ),
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
        *("  " + line for line in EXAMPLE_QUERY.splitlines()),
        "",
    ]
    with Warehouse(settings.database_url).engine.connect() as connection:
        result = connection.execute(text(EXAMPLE_QUERY))
        lines.append(format_rows(list(result.keys()), [tuple(row) for row in result]))
    print("\n".join(lines))


def format_rows(columns: list[str], rows: list[tuple]) -> str:
    cells = [columns, *[[show(v) for v in row] for row in rows]]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(columns))]
    return "\n".join(
        "  " + "  ".join(v + " " * (w - display_width(v)) for v, w in zip(row, widths, strict=True))
        for row in cells
    )


def show(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def parse_command(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from tqdm import tqdm

    from xxgk.parsing import ParseService

    service = ParseService.from_settings(Settings.from_env())
    indent = None if args.jsonl else 2
    for path in tqdm(args.files, disable=None, unit="file", file=sys.stderr):
        record, error = service.parse_file(path)
        result = {"source": {"path": path}}
        result |= {"error": asdict(error)} if error else record or {}
        print(json.dumps(result, ensure_ascii=False, indent=indent))
    return 0


def export_command(args: argparse.Namespace) -> int:
    from warehouse import Warehouse

    settings = Settings.from_env(args.data)
    out = Path(args.out)
    export_format = args.format or out.suffix.lstrip(".")
    if export_format not in EXPORT_FORMATS:
        print(f"cannot tell the format of {out}: give --format", file=sys.stderr)
        return 2
    count = Warehouse(settings.database_url).export(out, export_format)
    unit = "reports" if export_format == "jsonl" else "cells"
    print(f"wrote {count} {unit} to {out}", file=sys.stderr)
    return 0


def sites_command(args: argparse.Namespace) -> int:
    from xxgk.registry import load_sites, sites_table

    chosen = load_sites(args.filter)
    print(sites_table(chosen))
    print(f"{len(chosen)} sites", file=sys.stderr)
    return 0


def ui_command(args: argparse.Namespace) -> int:
    import dagster_project

    settings = Settings.from_env()
    home = (settings.data_dir / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_HOME", str(home))
    instance_config = Path(os.environ["DAGSTER_HOME"]) / "dagster.yaml"
    if not instance_config.exists():  # the run queue: one run per portal host at a time
        shutil.copy(Path(dagster_project.__file__).parent / "dagster.yaml", instance_config)
    workspace = Path(__file__).resolve().parent.parent / "workspace.yaml"
    # the checkout's workspace.yaml; an installed package has only the module
    location = ["-w", str(workspace)]
    if not workspace.exists():
        location = ["-m", "dagster_project.definitions"]
    command = ["dagster", "dev", *location, "-h", "127.0.0.1", "-p", str(args.port)]
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
