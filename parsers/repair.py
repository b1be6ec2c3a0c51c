"""The accounting identities, and what they fix about the cells a report does not print.

Unknown cells are non-negative integers. A cell is fixed when it takes the same value in every
assignment that satisfies the identities: two linear programs (minimise it, maximise it) decide
that. Identities that the printed numbers break are dropped before (they are only reported).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from parsers.cells import Number

Cell = tuple[str, str]
Values = Mapping[Cell, Number | None]

TOLERANCE = 1e-6
_BOX = 1e9  # bounds the exploratory solves; no report counts that many


@dataclass(frozen=True)
class Identity:
    """sum(lhs) = sum(rhs)."""

    name: str
    lhs: tuple[Cell, ...]
    rhs: tuple[Cell, ...]

    def terms(self) -> Iterator[tuple[Cell, int]]:
        yield from ((cell, 1) for cell in self.lhs)
        yield from ((cell, -1) for cell in self.rhs)


@dataclass(frozen=True)
class _System:
    """The identities that involve unknown cells, as matrix @ unknowns = target."""

    unknowns: tuple[Cell, ...]
    matrix: np.ndarray
    target: np.ndarray
    printed_slack: float  # how far the identities without unknowns miss

    @classmethod
    def of(cls, values: Values, identities: Sequence[Identity]) -> _System:
        unknowns = tuple(
            sorted({c for i in identities for c, _ in i.terms() if values.get(c) is None})
        )
        column = {cell: n for n, cell in enumerate(unknowns)}
        rows, targets, printed_slack = [], [], 0.0
        for identity in identities:
            row, constant = np.zeros(len(unknowns)), 0.0
            for cell, sign in identity.terms():
                value = values.get(cell)
                if value is None:
                    row[column[cell]] += sign
                else:
                    constant += sign * value
            if row.any():
                rows.append(row)
                targets.append(-constant)
            else:
                printed_slack += abs(constant)
        matrix = np.array(rows).reshape(len(rows), len(unknowns))
        return cls(unknowns, matrix, np.array(targets), printed_slack)

    def least_violation(self) -> tuple[float, np.ndarray, np.ndarray]:
        """The smallest total amount by which the identities can miss; which of them miss then,
        and the unknowns' values there."""
        m, n = self.matrix.shape
        if m == 0:
            return self.printed_slack, np.zeros(0, dtype=bool), np.zeros(n)
        result = linprog(
            np.r_[np.zeros(n), np.ones(2 * m)],
            A_eq=np.hstack([self.matrix, np.eye(m), -np.eye(m)]),
            b_eq=self.target,
            bounds=(0, None),
            method="highs",
        )
        slack = result.x[n : n + m] + result.x[n + m :]
        return self.printed_slack + float(result.fun), slack > TOLERANCE, result.x[:n]

    def optimum(self, objective: np.ndarray, keep: np.ndarray) -> np.ndarray | None:
        """A point minimising `objective` (within a large box, so that one always exists)."""
        result = linprog(
            objective,
            A_eq=self.matrix[keep],
            b_eq=self.target[keep],
            bounds=(0, _BOX),
            method="highs",
        )
        return result.x if result.status == 0 else None


def violation(values: Values, identities: Sequence[Identity]) -> float:
    """0 when some non-negative values of the unknown cells satisfy every identity."""
    known = propagate(values, identities)
    if known is not None and _System.of(known, identities).least_violation()[0] <= TOLERANCE:
        return 0.0
    return _System.of(values, identities).least_violation()[0]


def fixed(values: Values, identities: Sequence[Identity]) -> dict[Cell, Number]:
    """The unknown cells (None or absent from `values`) that the identities fix, with their value.

    A cell is fixed when its minimum equals its maximum. An identity with a single unknown cell
    fixes it outright (when nothing is broken). Then cheap solves rule out the cells that move (a
    feasible point where a cell differs proves it free) and find those forced to 0 (their largest
    possible sum is 0); the rest get their own minimum and maximum.
    """
    known = propagate(values, identities)
    if known is None or _System.of(known, identities).least_violation()[0] > TOLERANCE:
        known = {cell: value for cell, value in values.items() if value is not None}
    found = {cell: value for cell, value in known.items() if values.get(cell) is None}
    system = _System.of(known, identities)
    if not system.unknowns:
        return found
    _, missed, start = system.least_violation()
    keep = ~missed
    open_ = np.abs(system.matrix[keep]).sum(axis=0) > 0
    for sign in (1.0, -1.0):
        point = system.optimum(sign * open_, keep)
        if point is None:
            return found
        open_ &= np.abs(point - start) <= TOLERANCE
    zeros = open_ & (start <= TOLERANCE)
    while zeros.any():
        point = system.optimum(-1.0 * zeros, keep)
        moved = zeros & (point > TOLERANCE) if point is not None else zeros
        if not moved.any():
            found.update((system.unknowns[n], 0) for n in np.flatnonzero(zeros))
            break
        zeros &= ~moved
    for n in np.flatnonzero(open_ & (start > TOLERANCE)):
        low, high = (system.optimum(sign * np.eye(len(start))[n], keep) for sign in (1.0, -1.0))
        if low is not None and high is not None and high[n] - low[n] <= TOLERANCE:
            found[system.unknowns[n]] = round(low[n])
    return found


def propagate(values: Values, identities: Sequence[Identity]) -> dict[Cell, Number] | None:
    """The values with what single identities force filled in, until nothing more is: an
    identity's only unknown cell, or unknown cells all on one side of an identity that needs
    them to add up to 0. None when an identity would need a negative sum. For one identity this
    finds every forced cell; for several, only what holds when none of them is broken."""
    known = {cell: value for cell, value in values.items() if value is not None}
    progress = True
    while progress:
        progress = False
        for identity in identities:
            signs: dict[Cell, int] = {}
            constant: Number = 0
            for cell, sign in identity.terms():
                if cell in known:
                    constant += sign * known[cell]
                else:
                    signs[cell] = signs.get(cell, 0) + sign
            side = {sign for sign in signs.values()}
            if len(side) != 1 or side & {0}:
                continue
            (sign,) = side
            needed = -sign * constant
            if needed < -TOLERANCE:
                return None
            if len(signs) == 1 and abs(sign) == 1:
                known.update(dict.fromkeys(signs, needed))
                progress = True
            elif abs(needed) <= TOLERANCE:
                known.update(dict.fromkeys(signs, 0))
                progress = True
    return known


def check(values: Values, identity: Identity) -> dict:
    sides = [[values.get(cell) for cell in side] for side in (identity.lhs, identity.rhs)]
    expressions = ["+".join("null" if v is None else _format(v) for v in side) for side in sides]
    if any(v is None for side in sides for v in side):
        return {"name": identity.name, "passed": None, "detail": " vs ".join(expressions)}
    left, right = (sum(side) for side in sides)  # type: ignore[arg-type]
    passed = abs(left - right) <= TOLERANCE
    shown = [
        f"{expression} = {_format(total)}" if len(side) > 1 else expression
        for expression, side, total in zip(expressions, sides, (left, right), strict=True)
    ]
    return {
        "name": identity.name,
        "passed": passed,
        "detail": f" {'=' if passed else '≠'} ".join(shown),
    }


def _format(value: Number) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def doubt(
    values: Values, identities: Sequence[Identity], read: Iterable[Cell]
) -> tuple[dict[Cell, Number | None], set[Cell]]:
    """Readings (OCR's) that break identities, made unknown where OCR's confusions explain the
    break: a read cell that alone mends every identity when unknown, and that the identities then
    fix to a number OCR confuses with the one read (a digit for a look-alike, a digit lost or
    doubled). One such cell is made unknown for the identities to fix; several are all unknown
    (which is to blame is not known). A break no confusion explains is the report's own: the
    readings stay, as printed numbers do. The values, and the cells made unknown."""
    values = dict(values)
    breaks = broken(values, identities)
    if not breaks:
        return values, set()
    read = set(read)
    suspects = {cell for identity in breaks for cell, _ in identity.terms() if cell in read}
    doubted = set()
    for cell in suspects:
        trial = values | {cell: None}
        if violation(trial, identities) > TOLERANCE:
            continue
        mended = fixed(trial, identities).get(cell)
        if mended is None or confusable(values[cell], mended):  # type: ignore[arg-type]
            doubted.add(cell)
    values |= dict.fromkeys(doubted)
    return values, doubted


#: Digits OCR takes one for the other.
LOOK_ALIKE = frozenset(
    frozenset(pair)
    for pair in ("06", "08", "09", "68", "69", "89", "17", "14", "38", "35", "56", "58", "27")
)


def confusable(read: Number, true: Number) -> bool:
    """Whether OCR could read `true` as `read`: one digit for a look-alike, or one digit lost
    or doubled."""
    a, b = str(read), str(true)
    if len(a) == len(b):
        differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        return len(differ) == 1 and frozenset(differ[0]) in LOOK_ALIKE
    short, long = sorted((a, b), key=len)
    return len(long) == len(short) + 1 and any(
        long[:n] + long[n + 1 :] == short for n in range(len(long))
    )


def broken(values: Values, identities: Sequence[Identity]) -> list[Identity]:
    """The identities the known values break: those they fill that do not hold, and those with
    unknown cells that no non-negative values of them satisfy together with the rest."""
    found = [identity for identity in identities if check(values, identity)["passed"] is False]
    open_ = [
        identity
        for identity in identities
        if any(values.get(cell) is None for cell, _ in identity.terms())
    ]
    if open_:
        system = _System.of(values, open_)
        total, missed, _ = system.least_violation()
        if total > TOLERANCE:
            found += [identity for identity, miss in zip(open_, missed, strict=True) if miss]
    return found
