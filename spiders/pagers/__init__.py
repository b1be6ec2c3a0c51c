"""Paging adapters: given a list page, its entries and the requests for its other pages.

Each site system pages its lists its own way; an adapter (a module per system) is a small class
detecting its system from the page itself. The spider runs every adapter named in the
`XXGK_PAGERS` setting on each navigation page, follows the union of their `anchors`, follows
their `columns` as report columns and, on list pages, their `pages`. What each finds is
captured with its `name` as `found_by`; a list page several find is named for the last of them
in `XXGK_PAGERS`, whose pagers any system may use come first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit

from scrapy import Request
from scrapy.http import Response, TextResponse

from spiders.links import Anchor


class Pager:
    #: What the captures of the URLs it finds record as `found_by` (`xxgk.records.Capture`).
    name: ClassVar[str] = "pager"

    def anchors(self, response: Response) -> Iterator[Anchor]:
        """Entries the page holds where HTML links don't show them (script data, JSON)."""
        return iter(())

    def columns(self, response: Response) -> Iterator[Anchor]:
        """Report columns the page names in its system's own structure (a category tree in
        script data), each to be listed whatever its text says (a year, a unit)."""
        return iter(())

    def pages(self, response: Response) -> Iterator[str | Request]:
        """The list's other pages, as URLs to GET or ready requests."""
        raise NotImplementedError


def column_directory(url: str) -> str:
    path = urlsplit(url).path
    return path[: path.rfind("/") + 1]


def text_of(response: Response) -> str:
    return response.text if isinstance(response, TextResponse) else ""


def sent(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """What a request sent: its form (a POST's body) and its URL's query."""
    post = request.method == "POST"
    form = dict(parse_qsl(request.body.decode("latin-1"), keep_blank_values=True)) if post else {}
    return form, dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
