"""Hanweb (大汉) 信息公开 module: lists drawn by `search.jsp` into the page, category trees in
an iframe (`tree.jsp`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from scrapy import FormRequest, Request
from scrapy.http import HtmlResponse, Response

from spiders.links import Anchor, on_host_url
from spiders.pagers import Pager, sent, text_of
from spiders.pagers.scripts import inline_scripts, script_calls

#: The module's list endpoints: the directory's search, a theme's, a service's.
XXGK_LIST = re.compile(r"/module/xxgk/(?:search|subjectinfo|serviceinfo)\.jsp$")
XXGK_LIST_URL = re.compile(
    r"""(['"])(?P<url>[^'"\s]*/module/xxgk/(?:search|subjectinfo|serviceinfo)\.jsp[^'"\s]*)\1"""
)
XXGK_TREE = re.compile(r"/module/xxgk/tree\.jsp$")
#: `loadDynamic(url, divid, …)`, the module's own loader.
LOAD_DYNAMIC_DIV = re.compile(r"""loadDynamic\(\s*(['"])[^'"]*\1[^,]*,\s*['"](\w+)['"]""")
#: A tree node: `funclick('A0901', …)` in its link (or in script writing it), then its label.
TREE_NODE = re.compile(
    r"""funclick\(\s*\\?['"]([\w.-]+)\\?['"][^)]*\)[^<>]{0,80}>\s*([^<]{1,60})"""
)
#: What a node's label ends with: how many documents it holds (`政府信息公开年报(15)`).
NODE_COUNT = re.compile(r"\s*[(（]\d+[)）]$")
TREE_PARAMETER = re.compile(r"""\b(jdid|webid|area|divid)\b['"]?\s*[:=]\s*['"]([\w-]+)['"]""")
#: The fragment's pager: 共 3 页, 共<span>3</span>页, `totalpage = 3`.
PAGE_COUNT = re.compile(
    r"共(?:\s|&nbsp;|<[^>]+>)*(\d+)(?:\s|&nbsp;|<[^>]+>)*页|\btotal_?page\w*\s*[:=]\s*['\"]?(\d+)",
    re.IGNORECASE,
)
CURRENT_PAGE = "currpage"


class HanwebXxgkPager(Pager):
    """Hanweb's 信息公开 module (`/module/xxgk/`). A column page draws its list by POSTing
    `search.jsp` (`$.ajax` or `loadDynamic`) the column's parameters (`infotypeId`, `jdid`,
    `area`, `divid`, …); the answer is an HTML fragment of rows and a pager counting its pages
    (共 N 页), each asked for by `currpage=N`, in the query and the form, as the module's script
    does. Its categories (years, units) are a tree in an iframe (`tree.jsp?area=…&divid=…`,
    followed by the spider as part of its page) whose nodes call `funclick(infotypeId)`: each
    node lists by `search.jsp` with that id and the tree's parameters. In a list page's tree
    the nodes are the list's sub-columns (`columns`); in a whole directory's tree they are
    entries titled by their labels, among which the spider picks the report column."""

    name = "hanweb_xxgk"

    def anchors(self, response: Response) -> Iterator[Anchor]:
        if is_tree(response) and response.meta.get("role") != "listing":
            yield from (Anchor(url, label) for url, label in tree_nodes(response))

    def columns(self, response: Response) -> Iterator[Anchor]:
        if is_tree(response) and response.meta.get("role") == "listing":
            yield from (Anchor(url, label) for url, label in tree_nodes(response))

    def pages(self, response: Response) -> Iterator[str | Request]:
        if not isinstance(response, HtmlResponse) or is_tree(response):
            return
        if XXGK_LIST.search(urlsplit(response.url).path):
            yield from later_pages(response)
        else:
            yield from first_pages(response)


def is_tree(response: Response) -> bool:
    return isinstance(response, HtmlResponse) and bool(
        XXGK_TREE.search(urlsplit(response.url).path)
    )


def first_pages(response: HtmlResponse) -> Iterator[Request]:
    """The first page of each list the page's scripts ask the module for."""
    for script in inline_scripts(response):
        for call in script_calls(script, XXGK_LIST_URL):
            if (url := on_host_url(response.url, call.url)) is None:
                continue
            form = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)) | call.data()
            if division := LOAD_DYNAMIC_DIV.search(call.text):
                form.setdefault("divid", division.group(2))
            yield list_page(url, form, 1, post=True)


def later_pages(response: HtmlResponse) -> Iterator[Request]:
    """From a list's first page, its other pages: the same parameters, `currpage` counted on."""
    request = response.request
    if request is None:
        return
    form, query = sent(request)
    post = request.method == "POST"
    if (form.get(CURRENT_PAGE) or query.get(CURRENT_PAGE) or "1") != "1":
        return
    match = PAGE_COUNT.search(text_of(response))
    total = int(match.group(1) or match.group(2)) if match else 1
    for number in range(2, total + 1):
        yield list_page(response.url, form or query, number, post)


def list_page(url: str, parameters: dict[str, str], number: int, post: bool) -> Request:
    parts = urlsplit(url)
    query = {**dict(parse_qsl(parts.query, keep_blank_values=True)), CURRENT_PAGE: str(number)}
    target = parts._replace(query=urlencode(query)).geturl()
    if not post:
        return Request(target)
    return FormRequest(target, formdata={**parameters, CURRENT_PAGE: str(number)})


def tree_nodes(response: HtmlResponse) -> list[tuple[str, str]]:
    """Each node's list (`search.jsp` with its `infotypeId` and the tree's parameters) and label."""
    text = text_of(response)
    parameters = dict(parse_qsl(urlsplit(response.url).query)) | dict(TREE_PARAMETER.findall(text))
    parameters.pop("rootName", None)
    found: dict[str, str] = {}
    for node, label in TREE_NODE.findall(text):
        found.setdefault(node, NODE_COUNT.sub("", " ".join(label.split())))
    search = urljoin(response.url, "search.jsp")
    return [
        (f"{search}?{urlencode({**parameters, 'infotypeId': node, CURRENT_PAGE: 1})}", label)
        for node, label in found.items()
    ]
