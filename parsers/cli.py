"""`xxgk parse FILE…`: one record (or error) per file."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from parsers import ParseError, parse
from parsers.extract import MAX_BYTES


def parse_files(
    paths: list[str], convert: Callable[[bytes], bytes] | None = None
) -> Iterator[dict]:
    """`convert` prepares each file's bytes for `parse` (xxgk.convert.to_docx for DOC/WPS)."""
    for path in paths:
        source = {"path": path}
        try:
            if os.path.getsize(path) > MAX_BYTES:
                raise ParseError("too_large", f"over the {MAX_BYTES}-byte limit")
            data = Path(path).read_bytes()
            record = parse(convert(data) if convert else data, name=path)
        except ParseError as error:
            yield {"source": source, "error": {"kind": error.kind, "message": error.message}}
        except OSError as error:
            yield {"source": source, "error": {"kind": "unreadable", "message": str(error)}}
        else:
            yield {"source": source, **record}
