"""Add-on that lifts crawl politeness when `XXGK_POLITE` is False (local demo portal, tests)."""

from __future__ import annotations

from scrapy.settings import BaseSettings

IMPOLITE = {
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    # a few local hosts at full speed: the polite room for hundreds of hosts would only fill
    # the downloader's queues (half the pages a second on one host)
    "CONCURRENT_REQUESTS": 16,
}


class Politeness:
    def update_settings(self, settings: BaseSettings) -> None:
        if settings.getbool("XXGK_POLITE"):
            return
        # at XXGK_POLITE's own priority, so the switch beats the project's polite defaults
        settings.setdict(IMPOLITE, priority=settings.getpriority("XXGK_POLITE") or "project")
