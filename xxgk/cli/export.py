"""`xxgk export`: every report of the warehouse to a JSONL, CSV or Parquet file (and its
codebook beside a CSV or Parquet file)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from xxgk.settings import Settings

EXPORT_FORMATS = ("jsonl", "csv", "parquet")

logger = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser("export", help="write every report in the warehouse to a file")
    export.add_argument("--data", help="data directory (default: XXGK_DATA_DIR, else data/)")
    export.add_argument("--out", required=True, help="FILE.jsonl, FILE.csv or FILE.parquet")
    export.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        help="jsonl: one xxgk.report/1 record a line; csv, parquet: one row per cell "
        "(default: from the file's suffix)",
    )
    export.add_argument(
        "--wide",
        action="store_true",
        help="csv, parquet: one row per organ-year observation, a column per cell",
    )
    export.add_argument(
        "--bom", action="store_true", help="csv: UTF-8 with a byte order mark (for Excel)"
    )
    export.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from warehouse import Warehouse, codebook
    from xxgk.cli.stores import check_warehouse
    from xxgk.cli.summary import redact

    settings = Settings.from_env(args.data)
    out = Path(args.out)
    export_format = args.format or out.suffix.lstrip(".")
    if export_format not in EXPORT_FORMATS:
        print(
            f"xxgk export: cannot tell the format of {out}: give --format "
            f"({', '.join(EXPORT_FORMATS)})",
            file=sys.stderr,
        )
        return 2
    if args.wide and export_format == "jsonl":
        print("xxgk export: --wide makes a table: give a .csv or .parquet file", file=sys.stderr)
        return 2
    check_warehouse(settings, existing=True)
    try:
        count = Warehouse(settings.database_url).export(
            out, export_format, wide=args.wide, bom=args.bom
        )
    except (OperationalError, ProgrammingError) as error:
        out.unlink(missing_ok=True)  # the export opened it before it asked the warehouse
        print(
            f"xxgk export: the warehouse {redact(settings.database_url)} holds no reports to "
            f"export ({error.orig}): run `xxgk demo` or `xxgk run` first, or point --data or "
            "XXGK_DATABASE_URL at a warehouse",
            file=sys.stderr,
        )
        return 1
    unit = "reports" if export_format == "jsonl" else "observations" if args.wide else "cells"
    logger.info("wrote %d %s to %s", count, unit, out)
    if export_format != "jsonl":
        logger.info("its codebook: %s", ", ".join(map(str, codebook.paths(out))))
    return 0
