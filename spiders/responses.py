"""What a response says about itself: headers, media type, file name, title."""

from __future__ import annotations

import re
from urllib.parse import unquote

from scrapy.http import HtmlResponse, Response

#: Leading bytes → media type, for responses that don't say (or only say octet-stream).
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xd0\xcf\x11\xe0", "application/x-ole-storage"),  # .doc/.xls/.wps
    (b"PK\x03\x04", "application/zip"),  # .docx/.xlsx/.ofd/.zip
    (b"<!DOCTYPE html", "text/html"),
    (b"<html", "text/html"),
)
UNINFORMATIVE = {"", "application/octet-stream", "application/force-download"}
RFC5987_NAME = re.compile(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", re.IGNORECASE)
PLAIN_NAME = re.compile(r'filename\s*=\s*(?:"([^"]+)"|([^;]+))', re.IGNORECASE)


def decode_header(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("gb18030", errors="replace")


def headers_dict(response: Response) -> dict[str, str]:
    return {
        decode_header(name): ", ".join(decode_header(value) for value in values)
        for name, values in response.headers.items()
    }


def media_type(response: Response) -> str | None:
    declared = decode_header(response.headers.get(b"Content-Type") or b"")
    declared = declared.split(";", 1)[0].strip().lower()
    if declared not in UNINFORMATIVE:
        return declared
    head = response.body[:64].lstrip().lower()
    return next((kind for magic, kind in MAGIC if head.startswith(magic.lower())), declared or None)


def disposition_filename(response: Response) -> str | None:
    """The file name a Content-Disposition header gives, RFC 5987 `filename*` first."""
    header = decode_header(response.headers.get(b"Content-Disposition") or b"")
    if match := RFC5987_NAME.search(header):
        charset, quoted = match.groups()
        return unquote(quoted.strip().strip('"'), encoding=charset, errors="replace")
    if match := PLAIN_NAME.search(header):
        return (match.group(1) or match.group(2)).strip() or None
    return None


def page_title(response: Response) -> str | None:
    if not isinstance(response, HtmlResponse):
        return None
    titles = response.selector.root.iter("title")
    title = " ".join(text for element in titles for text in element.itertext()).strip()
    return title or None
