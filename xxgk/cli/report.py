"""`xxgk report coverage`: the province × year picture of the reports published on time, late or
not at all (条例 第五十条), as PNG or SVG."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from xxgk.settings import Settings

logger = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="draw pictures of the warehouse")
    reports = report.add_subparsers(dest="report", required=True, metavar="REPORT")
    coverage = reports.add_parser(
        "coverage",
        help="province × year: the organs that published on time, late, or not at all",
    )
    coverage.add_argument("--data", help="data directory (default: XXGK_DATA_DIR, else data/)")
    coverage.add_argument("--out", help="FILE.png or FILE.svg (default: coverage.png in --data)")
    coverage.set_defaults(handle=handle_coverage)


def handle_coverage(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from warehouse import Warehouse, coverage, coverage_chart
    from xxgk.cli.stores import check_warehouse
    from xxgk.cli.summary import redact

    settings = Settings.from_env(args.data)
    out = Path(args.out) if args.out else settings.data_dir / "coverage.png"
    if out.suffix.lstrip(".").lower() not in coverage_chart.FORMATS:
        print(f"xxgk report: cannot draw {out}: give a .png or .svg file", file=sys.stderr)
        return 2
    check_warehouse(settings, existing=True)
    warehouse = Warehouse(settings.database_url)
    try:
        cells = coverage.grid(warehouse.engine)
    except (OperationalError, ProgrammingError) as error:
        print(
            f"xxgk report: the warehouse {redact(settings.database_url)} has no deadlines view "
            f"({error.orig}): run `xxgk demo` or `xxgk run` first",
            file=sys.stderr,
        )
        return 1
    finally:
        warehouse.dispose()
    if not cells:
        print("xxgk report: the warehouse holds no organ-year observations", file=sys.stderr)
        return 1
    try:
        coverage_chart.write(cells, out)
    except coverage_chart.FontMissing as error:
        print(f"xxgk report: {error}", file=sys.stderr)
        return 1
    provinces = len({cell.province for cell in cells})
    logger.info("drew %d provinces × %d years to %s", provinces, len(cells) // provinces, out)
    return 0
