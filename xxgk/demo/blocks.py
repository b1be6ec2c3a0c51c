"""A seed report as blocks: the rendering rule every demo format follows.

Each non-empty line without a tab is a paragraph; each run of consecutive tab-separated lines is
one table, one row per line, one cell per field, rows padded with empty cells to the widest row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SEEDS_DIR = Path(__file__).parent / "seeds"


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]


Block = Paragraph | Table


@dataclass(frozen=True)
class Seed:
    name: str
    title: str
    blocks: tuple[Block, ...]


def parse_blocks(text: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    run: list[list[str]] = []

    def close_run() -> None:
        if run:
            width = max(len(row) for row in run)
            blocks.append(Table(tuple(tuple(row + [""] * (width - len(row))) for row in run)))
            run.clear()

    for line in text.splitlines():
        if "\t" in line:
            run.append(line.split("\t"))
            continue
        close_run()
        if line.strip():
            blocks.append(Paragraph(line))
    close_run()
    return tuple(blocks)


def load_seed(name: str) -> Seed:
    text = (SEEDS_DIR / name).read_text(encoding="utf-8")
    title = next(line.strip() for line in text.splitlines() if line.strip())
    return Seed(name=name, title=title, blocks=parse_blocks(text))
