"""`xxgk demo`: the whole pipeline on the demo portal, served on 127.0.0.1."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from xxgk.logs import libraries_level
from xxgk.settings import Settings

if TYPE_CHECKING:
    from xxgk.demo.portal import DemoPortal

#: The same port on every run keeps the portal's URLs, so a rerun adds no rows.
DEMO_PORT = 8741

logger = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="run the whole pipeline on a local demo portal")
    demo.add_argument("--data", help="data directory (default: XXGK_DATA_DIR, else data/)")
    demo.add_argument(
        "--port",
        type=int,
        default=DEMO_PORT,
        help=f"port of the demo portal (default {DEMO_PORT}: the same port on every run keeps "
        "its URLs, so a rerun adds no rows)",
    )
    demo.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    from xxgk.cli.stores import check_stores

    settings = Settings.from_env(args.data)
    check_stores(settings)  # before the pipeline is even imported: told within seconds
    from dagster_project.partitions import site_key_for
    from xxgk.cli.summary import print_summary
    from xxgk.pipeline import run_pipeline

    portal = demo_portal("demo", args.port, "--port")
    if portal is None:
        return 2
    with portal:
        logger.info(
            "running the pipeline on the demo portal %s into %s", portal.url, settings.data_dir
        )
        summary = run_pipeline(
            [site_key_for(portal.url)],
            settings,
            polite=False,
            log_level=libraries_level(args.log_level),
        )
    print_summary(summary, settings)
    return 1 if summary.failed_sites else 0


def demo_portal(command: str, port: int, option: str) -> DemoPortal | None:
    """The demo portal on 127.0.0.1:`port`; None where the port is taken, having said so and
    which of the command's options chooses another."""
    from xxgk.demo.portal import DemoPortal

    try:
        return DemoPortal(port=port)
    except OSError as error:
        print(
            f"xxgk {command}: cannot serve the demo portal on 127.0.0.1:{port} "
            f"({error.strerror}): choose another port with {option}",
            file=sys.stderr,
        )
        return None
