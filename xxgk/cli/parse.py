"""`xxgk parse`: report files to `xxgk.report/1` records on stdout, one JSON document each."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter
from dataclasses import asdict

from xxgk.settings import Settings

logger = logging.getLogger(__name__)

#: Lone surrogates, as `os.fsdecode` gives a file name's bytes that are not UTF-8
SURROGATE = re.compile("[\ud800-\udfff]")


def register(commands: argparse._SubParsersAction) -> None:
    parse = commands.add_parser(
        "parse",
        help="parse report files into xxgk.report/1 records",
        description="Parse report files (PDF, DOCX, HTML, text; DOC/WPS with LibreOffice) into "
        'xxgk.report/1 records; a file that is no readable report gives {"error": {"kind", '
        '"message"}}. Exit status 0 once every file was handled, errors included; 1 if no file '
        "gave a record.",
    )
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.add_argument("--jsonl", action="store_true", help="one record per line")
    parse.set_defaults(handle=handle)


def json_document(result: dict, indent: int | None) -> str:
    """`result` as JSON, the lone surrogates of a file name that is not UTF-8 written as JSON's
    `\\udcXX` escapes: the output stays valid UTF-8, and `os.fsencode` of the name read back
    gives the file name's bytes."""
    text = json.dumps(result, ensure_ascii=False, indent=indent)
    return SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def handle(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from xxgk.logs import lines_above_bars
    from xxgk.parsing import ParseService

    service = ParseService.from_settings(Settings.from_env())
    indent = None if args.jsonl else 2
    errors = Counter[str]()
    with lines_above_bars():
        for path, (record, error) in zip(args.files, service.parse_files(args.files), strict=True):
            result: dict = {"source": {"path": path}}
            if error:
                errors[error.kind] += 1
                result["error"] = asdict(error)
            else:
                result |= record or {}
            tqdm.write(json_document(result, indent), file=sys.stdout)  # above the bar
    tally = ", ".join(f"{kind} {n}" for kind, n in sorted(errors.items())) or "none"
    logger.info(
        "parsed %d files with parser %s; records %d, errors: %s",
        len(args.files),
        service.version,
        len(args.files) - errors.total(),
        tally,
    )
    return 1 if errors.total() == len(args.files) else 0
