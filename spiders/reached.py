"""Whether a crawl reached each site's annual-report column; for a site it did not, the capture
that says so (`no_report_column`), naming the pages it tried."""

from __future__ import annotations

from collections.abc import Iterator

from spiders.captures import now
from xxgk.records import Capture, Error

#: Captures that show a site's report column reached: its lists, or reports themselves.
REACHED = frozenset({"listing", "report_page", "attachment"})
#: The pages a site is searched through for its report column.
SEARCHED = frozenset({"home", "column"})
#: How many of the pages tried a verdict names (it counts them all).
NAMED = 5


class ReportColumns:
    """Per site, the pages tried until a report column is reached (then forgotten). A site
    whose home failed, or that met an anti-bot challenge, is left out: its own error says what
    happened."""

    def __init__(self) -> None:
        self.tried: dict[str, dict[str, None]] = {}
        self.settled: set[str] = set()

    def tally(self, capture: Capture) -> None:
        site = capture.site
        if site in self.settled:
            return
        error = capture.error
        stopped = error is not None and (error.kind == "blocked" or capture.role == "home")
        if capture.role in REACHED or stopped:
            self.settled.add(site)
            self.tried.pop(site, None)
        elif capture.role in SEARCHED:
            self.tried.setdefault(site, {})[capture.url] = None

    def verdicts(self) -> Iterator[Capture]:
        """A capture of role `site` for each site tried whose report column was not reached
        (once: those sites are settled then)."""
        tried, self.tried = self.tried, {}
        self.settled.update(tried)
        for site, pages in tried.items():
            named = ", ".join(list(pages)[:NAMED]) + (" …" if len(pages) > NAMED else "")
            message = f"no annual-report column reached; {len(pages)} page(s) tried: {named}"
            yield Capture(
                url=site,
                site=site,
                role="site",
                fetched_at=now(),
                error=Error("no_report_column", message),
            )
