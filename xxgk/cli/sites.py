"""`xxgk sites`: the portals of the site registry, as a table."""

from __future__ import annotations

import argparse
import logging
import sys

logger = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    sites = commands.add_parser("sites", help="list the portals of the site registry")
    sites.add_argument(
        "--filter", help="a substring of a name, host or id (河南省, ry.gov.cn), or adcode:41*"
    )
    sites.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    from xxgk.registry import load_sites, sites_table

    chosen = load_sites(args.filter)
    if not chosen:
        print(f"xxgk sites: no site of the registry matches {args.filter!r}", file=sys.stderr)
        return 1
    print(sites_table(chosen))
    logger.info("%d sites", len(chosen))
    return 0
