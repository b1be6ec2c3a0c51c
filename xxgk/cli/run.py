"""`xxgk run`: the whole pipeline on portals given by URL or picked from the registry."""

from __future__ import annotations

import argparse
import logging
import sys

from xxgk.cli.crawl import add_crawl_options, start_urls
from xxgk.logs import libraries_level
from xxgk.settings import Settings

logger = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="run the whole pipeline on portals")
    add_crawl_options(run)
    run.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    from xxgk.cli.stores import check_stores
    from xxgk.registry import load_sites

    settings = Settings.from_env(args.data)
    registered = load_sites(args.registry_filter) if args.registry_filter else []
    urls = start_urls(args)
    if not urls and not registered:
        print(
            "xxgk run: nothing to run: give URLs or a --registry-filter that matches "
            "(see `xxgk sites --filter`)",
            file=sys.stderr,
        )
        return 2
    check_stores(settings)  # before the pipeline is even imported: told within seconds
    from dagster_project.partitions import site_key_for
    from xxgk.cli.summary import print_summary
    from xxgk.pipeline import run_pipeline

    keys = [site_key_for(url) for url in urls] + [site.id for site in registered]
    logger.info("running the pipeline on %d portals into %s", len(set(keys)), settings.data_dir)
    summary = run_pipeline(
        keys, settings, polite=args.polite, log_level=libraries_level(args.log_level)
    )
    print_summary(summary, settings)
    return 1 if summary.failed_sites else 0
