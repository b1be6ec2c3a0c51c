"""The `xxgk` command line: one module per command, each adding its own arguments."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from typing import NoReturn

from xxgk import __version__, logs
from xxgk.cli import browse, crawl, demo, export, parse, report, run, sites, ui
from xxgk.cli.stores import STORE_UNUSABLE, StoreUnusable
from xxgk.logs import LOG_LEVEL_ENV
from xxgk.settings import SettingsError

COMMANDS = (demo, run, crawl, parse, export, report, browse, sites, ui)
#: As a Unix tool killed by SIGPIPE exits (128 + 13).
BROKEN_PIPE = 141
#: What libraries warn of that is theirs to fix, not an operator's: Dagster's beta and preview
#: parameters, deprecations inside the libraries.
LIBRARY_WARNINGS = (
    {"message": r".*is currently in (beta|preview)"},
    {"category": DeprecationWarning, "module": r"(dagster|scrapy|twisted|alembic)\b"},
)

#: Dagster's event batching for the runs a command starts (`xxgk run`, `demo`, `ui`), unless the
#: environment sets it: a step's planned events and materialisations for many portals written
#: together (`dagster_project.event_log` on SQLite, dagster-postgres on PostgreSQL).
EVENT_BATCH_SIZE = ("DAGSTER_EVENT_BATCH_SIZE", "1000")


class OneLineErrors(argparse.ArgumentParser):
    """A usage error in one line, the command's name first, and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def command() -> NoReturn:
    """The `xxgk` command (and `python -m xxgk.cli`): `main`, then exit without a last garbage
    collection of the heap, which after a run of hundreds of portals took a second; the exit
    handlers run as always."""
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = command_line().parse_args(argv)
    log_at(args.log_level)
    os.environ.setdefault(*EVENT_BATCH_SIZE)
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


def command_line() -> OneLineErrors:
    parser = OneLineErrors(
        prog="xxgk",
        description="Collect, archive and parse China's government information disclosure "
        "annual reports (政府信息公开工作年度报告).",
    )
    parser.add_argument("--version", action="version", version=f"xxgk {__version__}")
    add_verbosity(parser, default="INFO")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    for command_parser in command_parsers(parser):  # `xxgk run -v` as `xxgk -v run`
        add_verbosity(command_parser, default=argparse.SUPPRESS)
    return parser


def command_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parsers of `parser`'s commands, and of their own commands (`report coverage`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command_parser in action.choices.values():
                yield command_parser
                yield from command_parsers(command_parser)


def add_verbosity(parser: argparse.ArgumentParser, default: str) -> None:
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-v", "--verbose", action="store_const", const="DEBUG", dest="log_level", default=default,
        help="also our own debug lines, and the libraries' progress (Scrapy's settings, stats)",
    )  # fmt: skip
    loudness.add_argument(
        "-q", "--quiet", action="store_const", const="WARNING", dest="log_level", default=default,
        help="only warnings and errors, and the summary",
    )  # fmt: skip


def log_at(level: str) -> None:
    """Our own loggers at `level`, the libraries' quieter; the processes the command starts
    (the crawl, the archivist) the same."""
    logs.log_at(level)
    os.environ[LOG_LEVEL_ENV] = level
    if level != "DEBUG":
        for library_warning in LIBRARY_WARNINGS:
            warnings.filterwarnings("ignore", **library_warning)
