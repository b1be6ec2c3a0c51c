"""Coverage against 条例 第五十条, province × year: how many organs owed a report for the year and
what became of it (`v_publication_deadlines`), the grid `xxgk report coverage` draws."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, text

#: The statuses of `v_publication_deadlines`, in the order a picture stacks them.
STATUSES = ("on_time", "late", "undated", "missing", "not_due")

GRID = text(
    "SELECT province, year, status, COUNT(*) AS organs, MIN(SUBSTR(adcode, 1, 2)) AS code "
    "FROM v_publication_deadlines GROUP BY province, year, status"
)


@dataclass(frozen=True)
class Cell:
    """The organs of a province that owed a report for a year, by status. `province` is None for
    organs of no known region."""

    province: str | None
    year: int
    on_time: int = 0
    late: int = 0
    undated: int = 0
    missing: int = 0
    not_due: int = 0

    @property
    def organs(self) -> int:
        return sum(getattr(self, status) for status in STATUSES)

    @property
    def due(self) -> int:
        """The organs whose deadline for the year has passed."""
        return self.organs - self.not_due

    def share(self, status: str) -> float:
        return getattr(self, status) / self.organs if self.organs else 0.0


def grid(engine: Engine) -> list[Cell]:
    """Every province × year the deadlines view covers, provinces in the order of their codes
    (北京 11 … 新疆 65, then those of no region), years ascending; a province with no organ due in
    a year has a cell of zeros."""
    counts: dict[tuple[str | None, int], dict[str, int]] = defaultdict(dict)
    codes: dict[str | None, str] = {}
    with engine.connect() as connection:
        for province, year, status, organs, code in connection.execute(GRID):
            counts[province, int(year)][status] = int(organs)
            codes[province] = min(codes.get(province) or "99", code or "99")
    provinces = sorted(codes, key=lambda p: (p is None, codes[p], p or ""))
    years = sorted({year for _, year in counts})
    return [
        Cell(province, year, **counts.get((province, year), {}))
        for province in provinces
        for year in range(years[0], years[-1] + 1)  # no province: no years either
    ]
