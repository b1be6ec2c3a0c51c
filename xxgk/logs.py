"""How much a command says, and the same in the processes it starts (the crawl, the archivist):
the level travels in `XXGK_LOG_LEVEL`. At INFO, our own loggers say what happened to each portal
and the libraries' only what went wrong; DEBUG also tells our own details; WARNING only trouble."""

from __future__ import annotations

import logging
import os

LOG_LEVEL_ENV = "XXGK_LOG_LEVEL"
#: The loggers that say what a command did; the libraries' say only what went wrong.
OWN_LOGGERS = ("xxgk", "spiders", "parsers", "warehouse", "dagster_project", "__main__")
FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def inherited_level(default: str = "INFO") -> str:
    """The level the command that started this process asked for, else `default`."""
    return os.environ.get(LOG_LEVEL_ENV) or default


def libraries_level(level: str) -> str:
    """The third-party loggers' level beside our own at `level`: one notch quieter, so that
    `-v` shows their INFO lines (Scrapy's settings and stats) and the default does not."""
    return "INFO" if logging.getLevelName(level) <= logging.DEBUG else "WARNING"


def log_at(level: str) -> None:
    """Our own loggers at `level`, the libraries' at `libraries_level`, to stderr."""
    logging.basicConfig(level=libraries_level(level), format=FORMAT)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)


def log_own_to_stderr(level: str) -> None:
    """In a child process whose library installs its own root handler (Scrapy's at the
    libraries' level): our loggers at `level` through a handler of their own."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    for name in OWN_LOGGERS:
        own = logging.getLogger(name)
        own.setLevel(level)
        own.addHandler(handler)
        own.propagate = False
