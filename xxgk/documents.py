"""Which captures are report documents: the bytes a parser should read.

A report page whose body holds the report is a document itself; a report page that links
attachments is represented by its attachments (the page body is then only a cover note). Each
document names its archived report page, whose metadata (索引号, 发布机构, 文号, dates) the
parse service reads.
"""

from __future__ import annotations

from collections.abc import Iterable

from xxgk.records import Capture, Document


def select_documents(captures: Iterable[Capture]) -> list[Document]:
    captures = list(captures)
    fetched = {c.url: c for c in captures if c.sha256 and not c.error}
    documents: dict[str, Document] = {}
    for page in captures:
        if page.role != "report_page" or page.url not in fetched:
            continue
        attachments = [fetched[url] for url in page.attachments if url in fetched]
        sources = [(a, a.url) for a in attachments] or [(page, None)]
        for capture, file_url in sources:
            assert capture.sha256 is not None
            documents.setdefault(
                capture.sha256,
                Document(
                    sha256=capture.sha256,
                    url=page.url,
                    site=page.site,
                    file_url=file_url,
                    media_type=capture.media_type,
                    size=capture.size,
                    title=page.title,
                    file_name=capture.file_name,
                    page_sha256=page.sha256,
                ),
            )
    return list(documents.values())
