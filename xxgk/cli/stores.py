"""The stores a command needs, asked before it starts its work, so that a store it cannot use
is told within seconds, in one line, with exit status `STORE_UNUSABLE`.

A warehouse that refuses or does not answer, and an archive that refuses (bad credentials, a
bucket it may not make), stop the command. An S3 archive that does not answer does not: the
crawl stores into its spool, the parse reads from it, and what waits there goes up once the store
is back (at the end of the crawl, or at the start of a later command).
"""

from __future__ import annotations

import logging
from pathlib import Path

from xxgk.settings import Settings, SettingsError

#: The exit status of a command that could not use a store (2: a mistake in the command, 1: it
#: ran but could not do its work).
STORE_UNUSABLE = 3

logger = logging.getLogger(__name__)


class StoreUnusable(Exception):
    """A store the command needs cannot be used: what is wrong and what to do, in one line."""


def check_warehouse(settings: Settings, *, existing: bool = False) -> None:
    """`existing`: the command only reads, so a SQLite warehouse that is not there yet is told,
    not created empty."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    from warehouse import Warehouse, WarehouseUnusable

    try:
        url = make_url(settings.database_url)
        if (
            existing
            and url.get_backend_name() == "sqlite"
            and not Path(url.database or "").is_file()
        ):
            raise StoreUnusable(
                f"no warehouse at {url.database or 'memory'}: run `xxgk demo` or `xxgk run` "
                "first, or point --data or XXGK_DATABASE_URL at a warehouse"
            )
        warehouse = Warehouse(settings.database_url)
    except ArgumentError as error:
        raise SettingsError(f"XXGK_DATABASE_URL: {error}") from error
    try:
        warehouse.check()
    except WarehouseUnusable as error:
        raise StoreUnusable(str(error)) from error
    finally:
        warehouse.dispose()


def check_archive(settings: Settings) -> None:
    """If S3 does not answer, say so once and go on; if it does, upload what its spool holds."""
    from xxgk.archive import ArchiveUnreachable, ArchiveUnusable, open_archive

    try:
        archive = open_archive(settings.archive_url)
    except ValueError as error:
        raise SettingsError(f"XXGK_ARCHIVE_URL={settings.archive_url!r}: {error}") from error
    try:
        archive.check()
        flushed = archive.flush_spool()
    except ArchiveUnusable as error:
        raise StoreUnusable(f"the archive {settings.archive_url}: {error}") from error
    except ArchiveUnreachable as error:
        logger.warning("archive %s: %s", settings.archive_url, error)
        return
    if flushed:
        logger.info("uploaded %d objects the spool kept while the archive was down", flushed)


def check_stores(settings: Settings) -> None:
    check_warehouse(settings)
    check_archive(settings)
