import pickle
from pathlib import Path

from tests.fixtures.render.worddoc import render_docx
from tests.test_convert import zipped
from xxgk.archive import LocalArchive
from xxgk.documents import select_documents, unpack_containers
from xxgk.parsing import ParseService
from xxgk.records import Capture, Document, Error, Role

SITE = "http://portal.test/"


def capture(url: str, role: Role, sha: str | None, **extra) -> Capture:
    return Capture(url=url, site=SITE, role=role, status=200, sha256=sha, **extra)


def test_inline_report_page_is_its_own_document() -> None:
    page = capture("http://portal.test/a.html", "report_page", "a" * 64, title="2020年报告")
    [document] = select_documents([page])
    assert (document.url, document.file_url, document.sha256) == (page.url, None, "a" * 64)
    assert document.title == "2020年报告"
    assert document.page_sha256 == "a" * 64  # the page is read for its metadata too


def test_attachments_replace_the_cover_page_and_repeat_bytes_are_one_document() -> None:
    page = capture(
        "http://portal.test/b.html",
        "report_page",
        "b" * 64,
        attachments=["http://portal.test/b.pdf", "http://portal.test/b-copy.pdf"],
    )
    pdf = capture("http://portal.test/b.pdf", "attachment", "c" * 64, file_name="报告.pdf")
    copy = capture("http://portal.test/b-copy.pdf", "attachment", "c" * 64)
    [document] = select_documents([page, pdf, copy])
    assert (document.url, document.file_url) == (page.url, pdf.url)
    assert document.file_name == "报告.pdf"
    assert document.page_sha256 == "b" * 64  # the cover page, whose metadata it carries


def test_failed_fetches_and_other_pages_are_not_documents() -> None:
    missing = capture(
        "http://portal.test/404.html",
        "report_page",
        "d" * 64,
        error=Error("http_404", "Not Found"),
    )
    listing = capture("http://portal.test/list.html", "listing", "e" * 64)
    assert select_documents([missing, listing]) == []


def test_a_page_whose_attachments_all_failed_is_parsed_itself() -> None:
    page = capture(
        "http://portal.test/f.html",
        "report_page",
        "5" * 64,
        attachments=["http://portal.test/f.pdf"],
    )
    failed = Capture(
        url="http://portal.test/f.pdf", site=SITE, role="attachment", error=Error("timeout", "")
    )
    [document] = select_documents([page, failed])
    assert (document.sha256, document.file_url) == ("5" * 64, None)


def test_a_report_file_linked_straight_from_a_list_or_home_page_is_a_document() -> None:
    listing = capture("http://portal.test/nb/", "listing", "1" * 64)
    from_list = capture(
        "http://portal.test/nb/2022.pdf",
        "attachment",
        "2" * 64,
        referer=listing.url,
        title="某县2022年政府信息公开工作年度报告",
        media_type="application/pdf",
    )
    from_home = capture("http://portal.test/2021.pdf", "attachment", "3" * 64, referer=SITE)
    documents = select_documents([listing, from_list, from_home])
    assert [(d.sha256, d.url, d.file_url, d.page_sha256) for d in documents] == [
        ("2" * 64, listing.url, from_list.url, None),
        ("3" * 64, SITE, from_home.url, None),
    ]
    assert documents[0].title == from_list.title
    assert documents[0].media_type == "application/pdf"


def test_a_file_linked_from_several_pages_is_one_document_its_report_page_s() -> None:
    listed = capture("http://portal.test/nb/copy.pdf", "attachment", "c" * 64, referer=SITE)
    page = capture(
        "http://portal.test/nb/1.html",
        "report_page",
        "b" * 64,
        title="2022年报告",
        attachments=["http://portal.test/nb/1.pdf"],
    )
    attached = capture("http://portal.test/nb/1.pdf", "attachment", "c" * 64)
    [document] = select_documents([listed, page, attached])
    assert (document.url, document.file_url, document.page_sha256) == (
        page.url, attached.url, page.sha256
    )  # fmt: skip


PAGE_IMAGES = [f"http://portal.test/u/{n}.jpg" for n in (3, 1, 2)]  # page order, not sorted


def pasted_page_captures() -> list[Capture]:
    page = capture(
        "http://portal.test/nb/2.html", "report_page", "9" * 64, images=PAGE_IMAGES, title="报告"
    )
    images = [
        capture(url, "page_image", str(n) * 64, report_page_url=page.url)
        for n, url in enumerate(PAGE_IMAGES, start=4)
    ]
    return [page, *reversed(images)]  # fetched in any order


def test_a_report_page_of_pictures_is_one_document_of_its_images_in_page_order() -> None:
    [document] = select_documents(pasted_page_captures())
    assert (document.sha256, document.file_url, document.page_sha256) == ("9" * 64, None, "9" * 64)
    assert document.images == ("4" * 64, "5" * 64, "6" * 64)


def test_a_report_page_of_pictures_is_no_document_until_every_image_arrived() -> None:
    page, *images = pasted_page_captures()
    images[0] = Capture(
        url=images[0].url, site=SITE, role="page_image", error=Error("http_404", "Not Found")
    )
    assert select_documents([page, *images]) == []
    assert select_documents([page, *images[1:]]) == []


def test_the_capture_log_carries_the_page_images_and_reads_old_lines() -> None:
    page = pasted_page_captures()[0]
    assert Capture.from_log(page.to_log()) == page
    old_line = {k: v for k, v in page.to_log().items() if k != "images"}
    assert Capture.from_log(old_line).images == []


def test_an_image_missing_from_the_archive_is_archive_missing(tmp_path: Path) -> None:
    archive = LocalArchive(tmp_path)
    page = archive.put(b"<html><body><img src='/u/1.jpg'></body></html>")
    document = Document(
        sha256=page, url=SITE, site=SITE, page_sha256=page, images=(archive.put(b"1"), "0" * 64)
    )
    result = ParseService(workers=0).parse_document(archive, document)
    assert result.error is not None and result.error.kind == "archive_missing"


def test_values_pickled_before_the_page_images_unpickle_without_them() -> None:
    """As pickle restores them: a Dagster asset value kept before `images` was a field."""
    document = Document(sha256="a" * 64, url=SITE, site=SITE, images=("b" * 64,))
    assert pickle.loads(pickle.dumps(document)) == document
    old_document = Document.__new__(Document)
    old_document.__setstate__(document.__getstate__()[:-1])  # type: ignore[attr-defined]
    assert old_document == Document(sha256="a" * 64, url=SITE, site=SITE)
    page = pasted_page_captures()[0]
    assert pickle.loads(pickle.dumps(page)) == page
    _, slots = page.__reduce_ex__(2)[2]  # type: ignore[index]
    old_page = Capture.__new__(Capture)
    old_page.__setstate__((None, {k: v for k, v in slots.items() if k != "images"}))
    assert old_page.images == [] and old_page.url == page.url


def test_a_zip_of_reports_becomes_the_documents_it_holds_and_stays_archived(
    tmp_path: Path,
) -> None:
    archive = LocalArchive(tmp_path)
    pdf, txt = b"%PDF-1.4 report", "一、总体情况".encode("gbk")
    container = zipped(
        {"温县2022年年报.pdf": pdf, "附件/洛宁县2020年年报.txt": txt, "封面.jpg": b""}
    )
    sha = archive.put(container)
    page = capture("http://portal.test/nb/3.html", "report_page", "3" * 64, title="年报")
    page.attachments = ["http://portal.test/u/cms/nb.zip"]
    attached = capture(page.attachments[0], "attachment", sha, media_type="application/zip")
    documents = unpack_containers(select_documents([page, attached]), archive)
    assert [(d.file_name, archive.get(d.sha256)) for d in documents] == [
        ("温县2022年年报.pdf", pdf),
        ("附件/洛宁县2020年年报.txt", txt),
    ]
    assert {(d.url, d.file_url, d.page_sha256) for d in documents} == {
        (page.url, attached.url, page.sha256)
    }
    assert archive.get(sha) == container


def test_what_is_no_container_or_cannot_be_unpacked_stays_one_document(tmp_path: Path) -> None:
    archive = LocalArchive(tmp_path)
    docx = archive.put(render_docx(["温县2022年政府信息公开工作年度报告"]))
    damaged = archive.put(zipped({"年报.pdf": b"%PDF"}).replace(b"PK\x01\x02", b"PK\x00\x00"))
    rar = archive.put(b"Rar!\x1a\x07\x00" + bytes(32))
    named = [
        Document(sha256=docx, url=SITE, site=SITE, file_url=f"{SITE}a.docx"),
        Document(sha256=damaged, url=SITE, site=SITE, file_url=f"{SITE}b.zip"),
        Document(sha256=rar, url=SITE, site=SITE, file_url=f"{SITE}c.rar"),
        Document(sha256="0" * 64, url=SITE, site=SITE, file_url=f"{SITE}gone.zip"),
    ]
    assert unpack_containers(named, archive) == named
    results = ParseService(workers=0).parse_documents(archive, named[1:3])
    assert [r.error.kind for r in results if r.error] == ["corrupt", "unsupported"]
