"""A PDF page's text layer read with pypdfium2: its characters and the edges of its ruling
lines, in pdfplumber's terms (top-down coordinates of the page as displayed, its /Rotate
applied), so that pdfplumber's word, line and table finders read them as they read pdfminer's
objects, at a fraction of the time.

A character's box is its advance wide and its font size high, standing on its baseline (as
pdfminer's for a font that declares no descent: every character of a line shares its top,
whatever its font). The spaces and line breaks PDFium makes up are left out, and with them the
rare real space PDFium takes for one of its own (one that begins a run of text): a line can lose
a blank between two words that stand closer than pdfplumber's word gap.

Paths become lines, rectangles and curves by pdfminer's rules (a single segment is a line,
a closed axis-aligned four-sided subpath a rectangle, anything else a curve), and those become
edges by pdfplumber's."""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium
from pdfplumber.utils import curve_to_edges, line_to_edge, rect_to_edges

Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]
#: Page objects nest in form XObjects no deeper than this.
MAX_DEPTH = 16
#: Edges shorter than this are not ruling lines (pdfplumber's edge_min_length_prefilter).
MIN_EDGE = 1
#: PDFium's mark for a hyphen that ends a line.
_HYPHEN = "\ufffe"
#: Points: a glyph's edge this near its advance's is on it.
_EPSILON = 1e-3
#: The first ideograph block: glyphs from here on stay within their advance, but for specks
#: that move no gap between words.
_WIDE = "\u2e80"
_SUBPATH = re.compile(r"m[^m]+")
_OPERATOR = {pdfium.FPDF_SEGMENT_MOVETO: "m", pdfium.FPDF_SEGMENT_LINETO: "l"}


@dataclass(frozen=True)
class PageLayer:
    chars: list[dict]
    edges: list[dict]
    has_images: bool
    width: float
    height: float


def read_page(page: pypdfium2.PdfPage) -> PageLayer:
    left, bottom, right, top = page.get_mediabox()
    x0, x1, y0, y1 = min(left, right), max(left, right), min(bottom, top), max(bottom, top)
    rotation = page.get_rotation()
    display = _display(rotation, (x0, y0, x1, y1))
    width, height = (x1 - x0, y1 - y0) if rotation % 180 == 0 else (y1 - y0, x1 - x0)
    textpage = page.get_textpage()
    try:
        chars = _chars(textpage, display, height)
    finally:
        textpage.close()
    edges: list[dict] = []
    has_images = _walk(page.raw, None, (1, 0, 0, 1, 0, 0), display, height, edges, 0)
    return PageLayer(chars, edges, has_images, width, height)


def _display(rotation: int, mediabox: tuple[float, float, float, float]) -> Matrix:
    """User space to the displayed page's (y up, origin at its lower left), as pdfminer turns
    it."""
    x0, y0, x1, y1 = mediabox
    return {
        0: (1, 0, 0, 1, -x0, -y0),
        90: (0, -1, 1, 0, -y0, x1),
        180: (-1, 0, 0, -1, x1, y1),
        270: (0, 1, -1, 0, y1, -x0),
    }[rotation % 360]


def _apply(m: Matrix, x: float, y: float) -> Point:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _multiply(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def _chars(textpage: pypdfium2.PdfTextPage, display: Matrix, height: float) -> list[dict]:
    raw = textpage.raw
    count = pdfium.FPDFText_CountChars(raw)
    if count <= 0:
        return []
    text = textpage.get_text_range(0, count)
    aligned = len(text) == count  # characters beyond the BMP take two UTF-16 units
    p, q, r, s, _, _ = display
    turned = (p, q, r, s) != (1, 0, 0, 1)
    # user space to the displayed page's, top-down
    va, vb, vc, vd, ve, vf = _multiply(display, (1, 0, 0, -1, 0, height))
    matrix, box = pdfium.FS_MATRIX(), pdfium.FS_RECTF()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    size_of, matrix_of = pdfium.FPDFText_GetFontSize, pdfium.FPDFText_GetMatrix
    box_of, origin_of = pdfium.FPDFText_GetLooseCharBox, pdfium.FPDFText_GetCharOrigin
    tight_of = pdfium.FPDFText_GetCharBox
    tight_left, tight_right, tight_bottom, tight_top = (ctypes.c_double() for _ in range(4))
    chars: list[dict] = []
    for i in range(count):
        char = text[i] if aligned else chr(pdfium.FPDFText_GetUnicode(raw, i))
        if char == _HYPHEN:
            char = "-"
        elif char in "\r\n":
            continue  # PDFium's own line breaks
        box_of(raw, i, box)
        left, right = box.left, box.right
        if left == right and char == " ":
            continue  # PDFium's own space, of no width
        matrix_of(raw, i, matrix)
        a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
        if turned:
            a, b, c, d = a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s
        size = size_of(raw, i)
        upright = a * d > 0 and b * c <= 0
        if upright and char < _WIDE:
            tight_of(raw, i, tight_left, tight_right, tight_bottom, tight_top)
            if tight_right.value >= right - _EPSILON:  # the glyph overhangs its advance
                right = _advance(raw, i, count, size, right)
        if upright and not turned:  # from the origin, its advance wide and its size high
            origin_of(raw, i, origin_x, origin_y)
            x0, baseline, x1 = origin_x.value + ve, vf - origin_y.value, right + ve
            x1, top, under = x1 if x1 > x0 else x0, baseline - size, baseline
        else:
            bottom, up = box.bottom, box.top
            xs = (va * left + vc * bottom + ve, va * right + vc * up + ve)
            ys = (vb * left + vd * bottom + vf, vb * right + vd * up + vf)
            x0, x1, top, under = min(xs), max(xs), min(ys), max(ys)
            if upright:
                origin_of(raw, i, origin_x, origin_y)
                x, y = origin_x.value, origin_y.value
                x0, baseline = va * x + vc * y + ve, vb * x + vd * y + vf
                x1, top, under = max(x0, x1), baseline - size, baseline
        chars.append(
            {"text": char, "x0": x0, "x1": x1, "top": top, "bottom": under, "doctop": top,
             "upright": upright, "size": size}
        )  # fmt: skip
    return chars


def _advance(raw: pdfium.FPDF_TEXTPAGE, i: int, count: int, size: float, right: float) -> float:
    """Where character `i`'s advance ends, by its font's width of it: PDFium's loose box holds
    the glyph, which may reach beyond (an italic, a serif f). `right` (the box's) where the font
    has no width for it, or for the pieces PDFium cuts a glyph of several characters into (a
    ligature): they share its origin, and the box is the whole glyph's."""
    x, y = ctypes.c_double(), ctypes.c_double()
    origins = []
    for j in (i, i - 1, i + 1):
        if 0 <= j < count and pdfium.FPDFText_GetCharOrigin(raw, j, x, y):
            origins.append((x.value, y.value))
    if origins.count(origins[0]) > 1:
        return right
    width = ctypes.c_float()
    font = pdfium.FPDFTextObj_GetFont(pdfium.FPDFText_GetTextObject(raw, i))
    unicode = pdfium.FPDFText_GetUnicode(raw, i)
    if not font or not pdfium.FPDFFont_GetGlyphWidth(font, unicode, size, width):
        return right
    return origins[0][0] + width.value if width.value > 0 else right


def _walk(
    parent: pdfium.FPDF_PAGE,
    form: pdfium.FPDF_PAGEOBJECT | None,
    outer: Matrix,
    display: Matrix,
    height: float,
    edges: list[dict],
    depth: int,
) -> bool:
    """Add the edges of the paths among these objects (and those of the forms among them) to
    `edges`; whether an image is among them."""
    if form is None:
        count, get = pdfium.FPDFPage_CountObjects(parent), pdfium.FPDFPage_GetObject
        owner = parent
    else:
        count, get = pdfium.FPDFFormObj_CountObjects(form), pdfium.FPDFFormObj_GetObject
        owner = form
    has_images = False
    m = pdfium.FS_MATRIX()
    for n in range(count):
        obj = get(owner, n)
        kind = pdfium.FPDFPageObj_GetType(obj)
        if kind == pdfium.FPDF_PAGEOBJ_IMAGE:
            has_images = True
        elif kind in (pdfium.FPDF_PAGEOBJ_PATH, pdfium.FPDF_PAGEOBJ_FORM):
            pdfium.FPDFPageObj_GetMatrix(obj, m)
            matrix = _multiply((m.a, m.b, m.c, m.d, m.e, m.f), outer)
            if kind == pdfium.FPDF_PAGEOBJ_PATH:
                _path_edges(obj, _multiply(matrix, display), height, edges)
            elif depth < MAX_DEPTH:
                has_images |= _walk(parent, obj, matrix, display, height, edges, depth + 1)
    return has_images


def _path_edges(
    obj: pdfium.FPDF_PAGEOBJECT, matrix: Matrix, height: float, edges: list[dict]
) -> None:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium.FPDFPath_GetDrawMode(obj, fill, stroke):
        return
    if fill.value == pdfium.FPDF_FILLMODE_NONE and not stroke.value:
        return  # a clipping path: not painted
    shape, points = _segments(obj, matrix, height)
    if shape.count("m") > 1:
        for match in _SUBPATH.finditer(shape):
            _shape_edges(match.group(), points[match.start() : match.end()], edges)
    elif shape.startswith("m"):
        _shape_edges(shape, points, edges)


def _segments(
    obj: pdfium.FPDF_PAGEOBJECT, matrix: Matrix, height: float
) -> tuple[str, list[Point]]:
    """The path's operators as pdfminer names them (a Bézier curve one `c`, a closed subpath
    ending in `h`) and each one's end point, top-down."""
    shape, points = [], []
    x, y = ctypes.c_float(), ctypes.c_float()
    start: Point | None = None
    curve = 0
    for n in range(pdfium.FPDFPath_CountSegments(obj)):
        segment = pdfium.FPDFPath_GetPathSegment(obj, n)
        pdfium.FPDFPathSegment_GetPoint(segment, x, y)
        px, py = _apply(matrix, x.value, y.value)
        point = (px, height - py)
        operator = _OPERATOR.get(pdfium.FPDFPathSegment_GetType(segment))
        if operator is None:  # three points make one Bézier segment: keep its end
            curve += 1
            if curve < 3:
                continue
            operator, curve = "c", 0
        if operator == "m":
            start = point
        shape.append(operator)
        points.append(point)
        if pdfium.FPDFPathSegment_GetClose(segment):
            shape.append("h")
            points.append(start or point)
    return "".join(shape), points


def _shape_edges(shape: str, pts: list[Point], edges: list[dict]) -> None:
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape, pts = shape[:-2] + "h", pts[:-1]
    if shape in ("mlh", "ml"):
        found = [line_to_edge(_box(pts[:2], "line"))]
    elif shape in ("mlllh", "mllll") and pts[0] == pts[4] and _square(pts):
        found = rect_to_edges(_box([pts[0], pts[2]], "rect"))
    else:
        found = curve_to_edges({**_box(pts, "curve"), "pts": pts})
    for edge in found:
        length = edge["height"] if edge["orientation"] == "v" else edge["width"]
        if edge["orientation"] is not None and length >= MIN_EDGE:
            edges.append(edge)


def _square(pts: list[Point]) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
    return (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
        y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
    )


def _box(pts: list[Point], kind: str) -> dict:
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
    return {"object_type": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "doctop": top, "y0": -bottom, "y1": -top, "width": x1 - x0,
            "height": bottom - top}  # fmt: skip


def pages(document: pypdfium2.PdfDocument) -> Iterator[PageLayer]:
    for n in range(len(document)):
        page = document[n]
        try:
            yield read_page(page)
        finally:
            page.close()
