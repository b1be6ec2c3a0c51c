"""Image documents (PNG, JPEG, TIFF, GIF; every frame a page) and page images, read by OCR."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from parsers.errors import ParseError
from parsers.extract.blocks import Block, Extraction, join_pages
from parsers.extract.scan import read_page

MAX_PAGES = 100
MAX_PIXELS = 80_000_000  # of one frame: a page scanned at 600 dpi is 35 million
PAGE_SIDE = 2000  # pixels: the long side a page is read at (the OCR engine's own limit)


def extract(data: bytes) -> Extraction:
    return extract_pages([data])


def extract_pages(images: Sequence[bytes]) -> Extraction:
    """Several images as the pages of one document, in order."""
    return read_pages(frame for data in images for frame in _frames(data))


def read_pages(pages: Iterable[np.ndarray]) -> Extraction:
    """Grey page images as one document's blocks; a table that goes on from one page to the next
    is one table."""
    blocks, confidence = read_each(pages)
    return Extraction(
        join_pages(blocks), ocr_pages=tuple(range(1, len(blocks) + 1)), ocr_confidence=confidence
    )


def read_each(pages: Iterable[np.ndarray]) -> tuple[list[list[Block]], float]:
    """Each page's blocks, and the mean confidence of the words read on them."""
    blocks: list[list[Block]] = []
    confidences: list[float] = []
    for page in pages:
        if len(blocks) == MAX_PAGES:
            raise ParseError("too_large", f"over {MAX_PAGES} pages")
        text = read_page(page)
        blocks.append(text.blocks)
        confidences += text.confidences
    if not confidences:
        raise ParseError("needs_ocr", "no text found in the page images")
    return blocks, float(np.mean(confidences))


def grey(image: Image.Image) -> np.ndarray:
    """A page as grey pixels, scaled so that its long side is `PAGE_SIDE`."""
    if image.width * image.height > MAX_PIXELS:
        raise ParseError("too_large", f"an image of {image.width}×{image.height} pixels")
    if image.mode in ("RGBA", "LA", "P"):  # transparent parts are paper
        image = image.convert("RGBA")
        paper = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(paper, image)
    image = image.convert("L")
    scale = PAGE_SIDE / max(image.size)
    if abs(scale - 1) > 0.05:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(image)


def _frames(data: bytes) -> Iterable[np.ndarray]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            for frame in ImageSequence.Iterator(image):  # read_each stops at MAX_PAGES
                yield grey(frame)
    except Image.DecompressionBombError as error:
        raise ParseError("too_large", str(error)) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ParseError("corrupt", f"unreadable image: {error}"[:300]) from error
