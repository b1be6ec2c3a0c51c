"""Ruled tables from ruling lines, by pdfplumber's own table finder: the edges snapped and
joined, their crossings, the cells between crossings, the cells grouped into tables. One
helper for the two readers of ruling lines, a text PDF's (`textlayer`) and a scanned page's
(`scan`)."""

from __future__ import annotations

from collections.abc import Sequence

from pdfplumber.table import (
    Table as CellTable,
)
from pdfplumber.table import (
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)
from pdfplumber.utils import filter_edges

__all__ = ["CellTable", "ruled_tables"]


def ruled_tables(
    edges: Sequence[dict],
    snap: float,
    join: float,
    cross: float,
    *,
    min_length: float = 0,
) -> list[CellTable]:
    """The tables the edges rule: `snap` aligns edges that far apart, `join` closes gaps that
    long along an edge, `cross` is how near two edges meet; edges shorter than `min_length`
    after joining are dropped."""
    if not edges:
        return []
    merged = merge_edges(list(edges), snap, snap, join, join)
    if min_length:
        merged = filter_edges(merged, min_length=min_length)
    crossings = edges_to_intersections(merged, cross, cross)
    return [CellTable(None, cells) for cells in cells_to_tables(intersections_to_cells(crossings))]
