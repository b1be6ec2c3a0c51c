"""Table rows from text in the layouts tools write it in, as one tokenizer: tab-separated rows;
pipe tables (`| 0 | 0 |` or `0 | 0`, rule lines `|---|` skipped); one cell per line, each as
`| text` or bare, a blank line between rows (HTML-to-text tools); columns aligned by runs of
spaces or ideographic spaces (`pdftotext -layout`); column headers broken into one character
per line (flipbook pages). Lines that are none of these are paragraphs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.cells import cell_numbers
from parsers.extract.blocks import Block, Row, Table

_RULE = re.compile(r"[\s|+:=\-─━┼├┤┌┐└┘┬┴│]*-{3,}[\s|+:=\-─━┼├┤┌┐└┘┬┴│]*")
_GAP = re.compile(r"[ \u00a0]{2,}|[\u3000\s]*\u3000[\u3000\s]*")
_TOKEN = re.compile(r"\S+(?:[ \u00a0]\S+)*")
# a label and the numbers of the next cells one space after it, where columns are tight
_NUMBERS_AFTER_LABEL = re.compile(r"[^\x00-\x7f]( )([-+]?\d[\d,.]*(?: [-+]?\d[\d,.]*)*)$")
# a section heading ('三、收到和处理政府信息公开申请情况'), not a row label ('三、本年度办理结果')
_HEADING = re.compile(r"[一二三四五六七八九十]+[、.．].*(?:情况|事项|问题)")
_PROSE_STOPS = tuple("，,。；;、")  # before a gap, a justified line of prose, not a cell
MAX_CELL = 40  # a line longer than this is prose, not a cell on a line of its own
MAX_WRAPPED = 30  # lines of wrapped cells between two rows of a space-aligned table


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str


def text_blocks(lines: Sequence[str]) -> list[Block]:
    lines = _join_vertical([line.rstrip() for line in lines])
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        kind = _kind(lines[i])
        reader = _READERS.get(kind, _read_prose)
        i = reader(lines, i, blocks)
    return blocks


def _kind(line: str) -> str:
    stripped = line.strip()
    if not stripped:
        return "blank"
    if "\t" in line:
        return "tab"
    if "|" in stripped:
        if _RULE.fullmatch(stripped):
            return "rule"
        if stripped.count("|") == 1 and (stripped[0] == "|" or stripped[-1] == "|"):
            return "cell"
        return "pipe"
    parts = _GAP.split(stripped)
    if len(parts) > 1 and not any(
        len(part) > MAX_CELL or part.endswith(_PROSE_STOPS) for part in parts
    ):
        return "aligned"
    return "text"


def _join_vertical(lines: list[str]) -> list[str]:
    """Runs of two or more lines of one character each (not a digit) are one line: a header
    cell printed vertically."""
    joined: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        stripped = line.strip()
        if len(stripped) == 1 and not stripped.isdigit() and stripped not in "|-—":
            run.append(stripped)
            continue
        if len(run) > 1:
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        joined.append(line)
    return joined[:-1]


def _read_tab(lines: list[str], i: int, blocks: list[Block]) -> int:
    table: Table = []
    while i < len(lines) and _kind(lines[i]) == "tab":
        table.append(lines[i].split("\t"))
        i += 1
    blocks.append(table)
    return i


def _read_pipe(lines: list[str], i: int, blocks: list[Block]) -> int:
    table: Table = []
    while i < len(lines) and _kind(lines[i]) in ("pipe", "rule"):
        if _kind(lines[i]) == "pipe":
            table.append(_pipe_cells(lines[i]))
        i += 1
    if table:
        blocks.append(table)
    return i


def _pipe_cells(line: str) -> Row:
    stripped = line.strip()
    stripped = stripped[1:] if stripped.startswith("|") else stripped
    stripped = stripped[:-1] if stripped.endswith("|") else stripped
    return [cell.strip() for cell in stripped.split("|")]


def _read_cells(lines: list[str], i: int, blocks: list[Block]) -> int:
    """Rows of `| cell` lines, a blank line between rows."""
    table: Table = []
    while i < len(lines) and _kind(lines[i]) == "cell":
        row: Row = []
        while i < len(lines) and _kind(lines[i]) == "cell":
            row.append(lines[i].strip().strip("|").strip())
            i += 1
        table.append(row)
        after = _skip_blank(lines, i)
        if after < len(lines) and _kind(lines[after]) == "cell":
            i = after
    blocks.append(table)
    return i


def _read_aligned(lines: list[str], i: int, blocks: list[Block]) -> int:
    """A run of space-aligned rows, with blank lines and the lines of a wrapped cell among
    them, up to a numbered heading or a line of prose; fewer than two aligned rows are prose.
    A blank line ends a table unless fewer than two aligned rows come before it (a tool that
    puts a blank line between rows)."""
    end, last, count, wrapped = i, i, 0, 0
    while end < len(lines) and _kind(lines[end]) in ("aligned", "text", "blank"):
        text = lines[end].strip()
        if _kind(lines[end]) == "text":
            wrapped += 1
            if len(text) > MAX_CELL or _HEADING.match(text) or wrapped > MAX_WRAPPED:
                break
        elif _kind(lines[end]) == "aligned":
            last, count, wrapped = end, count + 1, 0
        end += 1
    if count < 2:
        blocks.append(lines[i].strip())
        return i + 1
    tables: list[list[str]] = [[]]
    for line in lines[i : last + 1]:
        if line.strip():
            tables[-1].append(line)
        elif sum(_kind(row) == "aligned" for row in tables[-1]) >= 2:
            tables.append([])
    for table in filter(None, tables):
        blocks.append(_aligned_table(table))
    return last + 1


def _aligned_table(lines: list[str]) -> Table:
    """The rows measured both ways tools align columns: by display width (a CJK character two
    columns, as monospaced renderers pad) and by characters (one each, as PDF-to-text tools
    place them). Measured the other way, columns drift and tokens of one row collide in one
    column: the way with fewer collisions, then fewer columns, is the way the text was aligned."""
    readings = []
    for wide in (2, 1):
        rows = [_tokens(line, wide) for line in lines]
        spans = _spans(rows)
        columns = [_columns(row, spans) for row in rows]
        collisions = sum(len(row) - len(set(row)) for row in columns)
        readings.append((collisions, len(spans), rows, spans, columns))
    _, _, rows, spans, columns = min(readings, key=lambda reading: reading[:2])
    table: Table = []
    for row, placed in zip(rows, columns, strict=True):
        cells: list[list[str]] = [[] for _ in spans]
        for token, column in zip(row, placed, strict=True):
            cells[column].append(token.text)
        table.append([" ".join(cell) for cell in cells])
    return table


def _tokens(line: str, wide: int) -> list[_Token]:
    spaced = line.replace("\u3000", "  ")
    widths = [0]
    for char in spaced:
        widths.append(widths[-1] + (wide if unicodedata.east_asian_width(char) in "WF" else 1))
    tokens = []
    for match in _TOKEN.finditer(spaced):
        tail = _NUMBERS_AFTER_LABEL.search(match.group())
        cut = match.start() + tail.start(1) if tail else match.end()
        tokens.append(_Token(widths[match.start()], widths[cut], spaced[match.start() : cut]))
        if tail:
            start = match.start() + tail.start(2)
            tokens.append(_Token(widths[start], widths[match.end()], tail.group(2)))
    return tokens


def _spans(rows: list[list[_Token]]) -> list[tuple[int, int]]:
    """The columns: the spans that the tokens of the fullest rows cover, and a span for each
    token of the other rows beside them all (a column that only sparser rows fill). A header
    over several columns adds none."""
    most = max(len(row) for row in rows)
    spans: list[tuple[int, int]] = []
    for token in sorted(
        (token for row in rows if len(row) == most for token in row),
        key=lambda token: token.start,
    ):
        if spans and token.start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], token.end))
        else:
            spans.append((token.start, token.end))
    for row in sorted(rows, key=len, reverse=True):
        for token in row:
            if not any(token.start < end and start < token.end for start, end in spans):
                spans.append((token.start, token.end))
    return sorted(spans)


def _columns(row: list[_Token], spans: list[tuple[int, int]]) -> list[int]:
    """Each token's column: the first it overlaps (a header over several columns, its first),
    else the nearest."""
    return [
        next(
            (c for c, (start, end) in enumerate(spans) if token.start < end and start < token.end),
            min(
                range(len(spans)),
                key=lambda c: abs(spans[c][0] + spans[c][1] - token.start - token.end),
            ),
        )
        for token in row
    ]


def _read_prose(lines: list[str], i: int, blocks: list[Block]) -> int:
    """Plain lines up to the next line of another layout. Groups of short lines between blank
    lines are rows of one cell per line when one of them prints a number, and so are their
    neighbours of short lines (header rows) but a numbered heading; every other line is a
    paragraph."""
    end = i
    while end < len(lines) and _kind(lines[end]) in ("text", "blank"):
        end += 1
    groups: list[list[str]] = [[]]
    for line in lines[i:end]:
        if line.strip():
            groups[-1].append(line.strip())
        elif groups[-1]:
            groups.append([])
    groups = [group for group in groups if group]
    short = [all(len(line) <= MAX_CELL for line in group) for group in groups]
    rows = [
        short[g] and len(group) > 1 and any(_prints_number(line) for line in group)
        for g, group in enumerate(groups)
    ]
    eligible = [short[g] and not _HEADING.match(group[0]) for g, group in enumerate(groups)]
    for order in (range(1, len(groups)), range(len(groups) - 2, -1, -1)):
        step = 1 if order.step > 0 else -1
        for g in order:
            rows[g] = rows[g] or (eligible[g] and rows[g - step])
    table: Table = []
    for group, is_row in zip(groups, rows, strict=True):
        if is_row:
            table.append(group)
            continue
        if table:
            blocks.append(table)
            table = []
        blocks.extend(group)
    if table:
        blocks.append(table)
    return end


def _prints_number(line: str) -> bool:
    """A line of digits: a word for none (无) alone on a line is as often an answer in prose."""
    return bool(cell_numbers(line)) and any(char.isdigit() for char in line)


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


_READERS = {
    "tab": _read_tab,
    "pipe": _read_pipe,
    "rule": _read_pipe,
    "cell": _read_cells,
    "aligned": _read_aligned,
}
