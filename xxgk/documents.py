"""Which captures are report documents: the bytes a parser should read.

A report page whose body holds the report is a document itself; a report page that links
attachments is represented by its attachments (the page body is then only a cover note); a
report page that pastes the report as pictures is read from its images, in page order, once
every one of them was fetched (until then it is no document: its images' captures say what
failed). Each such document names its archived report page, whose metadata (索引号, 发布机构,
文号, dates) the parse service reads.

A report file linked straight from a list page or the home page is a document too: the spider
follows a file link from those pages only when its text names a report (`spiders.links`), and
captures it as an `attachment` without a report page. The same bytes linked from several pages
are one document, the one a report page links if any (it carries the page's metadata).
"""

from __future__ import annotations

from collections.abc import Iterable

from xxgk.records import Capture, Document


def select_documents(captures: Iterable[Capture]) -> list[Document]:
    captures = list(captures)
    fetched = {c.url: c for c in captures if c.sha256 and not c.error}
    documents: dict[str, Document] = {}
    for page in captures:
        if page.role == "report_page" and page.url in fetched:
            for document in page_documents(page, fetched):
                documents.setdefault(document.sha256, document)
    for capture in fetched.values():
        if capture.role == "attachment":
            assert capture.sha256 is not None
            documents.setdefault(
                capture.sha256,
                Document(
                    sha256=capture.sha256,
                    url=capture.referer or capture.url,
                    site=capture.site,
                    file_url=capture.url,
                    media_type=capture.media_type,
                    size=capture.size,
                    title=capture.title,
                    file_name=capture.file_name,
                ),
            )
    return list(documents.values())


def page_documents(page: Capture, fetched: dict[str, Capture]) -> list[Document]:
    """A fetched report page's documents: its attachments, its images, or itself."""
    assert page.sha256 is not None
    of_page = {"url": page.url, "site": page.site, "title": page.title, "page_sha256": page.sha256}
    attachments = [fetched[url] for url in page.attachments if url in fetched]
    if page.images and not attachments:
        images = [fetched.get(url) for url in page.images]
        if not all(images):
            return []
        digests = tuple(image.sha256 for image in images if image and image.sha256)
        return [
            Document(
                sha256=page.sha256,
                media_type=page.media_type,
                size=page.size,
                images=digests,
                **of_page,
            )
        ]
    sources = [(a, a.url) for a in attachments] or [(page, None)]
    return [
        Document(
            sha256=capture.sha256,
            file_url=file_url,
            media_type=capture.media_type,
            size=capture.size,
            file_name=capture.file_name,
            **of_page,
        )
        for capture, file_url in sources
        if capture.sha256
    ]
