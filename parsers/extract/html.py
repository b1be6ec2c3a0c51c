"""HTML pages: the article's paragraphs and tables, rowspan/colspan expanded into the grid."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from parsers.errors import ParseError
from parsers.extract.blocks import Block, Table
from parsers.extract.grid import covered
from parsers.extract.text import decode

_SITE_SUFFIX = re.compile(r"\s*[_|｜]\s*|\s+-\s+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_CONTAINERS = (
    "//*[@id='zoom']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article ')]",
    "//article",
    "//*[@id='content']",
)
_SKIP = {"script", "style", "head", "noscript", "template", "iframe", "select", "button"}
_BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
    "header", "footer", "blockquote", "pre", "tr", "td", "th", "dd", "dt", "center", "form",
}  # fmt: skip
_MAX_SPAN = 1000


def html_text(data: bytes) -> str:
    """The page's text, decoded by the charset it declares (see `text.decode`)."""
    return decode(data)


def extract(data: bytes) -> list[Block]:
    markup = _XML_DECLARATION.sub("", html_text(data))
    try:
        document = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as error:
        raise ParseError("corrupt", f"unreadable HTML: {error}") from error
    container = _container(document)
    blocks: list[Block] = []
    if container is not document.body:
        blocks += _headings_outside(document, container)
    _Walker(blocks).walk(container)
    return blocks


def _container(document: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for xpath in _CONTAINERS:
        for element in document.xpath(xpath):
            if element.text_content().strip():
                return element
    return document.body if document.body is not None else document


def _headings_outside(
    document: lxml.html.HtmlElement, container: lxml.html.HtmlElement
) -> list[Block]:
    """The page's headings outside the article (its title is often there), the <title> without
    the site name that portals append."""
    inside = set(container.iter())
    headings = [
        element.text_content().strip()
        for element in document.iter("h1", "h2", "h3")
        if element not in inside
    ]
    headings += [
        _SITE_SUFFIX.split(element.text_content())[0] for element in document.iter("title")
    ]
    return [heading.strip() for heading in headings if heading.strip()]


class _Walker:
    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.buffer: list[str] = []

    def walk(self, element: lxml.html.HtmlElement) -> None:
        self._element(element)
        self._flush()

    def _flush(self) -> None:
        text = "".join(self.buffer).strip()
        self.buffer.clear()
        if text:
            self.blocks.append(text)

    def _element(self, element: etree._Element) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag == "table" and not element.xpath(".//table"):
            self._flush()
            self.blocks.append(_grid(element))
        elif tag and tag not in _SKIP:
            if tag in _BLOCK or tag == "br":
                self._flush()
            self.buffer.append(element.text or "")
            for child in element:
                self._element(child)
            if tag in _BLOCK:
                self._flush()
        if element.tail:
            self.buffer.append(element.tail)


def _grid(table: lxml.html.HtmlElement) -> Table:
    grid: dict[tuple[int, int], str] = {}
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    for r, row in enumerate(rows):
        c = 0
        for cell in row.xpath("./td | ./th"):
            while (r, c) in grid:
                c += 1
            text = _cell_text(cell)
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(min(rowspan, len(rows) - r)):
                for dc in range(colspan):
                    origin = dr == 0 and dc == 0
                    grid[r + dr, c + dc] = text if origin else covered(text, below=dc == 0)
            c += colspan
    width = max((c for _, c in grid), default=-1) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _cell_text(cell: lxml.html.HtmlElement) -> str:
    return " ".join(_inner_text(cell).split())


def _inner_text(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag and tag not in _SKIP:
            separator = " " if tag in _BLOCK or tag == "br" else ""
            parts += [separator, _inner_text(child), separator]
        parts.append(child.tail or "")
    return "".join(parts)


def _span(cell: lxml.html.HtmlElement, attribute: str) -> int:
    value = re.match(r"\s*(\d+)", cell.get(attribute, ""))
    return max(1, min(int(value.group(1)), _MAX_SPAN)) if value else 1
