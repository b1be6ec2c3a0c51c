"""How much a command says, and the same in the processes it starts (the crawl, the archivist):
the level travels in `XXGK_LOG_LEVEL`. At INFO, our own loggers say what happened to each portal
and the libraries' only what went wrong; DEBUG also tells our own details; WARNING only trouble."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

LOG_LEVEL_ENV = "XXGK_LOG_LEVEL"
#: The loggers that say what a command did; the libraries' say only what went wrong.
OWN_LOGGERS = ("xxgk", "spiders", "parsers", "warehouse", "dagster_project", "__main__")
FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
#: On a terminal a line first clears the one it starts on, where another process of the command
#: (the crawl's) may have drawn a progress bar.
CLEAR_LINE = "\r\x1b[K"


def inherited_level(default: str = "INFO") -> str:
    """The level the command that started this process asked for, else `default`."""
    return os.environ.get(LOG_LEVEL_ENV) or default


def libraries_level(level: str) -> str:
    """The third-party loggers' level beside our own at `level`: one notch quieter, so that
    `-v` shows their INFO lines (Scrapy's settings and stats) and the default does not."""
    return "INFO" if logging.getLevelName(level) <= logging.DEBUG else "WARNING"


def log_at(level: str) -> None:
    """Our own loggers at `level`, the libraries' at `libraries_level`, to stderr."""
    clear = CLEAR_LINE if sys.stderr.isatty() else ""
    logging.basicConfig(level=libraries_level(level), format=clear + FORMAT)
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


class AboveBars:
    """A terminal stream whose writes go above this process's progress bars, not through them."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        with tqdm.external_write_mode(file=self.stream):
            return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


@contextmanager
def lines_above_bars() -> Iterator[None]:
    """While progress bars are drawn: the console handlers of the root logger and of ours write
    their lines above the bars, with their levels, filters and format kept."""
    loggers = [logging.getLogger(name) for name in (None, *OWN_LOGGERS)]
    consoles = {
        handler
        for logger in loggers
        for handler in logger.handlers
        if type(handler) is logging.StreamHandler and handler.stream in (sys.stderr, sys.stdout)
    }
    streams = {handler: handler.setStream(AboveBars(handler.stream)) for handler in consoles}
    try:
        yield
    finally:
        for handler, stream in streams.items():
            handler.setStream(stream)
