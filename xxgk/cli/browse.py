"""`xxgk browse`: the SQLite warehouse in Datasette on 127.0.0.1, read-only (immutable), with
the descriptions, worked queries and facets of `warehouse.catalogue`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import sys
from pathlib import Path

from xxgk.settings import Settings, SettingsError

logger = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    browse = commands.add_parser(
        "browse", help="browse the SQLite warehouse in Datasette (read-only) on 127.0.0.1"
    )
    browse.add_argument("--data", help="data directory (default: XXGK_DATA_DIR, else data/)")
    browse.add_argument("--port", type=int, default=8001)
    browse.set_defaults(handle=handle)


def handle(args: argparse.Namespace) -> int:
    from sqlalchemy import inspect, make_url
    from sqlalchemy.exc import ArgumentError

    from warehouse import Warehouse, catalogue
    from xxgk.cli.stores import check_warehouse
    from xxgk.cli.summary import redact

    settings = Settings.from_env(args.data)
    try:
        url = make_url(settings.database_url)
    except ArgumentError as error:
        raise SettingsError(f"XXGK_DATABASE_URL: {error}") from error
    if url.get_backend_name() != "sqlite":
        print(
            f"xxgk browse: Datasette serves SQLite only, and the warehouse "
            f"{redact(settings.database_url)} is on {url.get_backend_name()}: export it "
            "(`xxgk export --wide --out panel.parquet`) and query the file with DuckDB "
            "(docs/dataset.md)",
            file=sys.stderr,
        )
        return 2
    check_warehouse(settings, existing=True)
    warehouse = Warehouse(settings.database_url)
    try:
        schema = inspect(warehouse.engine)
        relations = {
            name: [column["name"] for column in schema.get_columns(name)]
            for name in [*schema.get_table_names(), *schema.get_view_names()]
        }
    finally:
        warehouse.dispose()
    path = Path(url.database or "")
    if catalogue.QUERIES_DOC.is_file():
        doc = catalogue.QUERIES_DOC.read_text(encoding="utf-8")
    else:  # an installed package without the checkout's docs
        logger.warning("no %s: serving without its worked queries", catalogue.QUERIES_DOC)
        doc = ""
    listening = socket.socket()
    try:
        listening.bind(("127.0.0.1", args.port))
    except OSError as error:
        listening.close()
        print(
            f"xxgk browse: cannot serve on 127.0.0.1:{args.port} ({error.strerror}): choose "
            "another port with --port",
            file=sys.stderr,
        )
        return 2
    serve(path, catalogue.datasette_metadata(path.stem, relations, doc), listening)
    return 0


def serve(database: Path, metadata: dict, listening: socket.socket) -> None:
    import uvicorn
    from datasette.app import Datasette

    from warehouse.catalogue import SETTINGS

    datasette = Datasette(immutables=[str(database)], metadata=metadata, settings=SETTINGS)
    asyncio.run(datasette.invoke_startup())
    host, port = listening.getsockname()
    logger.info("serving %s read-only at http://%s:%d/", database, host, port)
    config = uvicorn.Config(datasette.app(), log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[listening])
