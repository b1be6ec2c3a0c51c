"""A page image as blocks: deskewed, its words read by OCR, its ruled tables rebuilt from the
ruling lines (cells spanning rows and columns as pdfplumber finds them in a text PDF), its other
lines as paragraphs. A page without ruling lines gives its lines to the text tokenizer, columns
split where words stand apart.

What OCR reads is not trusted as printed: each number cell is read again with only digits
allowed, and a number is kept only where its readings agree with confidence (see TRUSTED);
otherwise the cell is left blank, so that it is unknown to the identities rather than a guess.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from parsers import ocr
from parsers.extract.blocks import Block, Table
from parsers.extract.layout import text_blocks
from parsers.extract.ruling import CellTable, ruled_tables

#: A number is kept where two readings of it with only digits allowed agree (of the words' boxes
#: as found, and of the number cleaned of specks): the cleaned one with SURE confidence, or both
#: with TRUSTED and the engine's own reading too (which may also give back a decimal point the
#: first reading lost).
TRUSTED = 0.6
SURE = 0.95
#: A word of one or two characters read with less confidence than this is noise.
NOISE = 0.5
MAX_SKEW = 2.0  # degrees
MAX_INK = 0.3  # a page of text, tables included, is under a fifth dark
_SKEW_WIDTH = 1000  # pixels: the skew is measured on the page scaled to this width
#: A cell holding no Chinese character and at most this many characters holds a number.
MAX_NUMBER = 16
_CJK = re.compile(r"[\u3400-\u9fff]")
_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_TABLE_GAP = 1.5  # word heights between two words that stand in different columns


@dataclass(frozen=True)
class PageText:
    blocks: list[Block]
    confidences: list[float]  # of every word read


def read_page(image: np.ndarray) -> PageText:
    """The blocks of a grey page image, in reading order."""
    if _ink(image) > MAX_INK:
        return PageText([], [])  # a photograph or noise: no page of text is this dark
    page = deskew(image)
    words = [word for word in ocr.read_words(page) if not _noise(word)]
    if not words:
        return PageText([], [])
    height = float(np.median([word.height for word in words]))
    tables = [table for table in _ruled_tables(page, words, height) if _is_grid(table)]
    placed: list[tuple[float, Block]] = []
    inside: set[int] = set()
    for table in tables:
        grid, used = _fill(page, table, words, height)
        inside |= used
        placed.append((table.bbox[1], grid))
    rest = [word for n, word in enumerate(words) if n not in inside]
    if tables:
        placed += [(line[0].top, _join(line, height)) for line in _lines(rest)]
        placed.sort(key=lambda item: item[0])
        blocks = [block for _, block in placed]
    else:
        blocks = text_blocks([_join(line, height, _TABLE_GAP) for line in _lines(rest)])
    return PageText(blocks, [word.confidence for word in words])


def _ink(image: np.ndarray) -> float:
    """The share of a page's pixels that are dark."""
    small = cv2.resize(image, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    return float((small < 128).mean())


def deskew(image: np.ndarray) -> np.ndarray:
    """The page turned so that its lines of text and its ruling lines are level."""
    angle = skew(image)
    if abs(angle) < 0.02:
        return image
    h, w = image.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(
        image, turn, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )  # fmt: skip


def _noise(word: ocr.Word) -> bool:
    """A word of a character or two read with little confidence: a speck or a smudge."""
    return len(word.text) <= 2 and word.confidence < NOISE


def skew(image: np.ndarray) -> float:
    """The angle in degrees (counter-clockwise) the page is turned by: the one that makes the
    rows of dark pixels sharpest (their profile's sum of squares largest)."""
    scale = min(1.0, _SKEW_WIDTH / image.shape[1])
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, dark = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ys, xs = np.nonzero(dark)
    if len(ys) == 0:
        return 0.0
    ys, xs = ys.astype(np.float64), xs.astype(np.float64) - small.shape[1] / 2

    def sharpness(angle: float) -> float:
        shifted = np.round(ys + xs * np.tan(np.radians(angle))).astype(np.int64)
        profile = np.bincount(shifted - shifted.min())
        return float(np.dot(profile, profile))

    best = 0.0
    for step, span in ((0.1, MAX_SKEW), (0.01, 0.1)):
        angles = np.arange(best - span, best + span + step / 2, step)
        best = float(max(angles, key=sharpness))
    return -best


def _ruled_tables(page: np.ndarray, words: Sequence[ocr.Word], height: float) -> list[CellTable]:
    """Tables from the ruling lines: the page's dark pixels less its words' strokes, opened
    along each axis by a length no stroke of a character reaches."""
    _, dark = cv2.threshold(page, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    for word in words:  # the middle band of each word: its strokes, not the lines around it
        band = word.height * 0.2
        dark[int(word.top + band) : int(word.bottom - band), int(word.x0) : int(word.x1)] = 0
    edges = []
    for orientation, length in (("h", 1.5 * height), ("v", 0.8 * height)):
        size = (max(int(length), 3), 1) if orientation == "h" else (1, max(int(length), 3))
        lines = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(0, size))
        count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for x, y, w, h, _ in stats[1:count]:
            if orientation == "h":
                edges.append({"x0": x, "x1": x + w, "top": y + h / 2, "bottom": y + h / 2,
                              "orientation": "h", "width": w, "height": 0})  # fmt: skip
            else:
                edges.append({"x0": x + w / 2, "x1": x + w / 2, "top": y, "bottom": y + h,
                              "orientation": "v", "width": 0, "height": h})  # fmt: skip
    tolerance = max(2.0, height / 6)
    return ruled_tables(edges, tolerance, height / 2, tolerance)


def _is_grid(table: CellTable) -> bool:
    rows = table.rows
    return len(rows) >= 2 and max(len(row.cells) for row in rows) >= 2


def _fill(
    page: np.ndarray, table: CellTable, words: Sequence[ocr.Word], height: float
) -> tuple[Table, set[int]]:
    """The table's rows of cell text, and the words it holds. A cell of digits (or of what OCR
    makes of digits) is read again as a number, and kept only if read for sure."""
    rows = table.rows
    held: dict[tuple[int, int], list[ocr.Word]] = {}
    used: set[int] = set()
    for n, word in enumerate(words):
        x, y = word.middle
        for r, row in enumerate(rows):
            column = next(
                (
                    c
                    for c, cell in enumerate(row.cells)
                    if cell and cell[0] <= x <= cell[2] and cell[1] <= y <= cell[3]
                ),
                None,
            )
            if column is not None:
                held.setdefault((r, column), []).append(word)
                used.add(n)
                break
    grid = [["" for _ in row.cells] for row in rows]
    numbers: list[tuple[int, int]] = []
    free: dict[tuple[int, int], str] = {}  # the engine's own reading, all characters allowed
    for (r, c), cell_words in held.items():
        lines = _lines(cell_words)
        text = "".join(_join(line, height) for line in lines)
        if _CJK.search(text) or len(text) > MAX_NUMBER:
            grid[r][c] = text
        elif len(lines) == 1:  # numbers on two lines: cells a lost ruling line joined
            numbers.append((r, c))
            free[r, c] = text.replace(" ", "").strip(".·").rstrip("-")
    # two readings of each number: of the words' boxes as found, and of the number cleaned of
    # specks and cut to its height; kept where they agree and both are sure enough
    found = [_box(page, held[r, c]) for r, c in numbers]
    cleaned = [_despeckle(_crop(page, rows[r].cells[c], held[r, c], height)) for r, c in numbers]
    # a cell where detection found no word but that holds marks of a character's height (a
    # lone digit, a label of two characters, are easy to miss): a label where its line is read
    # for sure, else a number read cleaned as it is and enlarged, kept where both are sure
    unfound = {
        (r, c): inside
        for r, row in enumerate(rows)
        for c, cell in enumerate(row.cells)
        if cell and (r, c) not in held and (inside := _marked(page, cell, height)) is not None
    }
    for (r, c), (text, sure) in zip(unfound, ocr.read_lines(list(unfound.values())), strict=True):
        if _CJK.search(text) and sure >= SURE:
            grid[r][c] = text
    unfound = {
        cell: _despeckle(inside) for cell, inside in unfound.items() if not grid[cell[0]][cell[1]]
    }
    enlarged = [cv2.resize(ink, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
                for ink in unfound.values()]  # fmt: skip
    readings = ocr.read_numbers(found + cleaned + list(unfound.values()) + enlarged)
    for n, (r, c) in enumerate(numbers):
        (first, sure), (second, surer) = readings[n], readings[len(numbers) + n]
        # a dot before or after a number, a dash after it, are specks the cleaning removes
        text, raw = second.rstrip("."), first.strip(".").rstrip("-")
        # or the first lost a decimal point that the other two read in the same place
        point_lost = "." in text and raw == text.replace(".", "") and free[r, c] == text
        agreed = (raw == text or point_lost) and (
            surer >= SURE or (min(sure, surer) >= TRUSTED and free[r, c] == text)
        )
        grid[r][c] = text if agreed and _NUMBER.fullmatch(text) else ""
    rest = readings[2 * len(numbers) :]
    for n, (r, c) in enumerate(unfound):
        (first, sure), (second, surer) = rest[n], rest[len(unfound) + n]
        if first == second and min(sure, surer) >= SURE and _NUMBER.fullmatch(first):
            grid[r][c] = first
    return grid, used


def _marked(page: np.ndarray, cell: tuple[float, ...], height: float) -> np.ndarray | None:
    """The marks of a character's size in the cell, a little margin around them, its ruling
    lines left out; None if it holds none."""
    inset = max(3, round(height / 6))
    inside = page[
        int(cell[1]) + inset : int(cell[3]) - inset, int(cell[0]) + inset : int(cell[2]) - inset
    ]
    if inside.size == 0:
        return None
    _, dark = cv2.threshold(inside, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, _, stats, _ = cv2.connectedComponentsWithStats(dark)
    h, w = stats[1:count, cv2.CC_STAT_HEIGHT], stats[1:count, cv2.CC_STAT_WIDTH]
    marks = ~_rules(w, h, inside.shape) & (h >= 0.3 * height) & (h <= 1.3 * height)
    if not (marks & (w <= 1.2 * height)).any():
        return None
    x, y = stats[1:count, cv2.CC_STAT_LEFT][marks], stats[1:count, cv2.CC_STAT_TOP][marks]
    margin = round(0.15 * height)
    return inside[
        max(0, y.min() - margin) : (y + h[marks]).max() + margin,
        max(0, x.min() - margin) : (x + w[marks]).max() + margin,
    ]


def _rules(w: np.ndarray, h: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Which marks of a crop (by their widths and heights) are the edge of a ruling line: thin,
    from edge to edge of the crop. A faint line is darker than Otsu's level on a crop of
    paper."""
    return ((h >= 0.9 * shape[0]) & (w <= 0.2 * h)) | ((w >= 0.9 * shape[1]) & (h <= 0.2 * w))


def _extent(words: Sequence[ocr.Word]) -> tuple[float, float, float, float]:
    """The box holding all the words: x0, top, x1, bottom."""
    return (
        min(word.x0 for word in words),
        min(word.top for word in words),
        max(word.x1 for word in words),
        max(word.bottom for word in words),
    )


def _box(page: np.ndarray, words: Sequence[ocr.Word]) -> np.ndarray:
    x0, top, x1, bottom = _extent(words)
    return page[int(top) : int(bottom) + 1, int(x0) : int(x1) + 1]


def _crop(
    page: np.ndarray, cell: tuple[float, ...], words: Sequence[ocr.Word], height: float
) -> np.ndarray:
    """The words' box within the cell, a little margin around it, the ruling lines left out."""
    margin, inset = height * 0.15, max(2.0, height / 10)
    x0, top, x1, bottom = _extent(words)
    x0, top = max(x0 - margin, cell[0] + inset), max(top - margin, cell[1] + inset)
    x1, bottom = min(x1 + margin, cell[2] - inset), min(bottom + margin, cell[3] - inset)
    if x1 - x0 < 2 or bottom - top < 2:  # a word wider than its cell: take the word's box
        return _box(page, words)
    return page[int(top) : int(bottom) + 1, int(x0) : int(x1) + 1]


def _despeckle(crop: np.ndarray) -> np.ndarray:
    """A number's crop with its specks made paper (of the dark spots smaller than the digits,
    only a point or comma low between digits and a minus before them stay) and the edge of a
    ruling line it catches too (taken for the tallest digit, it would make the digits specks),
    cut to the number
    with a margin: the recogniser reads text that fills the line's height."""
    if crop.size == 0:
        return crop
    _, dark = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    if count < 2:
        return crop
    x, y, w, h = (stats[1:, i].astype(float) for i in range(4))
    rule = _rules(w, h, crop.shape)
    if rule.all():
        return crop
    digit = ~rule & (h >= 0.5 * h[~rule].max())
    top, bottom = y[digit].min(), (y + h)[digit].max()
    # a stroke a white speck cut off its digit (the bar of a 5) lies within the digits' band,
    # under or over a digit
    under = (x[:, None] < (x + w)[digit][None, :]) & ((x + w)[:, None] > x[digit][None, :])
    digit |= ~rule & under.any(axis=1) & (y >= top) & (y + h <= bottom)
    # or just outside it, as wide as half a digit: the bottom bar of a lone 2 parted from it
    gap = max(1.0, 0.1 * (bottom - top))
    beside = (y + h >= top - gap) & (y <= bottom + gap) & (w >= 0.5 * np.median(w[digit]))
    digit |= ~rule & under.any(axis=1) & beside & (h <= 0.5 * (bottom - top))
    top, bottom = y[digit].min(), (y + h)[digit].max()
    left, right = x[digit].min(), (x + w)[digit].max()
    middle_x, middle_y, band = x + w / 2, y + h / 2, bottom - top
    point = (left < middle_x) & (middle_x < right) & (middle_y > top + 0.6 * band)
    minus = (middle_x < left) & (w >= 1.5 * h) & (abs(middle_y - (top + bottom) / 2) < 0.3 * band)
    kept = digit | (~rule & (point | minus))
    keep = np.r_[True, kept]
    specks = (~keep[labels]).astype(np.uint8)
    halo = cv2.dilate(specks, np.ones((3, 3), np.uint8)).astype(bool)  # their grey edges too
    cleaned = crop.copy()
    cleaned[halo & ~(keep[labels] & (labels > 0))] = 255
    margin = max(2, round(0.25 * band))
    x0, x1 = int(x[kept].min()), int((x + w)[kept].max())
    cut = cleaned[int(top) : int(bottom), x0:x1]
    return cv2.copyMakeBorder(cut, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=255)


def _lines(words: Sequence[ocr.Word]) -> list[list[ocr.Word]]:
    """Words grouped into lines (a word whose middle lies within a line's height joins it),
    top to bottom, each left to right."""
    lines: list[list[ocr.Word]] = []
    for word in sorted(words, key=lambda word: word.top):
        line = next(
            (line for line in lines if line[0].top <= word.middle[1] <= line[0].bottom), None
        )
        if line is None:
            lines.append([word])
        else:
            line.append(word)
    return [sorted(line, key=lambda word: word.x0) for line in lines]


def _join(line: Sequence[ocr.Word], height: float, column: float | None = None) -> str:
    """A line's words, a space between two that stand apart, and a tab between two that stand
    `column` word heights apart or more (an unruled page's columns)."""
    text = line[0].text
    for before, word in itertools.pairwise(line):
        gap = word.x0 - before.x1
        wide = column is not None and gap > column * height
        text += ("\t" if wide else " " if gap > height / 2 else "") + word.text
    return text
