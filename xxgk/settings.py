"""Every `XXGK_*` environment variable, read in one place: `Settings.from_env()`.

Embedded defaults put everything under the data directory, so `make demo` needs none of them.
The README's configuration table lists the same variables (a test keeps the two in step).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

DEFAULT_DATA_DIR = Path("data")
ENVIRONMENTS = ("local", "production")
PARSER_BUG_MODES = ("record", "raise")

#: The variables, each with its one-line meaning.
VARIABLES = {
    "XXGK_DATA_DIR": "where the defaults below live (also `--data`)",
    "XXGK_DATABASE_URL": "the warehouse, e.g. `postgresql+psycopg://user@host/db`",
    "XXGK_ARCHIVE_URL": "the raw archive: a directory, or `s3://bucket/prefix`",
    "XXGK_CRAWL_DIR": "scratch space of a crawl in progress, removed when it ends",
    "XXGK_S3_ENDPOINT_URL": "an S3-compatible endpoint; credentials come from the AWS chain",
    "XXGK_S3_SPOOL_DIR": "where archive writes wait, durably, while S3 is down",
    "XXGK_ENV": "`production`: Dagster resources and IO read the locations at run time",
    "XXGK_PARSER_BUGS": "`record` a parser exception as `parser_bug`, or `raise` it (tests)",
    "XXGK_PARSE_WORKERS": "processes that parse documents in parallel, each under the two limits "
    "below (`0`: in the calling process, unlimited)",
    "XXGK_PARSE_MEMORY_MB": "the memory one parse may use (its worker's address space): over it, "
    "`too_large`",
    "XXGK_PARSE_SECONDS": "the time one parse may take: over it, `too_complex`",
    "XXGK_LOG_LEVEL": "how much a command and the processes it starts log: `DEBUG`, `INFO`, "
    "`WARNING` (`-v`, `-q` set it; read by `xxgk.logs`)",
}
PARSE_MEMORY_MB = 3072
PARSE_SECONDS = 600.0  # a scan read by OCR: 20 pages at some 10 s a page on a busy machine


class SettingsError(ValueError):
    """An `XXGK_*` variable holds a value it cannot have."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    archive_url: str
    crawl_dir: Path | None = None
    s3_endpoint_url: str | None = None
    s3_spool_dir: Path | None = None
    environment: Literal["local", "production"] = "local"
    parser_bugs: Literal["record", "raise"] = "record"
    parse_workers: int | None = None  # None: one per core
    parse_memory_mb: int = PARSE_MEMORY_MB
    parse_seconds: float = PARSE_SECONDS

    @property
    def crawls(self) -> Path:
        """Scratch space of crawls in progress: `XXGK_CRAWL_DIR`, else `<data>/crawls`."""
        return self.crawl_dir or self.data_dir / "crawls"

    @classmethod
    def from_env(
        cls, data_dir: str | Path | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """`XXGK_DATABASE_URL` and `XXGK_ARCHIVE_URL` win; otherwise SQLite and a local
        archive under the data directory (`data_dir`, else `XXGK_DATA_DIR`, else `data/`)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(name) or None

        root = Path(data_dir or get("XXGK_DATA_DIR") or DEFAULT_DATA_DIR)
        environment = get("XXGK_ENV") or "local"
        parser_bugs = get("XXGK_PARSER_BUGS") or "record"
        for name, value, allowed in (
            ("XXGK_ENV", environment, ENVIRONMENTS),
            ("XXGK_PARSER_BUGS", parser_bugs, PARSER_BUG_MODES),
        ):
            if value not in allowed:
                raise SettingsError(f"{name}={value!r}: use one of {', '.join(allowed)}")
        crawl_dir, spool_dir = get("XXGK_CRAWL_DIR"), get("XXGK_S3_SPOOL_DIR")
        workers = get("XXGK_PARSE_WORKERS")
        return cls(
            data_dir=root,
            database_url=get("XXGK_DATABASE_URL") or sqlite_url(root / "warehouse.db"),
            archive_url=get("XXGK_ARCHIVE_URL") or str((root / "archive").resolve()),
            crawl_dir=Path(crawl_dir) if crawl_dir else None,
            s3_endpoint_url=get("XXGK_S3_ENDPOINT_URL"),
            s3_spool_dir=Path(spool_dir) if spool_dir else None,
            environment=environment,  # type: ignore[arg-type]
            parser_bugs=parser_bugs,  # type: ignore[arg-type]
            parse_workers=_number("XXGK_PARSE_WORKERS", workers, int, 0) if workers else None,
            parse_memory_mb=_number(
                "XXGK_PARSE_MEMORY_MB", get("XXGK_PARSE_MEMORY_MB") or PARSE_MEMORY_MB, int, 256
            ),
            parse_seconds=_number(
                "XXGK_PARSE_SECONDS", get("XXGK_PARSE_SECONDS") or PARSE_SECONDS, float, 1
            ),
        )


_N = TypeVar("_N", int, float)


def _number(name: str, value: object, kind: type[_N], least: _N) -> _N:
    try:
        number = kind(value)  # type: ignore[arg-type]
    except ValueError:
        raise SettingsError(f"{name}={value!r}: use a number") from None
    if number < least:
        raise SettingsError(f"{name}={value!r}: use a number of at least {least}")
    return number
