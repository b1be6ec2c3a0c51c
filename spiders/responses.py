"""What a response says about itself: headers, media type, file name, title."""

from __future__ import annotations

import re
from urllib.parse import unquote, unquote_to_bytes

from scrapy.http import HtmlResponse, Response

from parsers.extract import sniff_media_type
from parsers.extract.text import decode

UNINFORMATIVE = {"", "application/octet-stream", "application/force-download"}
RFC5987_NAME = re.compile(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", re.IGNORECASE)
PLAIN_NAME = re.compile(r'filename\s*=\s*(?:"([^"]+)"|([^;]+))', re.IGNORECASE)


def headers_dict(response: Response) -> dict[str, str]:
    return {
        decode(name): ", ".join(decode(value) for value in values)
        for name, values in response.headers.items()
    }


def media_type(response: Response) -> str | None:
    declared = decode(response.headers.get(b"Content-Type") or b"")
    declared = declared.split(";", 1)[0].strip().lower()
    if declared not in UNINFORMATIVE:
        return declared
    return sniff_media_type(response.body) or declared or None


def disposition_filename(response: Response) -> str | None:
    """The file name a Content-Disposition header gives, RFC 5987 `filename*` first."""
    header = decode(response.headers.get(b"Content-Disposition") or b"")
    if match := RFC5987_NAME.search(header):
        charset, quoted = match.groups()
        return unquote(quoted.strip().strip('"'), encoding=charset, errors="replace")
    if match := PLAIN_NAME.search(header):
        name = (match.group(1) or match.group(2)).strip()
        # percent-encoded as JSP downloads send it (`URLEncoder.encode(name, "UTF-8")`)
        return (decode(unquote_to_bytes(name)) if "%" in name else name) or None
    return None


def page_title(response: Response) -> str | None:
    if not isinstance(response, HtmlResponse):
        return None
    titles = response.selector.root.iter("title")
    title = " ".join(text for element in titles for text in element.itertext()).strip()
    return title or None
