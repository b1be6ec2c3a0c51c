"""Hostile and odd input: each costs bounded time and memory, and gives its record or its kind,
never a wrong number."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import ParseError, parse
from parsers.cells import cell_numbers
from parsers.extract import html, sniff
from parsers.extract.pdf import MAX_INFLATED
from parsers.rows import split_row
from tests.fixtures.make_official import OUT as OFFICIAL
from tests.fixtures.parser.compare import differences, load_expected
from tests.fixtures.parser.make_fixtures import MEDIA_TYPES, RENDERERS
from tests.fixtures.render.blocks import SEEDS, load_seed, text_blocks
from tests.fixtures.render.pages import report_page
from tests.fixtures.render.pdfdoc import inflating_pdf, raw_pdf
from tests.limits import measured
from tests.test_parsers_official import undamaged

NAME = "000_332b3b6b687ea38f"  # a 2019 report: 行政强制 46 6 47
SECONDS = 3.0
PEAK_BYTES = 64 * 1024 * 1024


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """The parser's modules loaded (scipy: some 0.6 s), for the times to be the parse's."""
    parse((SEEDS / f"{NAME}.txt").read_bytes(), None, "report.txt")


def _seed_text(old: str, new: str) -> str:
    text = (SEEDS / f"{NAME}.txt").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


def test_a_row_with_more_numbers_than_columns_is_not_searched() -> None:
    """22 numbers for 7 columns were C(22, 7) = 170,544 placements, each with its solves."""
    numbers = "\t".join(str(n % 5) for n in range(22))
    text = _seed_text("1.属于国家秘密\t\t0\t0\t0\t0\t0\t0", f"1.属于国家秘密\t\t{numbers}")
    record, seconds, peak = measured(lambda: parse(text.encode(), None, "report.txt"))
    assert isinstance(record, dict)
    assert seconds < SECONDS and peak < PEAK_BYTES
    # which 7 of the 22 are the row's is anyone's guess: none is placed, the identities fill in
    assert not differences(record, load_expected(NAME) | {"cell_status": record["cell_status"]})
    assert record["cell_status"]["applications.denied_state_secret.natural_person"] == "inferred"


@pytest.mark.parametrize("word", ["无", "0件", "/", "—", "－", ""])
@pytest.mark.parametrize("fmt", ["txt", *sorted(RENDERERS)])
def test_a_zero_word_in_a_number_cell_keeps_the_row_in_place(fmt: str, word: str) -> None:
    text = _seed_text("行政强制\t46\t6\t47", f"行政强制\t46\t{word}\t47")
    data = text.encode() if fmt == "txt" else RENDERERS[fmt](text_blocks(text))
    record = parse(data, MEDIA_TYPES.get(fmt, "text/plain"), f"report.{fmt}")
    change = 0 if word in ("无", "0件") else None
    assert record["active_disclosure"]["enforcement"] == {
        "prev_year_items": 46,
        "change": change,
        "decisions": 47,
    }


_WORDS = st.text(
    st.characters(whitelist_categories=("Lo", "Ll", "Lu", "Po")), min_size=1, max_size=6
).filter(lambda word: cell_numbers(word) is None)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(-99, 99999), min_size=2, max_size=9),
    st.integers(0, 8),
    _WORDS,
    st.sampled_from(["无", "暂无", "0件", "/", "—", "－", "", "不涉及"]),
)
def test_a_word_where_a_number_belongs_never_moves_a_number(
    numbers: list[int], at: int, word: str, zero_word: str
) -> None:
    """Any word after the row's first number, and a word for none or a blank anywhere (a word
    right after the label may be the label's: '(三)不予公开 | 1.属于国家秘密')."""
    for filler, where in ((word, 1 + at % (len(numbers) - 1)), (zero_word, at % len(numbers))):
        cells = [str(number) for number in numbers]
        cells[where] = filler
        row = split_row(["行政强制", *cells])
        for position, cell in zip(row.positions, row.cells, strict=True):
            assert cell == tuple(cell_numbers(cells[position]) or ())
        if where < len(cells) - 1 or filler is zero_word:  # words after all: a header's
            assert list(row.positions) == [p for p, cell in enumerate(cells) if cell_numbers(cell)]


def test_html_spans_are_bounded_in_total() -> None:
    cells = '<td colspan="1000" rowspan="1000">1</td>' * 20
    page = f"<html><body><table>{f'<tr>{cells}</tr>' * 20}</table></body></html>".encode()
    error, seconds, peak = measured(lambda: parse(page, None, "report.html"))
    assert isinstance(error, ParseError) and error.kind == "too_large"
    assert seconds < SECONDS and peak < PEAK_BYTES


@pytest.mark.parametrize("depth", [300, 5000])
def test_a_report_under_deep_unclosed_tags_is_read_whole(depth: int) -> None:
    page = report_page(load_seed(NAME).blocks)
    body = page.index(b">", page.index(b"<body")) + 1
    deep = page[:body] + b'<font size="3">' * depth + page[body:]
    record, seconds, _ = measured(lambda: parse(deep, None, "report.html"))
    assert isinstance(record, dict), record
    assert not differences(record, load_expected(NAME))
    assert seconds < SECONDS


def test_markup_nested_too_deep_is_too_complex() -> None:
    with pytest.raises(ParseError) as raised:
        html.extract(b"<html><body>" + b"<div>" * 5000 + b"x</body></html>")
    assert raised.value.kind == "too_complex"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_text_with_a_bom_is_decoded(codec: str) -> None:
    data = (SEEDS / f"{NAME}.txt").read_text(encoding="utf-8").encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    assert not differences(parse(data, None, "report.txt"), load_expected(NAME))


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_markup_with_a_bom_is_read_as_html(codec: str) -> None:
    page = (OFFICIAL / f"{NAME}.utf-8.html").read_text(encoding="utf-8").encode(codec)
    assert sniff(page) == "html"
    assert not differences(parse(page, None, "report.html"), undamaged(NAME))


def test_a_pdf_whose_streams_inflate_to_gigabytes_is_refused_in_bounded_memory() -> None:
    bomb = inflating_pdf(MAX_INFLATED + (64 << 20))
    assert len(bomb) < 1 << 20
    error, seconds, peak = measured(lambda: parse(bomb, None, "report.pdf"))
    assert isinstance(error, ParseError) and error.kind == "too_large"
    assert seconds < SECONDS and peak < PEAK_BYTES


@pytest.mark.parametrize(
    "pages",
    [b"<< /Type /Pages /Kids [] /Count 0 >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"],
    ids=["no-pages", "page-tree-in-itself"],
)
def test_a_pdf_without_a_readable_page_is_corrupt(pages: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        parse(raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", pages]), None, "report.pdf")
    assert raised.value.kind == "corrupt"
