from xxgk.documents import select_documents

SITE = "http://portal.test/"


def capture(url: str, role: str, sha: str | None, **extra) -> dict:
    return {"url": url, "role": role, "sha256": sha, "site": SITE, "error": None, **extra}


def test_inline_report_page_is_its_own_document() -> None:
    page = capture("http://portal.test/a.html", "report_page", "a" * 64, title="2020年报告")
    [document] = select_documents([page])
    assert document["url"] == page["url"]
    assert document["file_url"] is None
    assert document["sha256"] == "a" * 64


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
    assert (document["url"], document["file_url"]) == (page["url"], pdf["url"])
    assert document["file_name"] == "报告.pdf"


def test_failed_fetches_and_other_pages_are_not_documents() -> None:
    missing = capture("http://portal.test/404.html", "report_page", "d" * 64)
    missing["error"] = {"kind": "http_404", "message": "Not Found"}
    listing = capture("http://portal.test/list.html", "listing", "e" * 64)
    assert select_documents([missing, listing]) == []
