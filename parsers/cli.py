"""`xxgk parse FILE…`: one record (or error) per file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from parsers import ParseError, parse
from parsers.extract import MAX_BYTES


def parse_files(paths: list[str]) -> Iterator[dict]:
    for path in paths:
        source = {"path": path}
        try:
            if os.path.getsize(path) > MAX_BYTES:
                raise ParseError("too_large", f"over the {MAX_BYTES}-byte limit")
            record = parse(Path(path).read_bytes(), name=path)
        except ParseError as error:
            yield {"source": source, "error": {"kind": error.kind, "message": error.message}}
        except OSError as error:
            yield {"source": source, "error": {"kind": "unreadable", "message": str(error)}}
        else:
            yield {"source": source, **record}
