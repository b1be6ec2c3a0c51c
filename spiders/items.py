"""One `Capture` per fetched (or failed) request: the crawl's provenance record."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal, TypedDict

from spiders.publication import Publication

Role = Literal["robots", "home", "column", "listing", "report_page", "attachment", "other"]


class CaptureError(TypedDict):
    # http_404 | http_4xx | http_5xx | timeout | connection | dns | redirect | blocked
    # | needs_browser | soft_404 | robots_disallowed | offsite_redirect | download
    kind: str
    message: str


@dataclass
class Capture:
    url: str
    site: str
    role: Role
    status: int | None = None
    fetched_at: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    referer: str | None = None
    title: str | None = None
    report_page_url: str | None = None
    file_name: str | None = None
    attachments: list[str] = field(default_factory=list)
    #: A report page's metadata table ({} if it prints none); None on other captures.
    publication: Publication | None = None
    media_type: str | None = None
    body: bytes | None = None
    sha256: str | None = None
    size: int | None = None
    error: CaptureError | None = None


#: What the capture log holds: every field but `body`, which lives in the archive.
CAPTURE_FIELDS = [f.name for f in fields(Capture) if f.name != "body"]
