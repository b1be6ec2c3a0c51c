"""What a page's inline scripts ask a server for: the calls naming a URL, their data, their
method (`$.ajax({type: 'POST', url: …, data: {…}})`, `$.getJSON(…)`, `loadDynamic(…)`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from scrapy.http import HtmlResponse

#: Where a call opens, when the URL is one of its arguments' fields (`$.ajax({url: …})`).
CALL_OPENINGS = ("ajax(", "getJSON(", "get(", "post(", "fetch(", "loadDynamic(")
#: How far before its URL a call may open, and after it run.
HEAD, TAIL = 400, 1500
#: Where a call's arguments end: its callback, or its closing `})` or `);`.
CALL_END = re.compile(r"\bsuccess\b|\}\s*\)|\)\s*;")
DATA_OBJECT = re.compile(r"\b(?:data|params)\s*:\s*\{([^{}]*)\}")
PAIR = re.compile(r"""['"]?(\w+)['"]?\s*:\s*(?:(['"])(.*?)\2|([\w.-]+))""")
POST = re.compile(r"""\b(?:type|method)\s*:\s*['"]post['"]|\$\.post\(|axios\.post\(""", re.I)
VARIABLE = re.compile(r"""\b(?:var|let|const)\s+(\w+)\s*=\s*['"]?([\w.-]+)['"]?""")


@dataclass(frozen=True)
class ScriptCall:
    #: the URL as the script writes it
    url: str
    #: the call's text: from its opening through the URL up to its callback (`success`)
    text: str
    #: the script's `var`s
    variables: dict[str, str]

    @property
    def post(self) -> bool:
        return bool(POST.search(self.text))

    def data(self) -> dict[str, str]:
        """The call's `data: {…}` object, values named by a `var` resolved."""
        if (found := DATA_OBJECT.search(self.text)) is None:
            return {}
        return {
            key: self.variables.get(bare, bare) if bare else quoted
            for key, _, quoted, bare in PAIR.findall(found.group(1))
        }


def inline_scripts(response: HtmlResponse) -> list[str]:
    return response.css("script:not([src])::text").getall()


def script_calls(script: str, url: re.Pattern[str]) -> Iterator[ScriptCall]:
    """Each call of `script` whose URL matches `url` (its group `url`)."""
    variables = dict(VARIABLE.findall(script))
    for match in url.finditer(script):
        head = script[max(0, match.start() - HEAD) : match.start()]
        opening = max(head.rfind(name) for name in CALL_OPENINGS)
        opens_itself = "(" in match.group(0)
        head = "" if opens_itself or opening < 0 or "})" in head[opening:] else head[opening:]
        tail = CALL_END.split(script[match.end() : match.end() + TAIL], 1)[0]
        yield ScriptCall(match["url"], head + match.group(0) + tail, variables)
