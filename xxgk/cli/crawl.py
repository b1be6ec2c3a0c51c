"""`xxgk crawl`: crawl portals into the archive and a capture log; parse nothing."""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from urllib.parse import urlsplit

from xxgk.settings import Settings

logger = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    crawl = commands.add_parser(
        "crawl", help="crawl portals into the archive and a capture log; parse nothing"
    )
    add_crawl_options(crawl)
    crawl.set_defaults(handle=handle)


def portal_url(value: str) -> str:
    """An argument that is a portal's home page: an http(s) URL with a host."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a portal's URL: give its home page, as http://www.example.gov.cn/"
        )
    return value


def add_crawl_options(command: argparse.ArgumentParser) -> None:
    """The portals and how to crawl them, the same for `run` and `crawl`: their URLs as
    arguments or each after `--start-url`, and the registry's sites matching a filter."""
    command.add_argument(
        "urls", nargs="*", type=portal_url, metavar="URL",
        help="portals' home pages, http(s)://host/…",
    )  # fmt: skip
    command.add_argument(
        "--start-url", action="append", default=[], dest="start_urls", metavar="URL",
        type=portal_url, help="a portal's home page, http(s)://host/… (repeat for more)",
    )  # fmt: skip
    command.add_argument(
        "--registry-filter",
        metavar="FILTER",
        help="also the registry's sites matching FILTER (see `xxgk sites --filter`)",
    )
    command.add_argument("--data", help="data directory (default: XXGK_DATA_DIR, else data/)")
    command.add_argument(
        "--no-polite",
        action="store_false",
        dest="polite",
        help="no delays or throttling (only for portals you run yourself)",
    )


def start_urls(args: argparse.Namespace) -> list[str]:
    """The portals' URLs given, as arguments and after `--start-url`, each once."""
    return list(dict.fromkeys([*args.urls, *args.start_urls]))


def handle(args: argparse.Namespace) -> int:
    """Crawl the URLs and the registry's sites matching `--registry-filter` into the archive
    and the crawl directory; print the capture log's path, and a tally to stderr. Exit status 0,
    1 if the crawl could not run or a portal never answered, 2 if there is nothing to crawl, 3 if
    the archive refuses."""
    from spiders.capturelog import read_captures
    from spiders.launch import CrawlFailed, crawl_sites
    from xxgk.cli.stores import check_archive
    from xxgk.registry import load_sites

    settings = Settings.from_env(args.data)
    registered = load_sites(args.registry_filter) if args.registry_filter else []
    urls = list(dict.fromkeys([*start_urls(args), *(site.start_url for site in registered)]))
    if not urls:
        print(
            "xxgk crawl: nothing to crawl: give URLs or a --registry-filter that matches "
            "(see `xxgk sites --filter`)",
            file=sys.stderr,
        )
        return 2
    check_archive(settings)
    logger.info("crawling %d sites into %s", len(urls), settings.archive_url)
    try:
        log = crawl_sites(urls, settings.archive_url, settings.crawls, args.polite)
    except CrawlFailed as error:
        print(f"xxgk crawl: {error}; its log above says why", file=sys.stderr)
        return 1
    captures = read_captures(log)
    errors = Counter(c.error.kind for c in captures if c.error)
    tally = ", ".join(f"{kind} {n}" for kind, n in sorted(errors.items())) or "none"
    logger.info(
        "crawled %d sites: %d captures, errors: %s; archive %s",
        len(urls),
        len(captures),
        tally,
        settings.archive_url,
    )
    answered = {c.site for c in captures if c.status}
    unreachable = [url for url in urls if url not in answered]
    for url in unreachable:
        kinds = sorted({c.error.kind for c in captures if c.site == url and c.error})
        logger.warning("unreachable: %s (%s)", url, ", ".join(kinds) or "no page requested")
    print(log)
    return 1 if unreachable else 0
