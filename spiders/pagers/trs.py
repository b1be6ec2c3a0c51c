"""TRS WCM (拓尔思): pagers written in script by `createPageHTML`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from scrapy.http import Response

from spiders.pagers import Pager, text_of

CREATE_PAGE_HTML = re.compile(r"createPageHTML\(([^()]*)\)")
SCRIPT_VARIABLE = re.compile(r"\bvar\s+(\w+)\s*=\s*['\"]?([\w.-]+)['\"]?")


class TrsCreatePageHtmlPager(Pager):
    """TRS WCM lists write their pager in script, `createPageHTML(count, current, "index",
    "html")` or `createPageHTML("div", count, current, "index", "shtml", records)`, arguments
    as literals or `var`s (`var countPage = 3`): pages index.html, index_1.html …
    index_{count-1}.html, the current page counted from 0. Where the first page says it is
    page 1, the pages are numbered from 1: index.html, index_2.html … index_{count}.html.

    Only a list's first page (not itself an `index_N` page) is expanded: a later page can't
    tell which of the two numberings it is in, and the first page gave all pages already."""

    name = "trs"

    def pages(self, response: Response) -> Iterator[str]:
        text = text_of(response)
        variables = dict(SCRIPT_VARIABLE.findall(text))
        for match in CREATE_PAGE_HTML.finditer(text):
            arguments = [argument.strip(" \t\n'\"") for argument in match.group(1).split(",")]
            arguments = [variables.get(argument, argument) for argument in arguments]
            if len(arguments) == 6:  # element id first, record count last
                arguments = arguments[1:5]
            if len(arguments) != 4 or not arguments[0].isdigit():
                continue
            count, current, name, extension = arguments
            if re.search(rf"/{re.escape(name)}_\d+\.{re.escape(extension)}$", response.url):
                continue
            first = 1 if current == "1" else 0
            yield urljoin(response.url, f"{name}.{extension}")
            for number in range(first + 1, first + int(count)):
                yield urljoin(response.url, f"{name}_{number}.{extension}")
