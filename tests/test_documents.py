from xxgk.documents import select_documents
from xxgk.records import Capture, Error, Role

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
