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
#: Where portals put the article, the first that holds text (the spider asks here too)
ARTICLE_CONTAINERS = (
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
MAX_GRID = 200_000  # cells all of a page's tables may expand to; a report's hold some 300
# tags that only style text: old CMS output leaves thousands of <font> unclosed, nested
_STYLE_TAGS = re.compile(
    r"</?(?:font|span|b|i|u|s|em|strong|small|big|strike|sub|sup|o:p)\b[^<>]*>", re.IGNORECASE
)


def html_text(data: bytes) -> str:
    """The page's text, decoded by the charset it declares (see `text.decode`)."""
    return decode(data)


def extract(data: bytes) -> list[Block]:
    document = parse_html(_XML_DECLARATION.sub("", html_text(data)))
    container = _container(document)
    blocks: list[Block] = []
    if container is not document.body:
        blocks += _headings_outside(document, container)
    _Walker(blocks).walk(container)
    return blocks


def parse_html(markup: str) -> lxml.html.HtmlElement:
    """The page's element tree, however deep (libxml2 stops at 256 levels, or 2,048 with
    `huge_tree`, and drops what is deeper): nested beyond that, it is parsed again without the
    tags that only style text, which the text and tables do not need."""
    for attempt in (markup, _STYLE_TAGS.sub("", markup)):
        parser = lxml.html.HTMLParser(huge_tree=True)
        try:
            document = lxml.html.document_fromstring(attempt, parser=parser)
        except (etree.ParserError, ValueError) as error:
            raise ParseError("corrupt", f"unreadable HTML: {error}") from error
        if not any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log):
            return document
    raise ParseError("too_complex", "HTML nested deeper than 2,048 elements")


def _container(document: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    for xpath in ARTICLE_CONTAINERS:
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
    """Paragraphs and tables in document order, walked with a stack of its own (a page may nest
    deeper than Python recurses)."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.buffer: list[str] = []
        self.cells = 0

    def walk(self, root: lxml.html.HtmlElement) -> None:
        # an element, then its end, its children between (pushed reversed: popped in order)
        stack: list[tuple[etree._Element, bool]] = [(root, False)]
        while stack:
            element, ended = stack.pop()
            tag = element.tag.lower() if isinstance(element.tag, str) else ""
            if ended:
                if tag in _BLOCK:
                    self._flush()
            elif tag == "table" and not element.xpath(".//table"):
                self._flush()
                self.blocks.append(self._table(element))
            elif tag and tag not in _SKIP:
                if tag in _BLOCK or tag == "br":
                    self._flush()
                self.buffer.append(element.text or "")
                stack.append((element, True))
                stack.extend((child, False) for child in reversed(element))
                continue
            if element.tail:
                self.buffer.append(element.tail)
        self._flush()

    def _table(self, element: lxml.html.HtmlElement) -> Table:
        table = _grid(element, MAX_GRID - self.cells)
        self.cells += sum(len(row) for row in table)
        return table

    def _flush(self) -> None:
        text = "".join(self.buffer).strip()
        self.buffer.clear()
        if text:
            self.blocks.append(text)


def _grid(table: lxml.html.HtmlElement, budget: int) -> Table:
    """The table's grid, spans expanded; ParseError when it would hold over `budget` cells."""
    grid: dict[tuple[int, int], str] = {}
    rows = table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row.xpath("./td | ./th"):
            while (r, c) in grid:
                c += 1
            text = _cell_text(cell)
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            rowspan = min(rowspan, len(rows) - r)
            width = max(width, c + colspan)
            if len(grid) + rowspan * colspan > budget or len(rows) * width > budget:
                raise ParseError("too_large", f"tables expand to over {MAX_GRID} cells")
            for dr in range(rowspan):
                for dc in range(colspan):
                    origin = dr == 0 and dc == 0
                    grid[r + dr, c + dc] = text if origin else covered(text, below=dc == 0)
            c += colspan
    return [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _cell_text(cell: lxml.html.HtmlElement) -> str:
    return " ".join(_inner_text(cell).split())


def _inner_text(element: etree._Element) -> str:
    parts = [element.text or ""]
    stack = [(child, False) for child in reversed(element)]  # as `_Walker.walk`
    while stack:
        node, ended = stack.pop()
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if tag and tag not in _SKIP:
            separator = " " if tag in _BLOCK or tag == "br" else ""
            if not ended:
                parts += [separator, node.text or ""]
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node))
                continue
            parts.append(separator)
        parts.append(node.tail or "")
    return "".join(parts)


def _span(cell: lxml.html.HtmlElement, attribute: str) -> int:
    value = re.match(r"\s*(\d+)", cell.get(attribute, ""))
    return max(1, min(int(value.group(1)), _MAX_SPAN)) if value else 1
