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


def test_documents_carry_their_report_pages_publication() -> None:
    printed = {"index_number": "11410000000000000X/2020-1234", "issued_on": "2020-01-15"}
    inline = capture("http://portal.test/c.html", "report_page", "f" * 64, publication=printed)
    cover = capture(
        "http://portal.test/d.html",
        "report_page",
        "1" * 64,
        attachments=["http://portal.test/d.pdf", "http://portal.test/d.docx"],
        publication={"publisher": "某县人民政府办公室", "written_on": "2020-01-08"},
    )
    pdf = capture("http://portal.test/d.pdf", "attachment", "2" * 64)
    docx = capture("http://portal.test/d.docx", "attachment", "3" * 64)
    bare = capture("http://portal.test/e.html", "report_page", "4" * 64, publication={})
    fields = ("index_number", "publisher", "document_number", "issued_on", "written_on")
    found = {
        d["sha256"][0]: tuple(d[f] for f in fields)
        for d in select_documents([inline, cover, pdf, docx, bare])
    }
    assert found == {
        "f": ("11410000000000000X/2020-1234", None, None, "2020-01-15", None),
        "2": (None, "某县人民政府办公室", None, None, "2020-01-08"),
        "3": (None, "某县人民政府办公室", None, None, "2020-01-08"),
        "4": (None, None, None, None, None),
    }
