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

A container (a ZIP of report files) is archived as fetched and is no document itself: each
document it holds is (`unpack_containers`), stored in the archive under its own sha256, with
the container's page, title and URL. One that cannot be unpacked (too large, damaged, a RAR)
stays a document, whose parse says why (`xxgk.convert`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from posixpath import splitext
from urllib.parse import urlsplit

from parsers import ParseError
from xxgk.archive import Archive, DigestMismatch
from xxgk.convert import container_members, is_container
from xxgk.records import Capture, Document

#: What servers call a container, or say of any file; other media types are left unread.
CONTAINER_TYPES = {
    None, "application/zip", "application/x-zip-compressed", "application/x-rar-compressed",
    "application/vnd.rar", "application/x-rar", "application/octet-stream",
}  # fmt: skip


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


def unpack_containers(documents: Iterable[Document], archive: Archive) -> list[Document]:
    """The documents, each container among them replaced by the documents it holds."""
    unpacked: dict[str, Document] = {}
    for document in documents:
        for found in members(document, archive) or [document]:
            unpacked.setdefault(found.sha256, found)
    return list(unpacked.values())


def members(document: Document, archive: Archive) -> list[Document]:
    named = splitext(urlsplit(document.file_url or "").path)[1].lower() in (".zip", ".rar")
    if document.images or not (named or document.media_type in CONTAINER_TYPES):
        return []
    try:
        data = archive.get(document.sha256)
    except (DigestMismatch, FileNotFoundError):
        return []  # its parse says so
    if not is_container(data):
        return []
    try:
        held = container_members(data)
    except ParseError:
        return []
    return [
        replace(document, sha256=archive.put(body), size=len(body), media_type=None, file_name=name)
        for name, body in held
    ]
