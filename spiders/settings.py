"""Scrapy settings for the xxgk spiders: polite by default, see `spiders.politeness`."""

from spiders.items import CAPTURE_FIELDS

BOT_NAME = "xxgk"
USER_AGENT = (
    "xxgk/0.1 (collects government information disclosure annual reports; obeys robots.txt)"
)

# Politeness: one request at a time per site, spaced and throttled. XXGK_POLITE=False lifts it.
XXGK_POLITE = True
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 2.0
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
ADDONS = {"spiders.politeness.Politeness": 0}

DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 200 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Every final response reaches the spider, whatever its status, so it is captured.
HTTPERROR_ALLOW_ALL = True
DEPTH_LIMIT = 8

XXGK_PAGERS = ["spiders.paging.GenericPager", "spiders.paging.TrsCreatePageHtmlPager"]
XXGK_MAX_LIST_PAGES = 50
XXGK_ARCHIVE_URL = None

ITEM_PIPELINES = {"spiders.pipelines.ArchivePipeline": 100}
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_FIELDS = CAPTURE_FIELDS
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
