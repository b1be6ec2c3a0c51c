"""The accounting identities, and what they fix about the cells a report does not print.

Unknown cells are non-negative integers. A cell is fixed when it takes the same value in every
assignment that satisfies the identities. When they can all be met, one linear program finds
the cells forced to 0 and linear algebra which of the others the identities determine;
otherwise the identities that the printed numbers break are dropped (they are only reported)
and two linear programs per cell (minimise it, maximise it) decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.optimize import linprog, nnls

from parsers.cells import Number

Cell = tuple[str, str]
Values = Mapping[Cell, Number | None]

TOLERANCE = 1e-6
_BOX = 1e9  # bounds the exploratory solves; no report counts that many
_STILL = 1e-9  # a cell that moves less along a direction that keeps the identities does not


@dataclass(frozen=True)
class Identity:
    """sum(lhs) = sum(rhs)."""

    name: str
    lhs: tuple[Cell, ...]
    rhs: tuple[Cell, ...]

    @cached_property  # read for every placement tried
    def _terms(self) -> tuple[tuple[Cell, int], ...]:
        return (*((cell, 1) for cell in self.lhs), *((cell, -1) for cell in self.rhs))

    def terms(self) -> tuple[tuple[Cell, int], ...]:
        return self._terms


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

    def separate(self) -> bool:
        """Whether no unknown cell is in two of the identities (each can then be solved alone)."""
        return bool((np.count_nonzero(self.matrix, axis=0) == 1).all())

    def sides(self) -> tuple[np.ndarray, np.ndarray]:
        """Which identities have unknowns that add (and which have some that subtract)."""
        return (self.matrix > 0).any(axis=1), (self.matrix < 0).any(axis=1)

    def separate_violation(self) -> float:
        """least_violation()[0] of a separate system: an identity's unknowns sum (with their
        signs) to any number on their signs' side of 0, so it misses by its target's distance
        from those."""
        upward, downward = self.sides()
        reached = (self.target == 0) | (upward & (self.target > 0)) | (downward & (self.target < 0))
        return self.printed_slack + float(np.abs(self.target[~reached]).sum())

    def met(self) -> bool:
        """Whether least_violation()[0] <= TOLERANCE: non-negative least squares proves it
        cheaply with a point that misses by no more; when it misses by more, the linear program
        decides."""
        if self.printed_slack > TOLERANCE:
            return False
        if self.matrix.shape[0]:
            try:
                point = np.maximum(nnls(self.matrix, self.target)[0], 0)
            except RuntimeError:  # out of iterations
                pass
            else:
                miss = float(np.abs(self.matrix @ point - self.target).sum())
                if self.printed_slack + miss <= TOLERANCE:
                    return True
        return self.least_violation()[0] <= TOLERANCE

    def settled(self) -> bool:
        """Whether the identities, met, fix none of the unknown cells: each unknown is in one
        identity only, which has several, and they can take any sum on their signs' side of 0
        (an identity with unknowns of both signs, or of one sign needing a sum of that sign)."""
        if self.printed_slack > TOLERANCE or not self.separate():
            return False
        upward, downward = self.sides()
        open_ = (upward & downward) | (upward & (self.target > TOLERANCE))
        open_ |= downward & (self.target < -TOLERANCE)
        return bool(((np.count_nonzero(self.matrix, axis=1) >= 2) & open_).all())

    def forced_zeros(self, candidates: np.ndarray) -> np.ndarray | None:
        """Which of the candidate unknowns are 0 wherever the identities are met, by one solve:
        scaled by some factor of at least 1, a point that meets them gives each candidate that
        can be positive at least 1 (the mean of points where each is). None if the solve fails
        (or the identities cannot be met)."""
        (picked,) = np.nonzero(candidates)
        if not picked.size:
            return candidates
        (m, n), k = self.matrix.shape, picked.size
        floors = np.zeros((k, n + k + 1))  # a candidate's share is at most its value
        floors[np.arange(k), picked] = -1.0
        floors[:, n : n + k] = np.eye(k)
        result = linprog(
            np.r_[np.zeros(n), -np.ones(k), 0.0],
            A_ub=floors,
            b_ub=np.zeros(k),
            A_eq=np.hstack([self.matrix, np.zeros((m, k)), -self.target[:, None]]),
            b_eq=np.zeros(m),
            bounds=[(0, None)] * n + [(0, 1)] * k + [(1, None)],
            method="highs",
        )
        if result.status != 0:
            return None
        zeros = np.zeros_like(candidates)
        zeros[picked] = result.x[n : n + k] < 0.5
        return zeros

    def fixed_where_met(self) -> dict[int, int] | None:
        """The unknowns (by index) that the identities, which can be met, fix, with their value.

        The cells not forced to 0 can all be positive at once, so one of them is fixed exactly
        when the identities on them determine it (every direction that keeps them met leaves it
        unchanged). None when a fixed value is not a whole number (rounding then is the solves'
        to do) or a solve fails."""
        open_ = np.abs(self.matrix).sum(axis=0) > 0
        zeros = self.forced_zeros(open_)
        if zeros is None:
            return None
        found = dict.fromkeys(np.flatnonzero(zeros).tolist(), 0)
        free = np.flatnonzero(open_ & ~zeros)
        if not free.size:
            return found
        matrix = self.matrix[:, free]
        _, singular, directions = np.linalg.svd(matrix)
        # the rank as numpy's matrix_rank counts it; the directions past it keep the identities
        rank = int((singular > singular.max() * max(matrix.shape) * np.finfo(float).eps).sum())
        moving = np.abs(directions[rank:]).max(axis=0, initial=0.0) > _STILL
        solution = np.linalg.lstsq(matrix, self.target, rcond=None)[0]
        for n, value in zip(free[~moving].tolist(), solution[~moving], strict=True):
            if abs(value - round(value)) > TOLERANCE:
                return None
            found[n] = round(value)
        return found

    def fixed_by_solves(self) -> dict[int, int]:
        """The unknowns (by index) that the identities which need not miss fix, with their value:
        cheap solves rule out the cells that move (a feasible point where a cell differs proves
        it free) and find those forced to 0 (their largest possible sum is 0); the rest get their
        own minimum and maximum."""
        _, missed, start = self.least_violation()
        keep = ~missed
        found: dict[int, int] = {}
        open_ = np.abs(self.matrix[keep]).sum(axis=0) > 0
        for sign in (1.0, -1.0):
            point = self.optimum(sign * open_, keep)
            if point is None:
                return found
            open_ &= np.abs(point - start) <= TOLERANCE
        zeros = open_ & (start <= TOLERANCE)
        while zeros.any():
            point = self.optimum(-1.0 * zeros, keep)
            moved = zeros & (point > TOLERANCE) if point is not None else zeros
            if not moved.any():
                found.update((int(n), 0) for n in np.flatnonzero(zeros))
                break
            zeros &= ~moved
        for n in np.flatnonzero(open_ & (start > TOLERANCE)):
            low, high = (self.optimum(sign * np.eye(len(start))[n], keep) for sign in (1.0, -1.0))
            if low is not None and high is not None and high[n] - low[n] <= TOLERANCE:
                found[int(n)] = round(low[n])
        return found


def violation(values: Values, identities: Sequence[Identity]) -> float:
    """0 when some non-negative values of the unknown cells satisfy every identity."""
    known = propagate(values, identities)
    if known is not None and _System.of(known, identities).met():
        return 0.0
    system = _System.of(values, identities)
    return system.separate_violation() if system.separate() else system.least_violation()[0]


def fixed(values: Values, identities: Sequence[Identity]) -> dict[Cell, Number]:
    """The unknown cells (None or absent from `values`) that the identities fix, with their value.

    A cell is fixed when its minimum equals its maximum. An identity with a single unknown cell
    fixes it outright (when nothing is broken). When nothing is broken, one solve finds the
    cells forced to 0 and linear algebra the others; when something is, solves on the
    identities that need not miss decide.
    """
    known = propagate(values, identities)
    system = _System.of(known, identities) if known is not None else None
    if system is not None and system.settled():
        return {cell: value for cell, value in known.items() if values.get(cell) is None}
    met = system is not None and system.met()
    if not met:
        known = {cell: value for cell, value in values.items() if value is not None}
        system = _System.of(known, identities)
    found = {cell: value for cell, value in known.items() if values.get(cell) is None}
    if not system.unknowns:
        return found
    solved = system.fixed_where_met() if met else None
    if solved is None:
        solved = system.fixed_by_solves()
    return found | {system.unknowns[n]: value for n, value in solved.items()}


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
