"""Scans of the official-layout PDFs (tests/fixtures/render/scans.py) read by OCR give the numbers
of their source: a wrong number is worse than a missing one.

Each numbered cell of the expected record (`undamaged`) is right (the same number), wrong (another
number, or a number where the report prints none) or missing (null where a number is printed).
The default run reads two scanned documents and one page (the PNG, with the network cut); the
other eight documents and the whole set's share of right cells are marked `ocr` and run with
`pytest -m ocr` (OCR takes seconds a page: some ten minutes for the set).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pdfplumber
import pytest
from PIL import Image

from parsers import ocr, parse
from parsers.extract import images
from parsers.extract import scan as extract_scan
from tests.fixtures.make_official import OUT
from tests.fixtures.parser.compare import TABLES
from tests.fixtures.render import scans
from tests.test_parsers_official import undamaged

LEAN = ("001_c09b12af01aeb506.reportlab.pdf", "004_49c0d768678019fb.libreoffice.pdf")
PNG_SOURCE = "003_351f4af2c3a8fcf1.libreoffice.pdf"
OCR_KEYS = {"kind", "engine", "version", "pages", "mean_confidence"}
SOURCES = [
    pytest.param(source, marks=() if source in LEAN else pytest.mark.ocr)
    for source in scans.SOURCES
]

_scanned: dict[str, bytes] = {}
_records: dict[str, dict] = {}


def seed_of(source: str) -> str:
    return source.split(".")[0]


def scanned_pdf(source: str) -> bytes:
    if source not in _scanned:
        _scanned[source] = scans.scanned_pdf((OUT / source).read_bytes(), scans.SCANS[source])
    return _scanned[source]


def scanned_record(source: str) -> dict:
    """The record of the source's scan, read once a session."""
    if source not in _records:
        name = source.replace(".pdf", ".scan.pdf")
        _records[source] = parse(scanned_pdf(source), "application/pdf", name)
    return _records[source]


@dataclass
class Tally:
    right: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    blank: int = 0  # cells the report leaves blank, read as blank

    @property
    def cells(self) -> int:
        return len(self.right) + len(self.wrong) + len(self.missing) + self.blank

    def __iadd__(self, other: Tally) -> Tally:
        self.right += other.right
        self.wrong += other.wrong
        self.missing += other.missing
        self.blank += other.blank
        return self

    def __str__(self) -> str:
        return (
            f"{len(self.right)} right, {len(self.wrong)} wrong, {len(self.missing)} missing, "
            f"{self.blank} blank of {self.cells} cells"
        )


def numbered_cells(expected: dict) -> Iterator[tuple[str, int | float | None]]:
    for table in TABLES:
        for row, cells in expected[table].items():
            for column, value in cells.items():
                yield f"{table}.{row}.{column}", value


def tally(record: dict, expected: dict, only: set[str] | None = None) -> Tally:
    """Every numbered cell of `expected` (or of those in `only`) against the record's."""
    found = Tally()
    for cell, want in numbered_cells(expected):
        if only is not None and cell not in only:
            continue
        table, row, column = cell.split(".")
        got = ((record.get(table) or {}).get(row) or {}).get(column)
        if got is None:
            if want is None:
                found.blank += 1
            else:
                found.missing.append(cell)
        elif got == want:
            found.right.append(cell)
        else:
            found.wrong.append(f"{cell}: expected {want}, got {got}")
    return found


def assert_read_by_ocr(record: dict) -> None:
    source = record["text_source"]
    assert source["kind"] == "ocr"
    assert source.keys() >= OCR_KEYS
    assert source["pages"] and 0 <= source["mean_confidence"] <= 1


def test_the_scans_cover_the_dpis_angles_and_qualities() -> None:
    assert sorted(scans.SCANS) == list(scans.SOURCES) and len(scans.SOURCES) == 10
    chosen = scans.SCANS.values()
    assert {scan.dpi for scan in chosen} == set(scans.DPIS)
    assert all(-1 <= scan.angle <= 1 and 50 <= scan.quality <= 75 for scan in chosen)
    assert len({scan.angle for scan in chosen}) == 10
    assert {scans.SCANS[source].dpi for source in LEAN} == {150, 200}


@pytest.mark.parametrize("source", SOURCES)
def test_a_scanned_pdf_is_image_only_and_reproducible(source: str) -> None:
    data, dpi = scanned_pdf(source), scans.SCANS[source].dpi
    assert scans.scanned_pdf((OUT / source).read_bytes(), scans.SCANS[source]) == data
    with pdfplumber.open(OUT / source) as original, pdfplumber.open(io.BytesIO(data)) as scan:
        assert len(scan.pages) == len(original.pages)
        for page, theirs in zip(scan.pages, original.pages, strict=True):
            assert not page.chars
            (image,) = page.images
            assert image["srcsize"][0] == pytest.approx(theirs.width * dpi / 72, abs=1)
            assert page.width == pytest.approx(theirs.width, abs=1)


@pytest.mark.parametrize("source", SOURCES)
def test_a_scanned_pdf_gives_the_numbers_of_its_source(source: str) -> None:
    record, expected = scanned_record(source), undamaged(seed_of(source))
    assert_read_by_ocr(record)
    assert (record["organ"], record["year"], record["template"]) == (
        expected["organ"], expected["year"], expected["template"],
    )  # fmt: skip
    found = tally(record, expected)
    assert not found.wrong, f"{found}:\n" + "\n".join(found.wrong)


@pytest.mark.ocr
def test_the_scanned_pdfs_together_read_98_percent_of_their_numbers_right() -> None:
    whole, lines = Tally(), []
    for source in scans.SOURCES:
        found = tally(scanned_record(source), undamaged(seed_of(source)))
        lines.append(f"{source} {scans.SCANS[source]}: {found}")
        whole += found
    printed = len(whole.right) + len(whole.wrong) + len(whole.missing)
    report = "\n".join([*lines, f"all: {whole}"])
    print(report)
    assert len(whole.right) >= 0.98 * printed, report
    assert len(whole.wrong) < 0.003 * whole.cells, report


def png_truth() -> tuple[bytes, dict, set[str]]:
    """The PNG of the source's page holding section 三, the expected record, and the cells of
    section 三 whose numbers that page prints (those its text layer gives as printed)."""
    pdf = (OUT / PNG_SOURCE).read_bytes()
    page = scans.section_page(pdf, "三")
    png = scans.scanned_png(pdf, scans.SCANS[PNG_SOURCE], page)
    text = parse(scans.one_page(pdf, page), "application/pdf")
    printed = {
        cell
        for cell, value in numbered_cells(text)
        if cell.startswith("applications.") and value is not None
        and cell not in text["cell_status"]
    }  # fmt: skip
    return png, undamaged(seed_of(PNG_SOURCE)), printed


def test_the_png_page_is_a_grey_scan_of_a_page_of_section_three() -> None:
    png, expected, printed = png_truth()
    assert png == png_truth()[0]
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.mode) == ("PNG", "L")
    assert image.info["dpi"] == pytest.approx((150, 150), abs=0.1)
    # the page's text layer gives the seed's numbers where it prints them
    pdf = (OUT / PNG_SOURCE).read_bytes()
    text = parse(scans.one_page(pdf, scans.section_page(pdf, "三")), "application/pdf")
    found = tally(text, expected, printed)
    assert len(found.right) == len(printed) >= 7 * 7, str(found)  # seven rows of seven


NETWORK_CUT = """
import json, socket, sys

def refuse(*args, **kwargs):
    print("network used:", args, file=sys.stderr)
    raise OSError(101, "Network is unreachable")

socket.socket.connect = socket.socket.connect_ex = refuse
socket.create_connection = socket.getaddrinfo = refuse

from parsers import parse

record = parse(sys.stdin.buffer.read(), "image/png", "page.png")
print(json.dumps(record, ensure_ascii=False))
"""


def network_namespace() -> list[str]:
    """`unshare -rn` where it runs: the child in a network namespace of its own, no route out
    (on top of its sockets refusing to connect)."""
    try:
        subprocess.run(["unshare", "-rn", "true"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return []
    return ["unshare", "-rn"]


def test_the_png_page_is_read_offline_and_gives_its_section_three_numbers() -> None:
    png, expected, printed = png_truth()
    child = subprocess.run(
        [*network_namespace(), sys.executable, "-c", NETWORK_CUT],
        input=png, capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    stderr = child.stderr.decode(errors="replace")
    assert child.returncode == 0, stderr
    assert "network used" not in stderr
    record = json.loads(child.stdout)
    assert_read_by_ocr(record)
    found = tally(record, expected, printed)
    assert not found.wrong, f"{found}:\n" + "\n".join(found.wrong)
    assert len(found.right) >= 0.98 * len(printed), str(found)


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs)["src"] or "")


def test_the_image_page_pastes_every_scanned_page_in_order() -> None:
    source = LEAN[0]
    pdf, scan = (OUT / source).read_bytes(), scans.SCANS[source]
    title = undamaged(seed_of(source))["title"]
    html, images = scans.image_page(pdf, scan, title)
    assert scans.image_page(pdf, scan, title) == (html, images)
    found = _Images()
    found.feed(html.decode("utf-8"))
    assert found.sources == list(images) == sorted(images)
    assert len(images) == scans.page_count(pdf) and title in html.decode("utf-8")
    for data in images.values():
        image = Image.open(io.BytesIO(data))
        assert (image.format, image.mode, image.info["dpi"]) == ("JPEG", "L", (scan.dpi,) * 2)


def test_a_label_detection_misses_is_read_from_its_cell() -> None:
    # the 规章 row of section 二 on the first page of the pasted report's scan (110 dpi): the
    # detector finds no word in its label cell, whose strokes are too faint for a fixed level
    source = (OUT / "000_332b3b6b687ea38f.reportlab.pdf").read_bytes()
    scan = scans.SCANS["000_332b3b6b687ea38f.reportlab.pdf"]
    (image,) = scans.page_images(source, scan, [0])
    page = extract_scan.deskew(images.grey(Image.open(io.BytesIO(scans.jpeg(image, scan)))))
    marks = extract_scan._marked(page, (101, 1132, 404, 1164), height=26)
    assert marks is not None and marks.shape[1] < 60  # the label, not the empty cell
    ((text, confidence),) = ocr.read_lines([marks])
    assert text == "规章" and confidence >= extract_scan.SURE
