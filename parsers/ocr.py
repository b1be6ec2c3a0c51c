"""Words read from a page image by OCR: rapidocr-onnxruntime, whose PP-OCRv4 detection and
recognition models ship inside its wheel (CPU, offline, nothing downloaded at run time)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import version

import numpy as np

ENGINE = "rapidocr-onnxruntime"


@dataclass(frozen=True, slots=True)
class Word:
    """A text line the engine found, by its box in the image's pixels."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    confidence: float

    @property
    def middle(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


@cache
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(use_cls=False)


def engine_version() -> str:
    return version(ENGINE)


def read_words(image: np.ndarray) -> list[Word]:
    """Every text line of a grey or RGB image, with the engine's confidence (0-1); none dropped
    for a low confidence: the caller decides what to trust."""
    found, _ = _engine()(_rgb(image), use_cls=False, text_score=0.0)
    words = []
    for box, text, score in found or ():
        xs, ys = [point[0] for point in box], [point[1] for point in box]
        if text.strip():
            words.append(Word(min(xs), min(ys), max(xs), max(ys), text.strip(), float(score)))
    return words


def read_lines(images: list[np.ndarray]) -> list[tuple[str, float]]:
    """The text each image (a crop of one line) shows, every character allowed, with the
    recognition model's confidence: for a cell where detection found no word."""
    found, _ = _engine().text_rec([_rgb(image) for image in images])
    return [(text.strip(), float(score)) for text, score in found]


def _rgb(image: np.ndarray) -> np.ndarray:
    return np.stack([image] * 3, axis=-1) if image.ndim == 2 else image


_NUMBER_CHARACTERS = "0123456789.,-"
_BATCH = 16
_MIN_RATIO = 2.0  # width over height the recogniser is given at least
_STEP = 0.5  # the widths it is given, so that no crop's reading depends on the others'


def read_numbers(images: list[np.ndarray]) -> list[tuple[str, float]]:
    """The number each image (a table cell's crop) shows, read by the recognition model with
    every character but digits, '.', ',' and '-' ruled out. Its confidence is the least, over the
    characters read, of the character's probability among those allowed: how sure the model is
    of this digit rather than another, once it is known to be a number. The crops go in batches
    of like widths, each padded to the next step of `_STEP` (numbers are short: a line's width
    would cost several times more): the padding a crop gets, and so its reading, depends on its
    own width only, never on the other crops read with it."""
    recognizer = _engine().text_rec
    characters = recognizer.postprocess_op.character
    allowed = np.array([0] + [characters.index(c) for c in _NUMBER_CHARACTERS])
    found: list[tuple[str, float]] = [("", 0.0)] * len(images)
    ratios = [image.shape[1] / image.shape[0] if image.size else 0.0 for image in images]
    widths: dict[float, list[int]] = {}  # each padded to the next step: a reading of its own
    for n in np.argsort(ratios, kind="stable"):
        if ratios[n]:
            widths.setdefault(max(_MIN_RATIO, np.ceil(ratios[n] / _STEP) * _STEP), []).append(n)
    batches = [
        (ratio, like[start : start + _BATCH])
        for ratio, like in widths.items()
        for start in range(0, len(like), _BATCH)
    ]
    for ratio, batch in batches:
        tensor = np.stack([recognizer.resize_norm_img(_rgb(images[n]), ratio) for n in batch])
        for n, steps in zip(batch, recognizer.session(tensor.astype(np.float32))[0], strict=True):
            probabilities = steps[:, allowed]
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            best = probabilities.argmax(axis=1)
            text, confidences, previous = "", [], 0
            for step, index in enumerate(best):
                if index and index != previous:
                    text += _NUMBER_CHARACTERS[index - 1]
                    confidences.append(float(probabilities[step, index]))
                previous = index
            found[n] = (text, min(confidences, default=0.0))
    return found
