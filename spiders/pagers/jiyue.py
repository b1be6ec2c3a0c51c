"""集约化 platforms (the provinces' shared site platforms): lists a page's script fills from a
JSON endpoint, Hanweb jpaas's unit interface among them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector
from scrapy import FormRequest, Request
from scrapy.http import HtmlResponse, Response, TextResponse

from spiders.links import Anchor, OnHost, anchors_in
from spiders.pagers import Pager, sent
from spiders.pagers.scripts import PAIR, inline_scripts, script_calls

#: A script asking for data: `$.ajax({url: …})`, `$.getJSON(…)`, `$.get/post(…)`, `fetch(…)`,
#: `axios.get(…)`; the call's text up to its end follows.
ENDPOINT_CALL = re.compile(
    r"""(?:\burl\s*:\s*|\$\.getJSON\(\s*|\$\.(?:get|post)\(\s*|\bfetch\(\s*|axios\.(?:get|post)\(\s*)"""
    r"""(['"])(?P<url>[^'"\s]+)\1"""
)
#: Hanweb jpaas, the platform of several provinces' 集约化 sites: its list interface.
JPAAS_UNIT = "/api-gateway/jpaas-publish-server/front/page/build/unit"
UNIT_SIZE = 15
HTML_RECORD_COUNT = re.compile(r"""\bcount\s*=\s*\\?['"]?(\d+)""")
NOT_DATA = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|html?|shtml)$", re.IGNORECASE)
#: What a list's request names its page and its size by, and what its answer counts.
PAGE_KEYS = ("pageNo", "pageIndex", "pageNum", "page", "currentPage", "curPage", "current")
SIZE_KEYS = ("pageSize", "size", "rows", "limit", "perPage", "pagesize")
RECORD_COUNT_KEYS = ("total", "totalCount", "totalRecord", "totalRecords", "recordCount",
                     "totalElements", "totalNum", "count")  # fmt: skip
PAGE_COUNT_KEYS = ("totalPage", "totalPages", "pageCount", "pages", "pageTotal")
TITLE_KEYS = ("title", "docTitle", "articleTitle", "showTitle", "vc_title", "name", "fileName")
URL_KEYS = ("url", "link", "href", "linkUrl", "docUrl", "pubUrl", "articleUrl", "infoUrl",
            "vc_url", "fileUrl", "downloadUrl", "path")  # fmt: skip
MAX_DEPTH = 5


class JsonListPager(Pager):
    """A list page whose script fills its list from a JSON endpoint it names
    (`$.ajax({url: '/api/…', data: {columnId: …, pageNo: 1, pageSize: 15}})`, a `.json` file),
    or that Hanweb's jpaas platform fills from its unit interface (`queryData="{webId, pageId,
    tplSetId, tagId…}"` on the list's element, `…/front/page/build/unit?…&paramJson={"pageNo":
    1, "pageSize": 15}`, the list as HTML in `data.html`, its record count as `count="N"`).
    The endpoint is asked as the script asks it (GET or POST, its `data` with `var`s
    resolved), a call that pages (a page key in its data or query) or a `.json` file. The
    answer's entries are the objects holding a title and a URL (`{"title", "url"}` and the
    like) and the links of its HTML strings, at any depth; their URLs, relative as the script
    uses them, are the page's: resolved against the list page (the request's Referer), not the
    endpoint. Its further pages, from the first page's count of records or pages, are asked
    with the list page as their Referer too; the page number may sit in a parameter's JSON."""

    name = "json_list"

    def anchors(self, response: Response) -> Iterator[Anchor]:
        data = json_of(response)
        if data is None:
            return
        base = list_page_url(response)
        on_host = OnHost(base)
        for entry in entries(data):
            title = next((v for k in TITLE_KEYS if isinstance(v := entry.get(k), str)), "")
            for key in URL_KEYS:
                if isinstance(href := entry.get(key), str) and (url := on_host.url(href)):
                    yield Anchor(url, " ".join(title.split()))
        for fragment in html_fragments(data):
            yield from anchors_in(Selector(text=fragment), base)

    def pages(self, response: Response) -> Iterator[str | Request]:
        if (data := json_of(response)) is not None:
            yield from later_pages(response, data)
        elif isinstance(response, HtmlResponse):
            yield from endpoint_requests(response)
            yield from unit_requests(response)


def endpoint_requests(response: HtmlResponse) -> Iterator[Request]:
    on_host = OnHost(response.url)
    for script in inline_scripts(response):
        for call in script_calls(script, ENDPOINT_CALL):
            url = on_host.url(call.url)
            if url is None or NOT_DATA.search(urlsplit(url).path):
                continue
            form = call.data()
            query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
            key = page_key({**query, **form})
            if key is None and not urlsplit(url).path.endswith(".json"):
                continue
            if key in form:
                form[key] = first_page(form[key])
            elif key in query:
                url = with_query(url, {**query, key: first_page(query[key])})
            yield data_request(url, form, call.post, referer=response.url)


def unit_requests(response: HtmlResponse) -> Iterator[Request]:
    """jpaas lists: the unit interface asked for each `queryData` of the page, first page."""
    for query_data in response.xpath("//@querydata").getall():
        parameters = {key: quoted or bare for key, _, quoted, bare in PAIR.findall(query_data)}
        if not {"webId", "pageId"} <= parameters.keys():
            continue
        size = int(value) if (value := parameters.pop("pageSize", "")).isdigit() else UNIT_SIZE
        query = {
            "parseType": "bulidstatic",  # sic, as the platform's script spells it
            **parameters,
            "paramJson": json.dumps({"pageNo": 1, "pageSize": size}, separators=(",", ":")),
        }
        url = with_query(urljoin(response.url, JPAAS_UNIT), query)
        yield data_request(url, {}, post=False, referer=response.url)


def later_pages(response: TextResponse, data: Any) -> Iterator[Request]:
    request = response.request
    if request is None:
        return
    form, query = sent(request)
    post = request.method == "POST"
    parameters = form or query
    if (where := paging(parameters)) is None or (first := page_of(parameters, where)) > 1:
        return
    size = page_size(parameters, where) or len(list(entries(data)))
    count = page_count(data, size) or html_page_count(data, size)
    referer = list_page_url(response)
    # posted, the page is named in the query too: each page its own URL (servers read both)
    named = {**query, where[0]: parameters[where[0]]}
    for number in range(first + 1, first + count):
        url = with_query(response.url, with_page(named, where, number))
        yield data_request(url, with_page(form, where, number) if post else {}, post, referer)


#: Where a list's page number is: its parameter, and the key in the parameter's JSON object
#: when it holds one (jpaas `paramJson={"pageNo": 1, …}`), else the parameter again.
Paging = tuple[str, str]


def paging(parameters: dict[str, str]) -> Paging | None:
    if key := page_key(parameters):
        return key, key
    for name, value in parameters.items():
        if isinstance(inner := json_object(value), dict) and (key := page_key(inner)):
            return name, key
    return None


def json_object(value: str) -> Any:
    if not value.startswith("{"):
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return None


def page_of(parameters: dict[str, str], where: Paging) -> int:
    name, key = where
    value = parameters[name] if name == key else json.loads(parameters[name])[key]
    return int(value) if str(value).isdigit() else 2  # unreadable: not a first page


def page_size(parameters: dict[str, str], where: Paging) -> int:
    name, key = where
    scope = parameters if name == key else json.loads(parameters[name])
    value = next((str(scope[k]) for k in SIZE_KEYS if k in scope), "")
    return int(value) if value.isdigit() else 0


def with_page(parameters: dict[str, str], where: Paging, number: int) -> dict[str, str]:
    name, key = where
    if name == key:
        return {**parameters, key: str(number)}
    inner = {**json.loads(parameters[name]), key: number}
    return {**parameters, name: json.dumps(inner, ensure_ascii=False, separators=(",", ":"))}


def data_request(url: str, form: dict[str, str], post: bool, referer: str) -> Request:
    headers = {"Referer": referer, "X-Requested-With": "XMLHttpRequest"}
    if post:
        return FormRequest(url, formdata=form, headers=headers)
    if form:
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        url = with_query(url, {**query, **form})
    return Request(url, headers=headers)


def page_key(parameters: dict[str, str]) -> str | None:
    return next((key for key in PAGE_KEYS if key in parameters), None)


def first_page(value: str) -> str:
    return value if value in ("0", "1") else "1"


def with_query(url: str, query: dict[str, str]) -> str:
    return urlsplit(url)._replace(query=urlencode(query)).geturl()


def list_page_url(response: Response) -> str:
    """The page whose script asked for this data: where its relative URLs lead from."""
    referer = response.request.headers.get(b"Referer") if response.request else None
    return referer.decode("latin-1") if referer else response.url


def json_of(response: Response) -> Any:
    """The response's JSON, whatever its media type says (`text/html` often)."""
    if not isinstance(response, TextResponse):
        return None
    if response.body[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        return None
    try:
        return json.loads(response.text)
    except json.JSONDecodeError:
        return None


def entries(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """The objects of `data` that name a title and a URL, wherever they nest."""
    if depth > MAX_DEPTH:
        return
    if isinstance(data, dict):
        if any(isinstance(data.get(k), str) for k in TITLE_KEYS) and any(
            isinstance(data.get(k), str) for k in URL_KEYS
        ):
            yield data
        for value in data.values():
            if isinstance(value, dict | list):
                yield from entries(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from entries(value, depth + 1)


def page_count(data: Any, size: int, depth: int = 0) -> int:
    """The list's pages, as its answer counts them (pages, or records over the page size);
    0 if it does not."""
    if depth > 2 or not isinstance(data, dict):
        return 0
    for key in PAGE_COUNT_KEYS:
        if isinstance(value := data.get(key), int | str) and str(value).isdigit():
            return int(value)
    for key in RECORD_COUNT_KEYS:
        if isinstance(value := data.get(key), int | str) and str(value).isdigit() and size:
            return -(-int(value) // size)
    return max((page_count(v, size, depth + 1) for v in data.values()), default=0)


def html_page_count(data: Any, size: int) -> int:
    """The pages an HTML pager in the answer counts (`<div class="pagination" count="48">`)."""
    for fragment in html_fragments(data):
        if (match := HTML_RECORD_COUNT.search(fragment)) and size:
            return -(-int(match.group(1)) // size)
    return 1


def html_fragments(data: Any, depth: int = 0) -> Iterator[str]:
    """The answer's strings that are HTML holding links (jpaas `data.html`)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(data, str) and "<a" in data:
        yield data
    elif isinstance(data, dict | list):
        for value in data.values() if isinstance(data, dict) else data:
            yield from html_fragments(value, depth + 1)
