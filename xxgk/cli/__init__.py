"""The `xxgk` command line: one module per command, each adding its own arguments."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from xxgk import __version__
from xxgk.cli import crawl, demo, export, parse, run, sites, ui
from xxgk.cli.stores import STORE_UNUSABLE, StoreUnusable
from xxgk.settings import SettingsError

COMMANDS = (demo, run, crawl, parse, export, sites, ui)
#: The loggers that say what a command did; the libraries' say only what went wrong.
#: As a Unix tool killed by SIGPIPE exits (128 + 13).
BROKEN_PIPE = 141
OWN_LOGGERS = ("xxgk", "spiders", "parsers", "warehouse", "dagster_project")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="xxgk",
        description="Collect, archive and parse China's government information disclosure "
        "annual reports (政府信息公开工作年度报告).",
    )
    parser.add_argument("--version", action="version", version=f"xxgk {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        return args.handle(args)
    except SettingsError as error:
        print(f"xxgk {args.command}: {error}", file=sys.stderr)
        return 2
    except StoreUnusable as error:
        print(f"xxgk {args.command}: {error}", file=sys.stderr)
        return STORE_UNUSABLE
    except KeyboardInterrupt:
        print(f"xxgk {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of the output went away (`xxgk sites | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return BROKEN_PIPE
