"""Which captures are report documents: the bytes a parser should read.

A report page whose body holds the report is a document itself; a report page that links
attachments is represented by its attachments (the page body is then only a cover note). Each
document carries the metadata its report page prints (索引号, 发布机构, 文号, dates).
"""

from __future__ import annotations

from collections.abc import Iterable

from spiders.publication import PUBLICATION_FIELDS


def select_documents(captures: Iterable[dict]) -> list[dict]:
    captures = list(captures)
    fetched = {c["url"]: c for c in captures if c.get("sha256") and not c.get("error")}
    documents: dict[str, dict] = {}
    for page in captures:
        if page.get("role") != "report_page" or page["url"] not in fetched:
            continue
        attachments = [fetched[url] for url in page.get("attachments") or [] if url in fetched]
        publication = page.get("publication") or {}
        sources = [(a, a["url"]) for a in attachments] or [(page, None)]
        for capture, file_url in sources:
            documents.setdefault(
                capture["sha256"],
                {
                    "sha256": capture["sha256"],
                    "url": page["url"],
                    "file_url": file_url,
                    "media_type": capture.get("media_type"),
                    "size": capture.get("size"),
                    "site": page.get("site"),
                    "title": page.get("title"),
                    "file_name": capture.get("file_name"),
                    **{field: publication.get(field) for field in PUBLICATION_FIELDS},
                },
            )
    return list(documents.values())
