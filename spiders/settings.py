"""Scrapy settings for the xxgk spiders: polite by default, see `spiders.politeness`."""

import os

from xxgk import __version__

BOT_NAME = "xxgk"
SPIDER_MODULES = ["spiders.portal"]
USER_AGENT = (
    f"xxgk/{__version__} (collects government information disclosure annual reports; "
    "obeys robots.txt)"
)

# Politeness: one request at a time per site, spaced and throttled. XXGK_POLITE=False lifts it.
# A crawl holds a batch of portals (dagster_project.partitions.PORTALS_PER_RUN): per host one
# request at a time and DOWNLOAD_DELAY between them, counted from the last one's answer too
# (spiders.politeness.DelayFromAnswer; AutoThrottle only ever lengthens the delay), and
# room for every host of the batch at once; the scheduler hands out requests for the hosts
# least busy, so that no host's queue holds the others up.
XXGK_POLITE = True
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 1000
CONCURRENT_REQUESTS_PER_DOMAIN = 1
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
DOWNLOAD_DELAY = 2.0
# Every gap the full delay, never less: with jitter half the gaps would be shorter (down to
# 1 - jitter of it), and as Scrapy draws the jittered delay again each time a waiting slot
# wakes, the gaps would average 2.45 s, not 2 (a crawl a fifth slower than its delay allows).
DOWNLOAD_DELAY_JITTER = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
ADDONS = {"spiders.politeness.Politeness": 0}
# When each request was sent, kept for bench.scale (spiders.extensions.sendtimes): a file's path
XXGK_SEND_TIMES_OUT = os.environ.get("XXGK_SEND_TIMES_OUT")

# Scrapy starts this many tasks for every response's output; ours yield one capture each
CONCURRENT_ITEMS = 8
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 200 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
XXGK_RETRY_BACKOFF_BASE = 5.0
XXGK_RETRY_BACKOFF_MAX = 120.0
XXGK_RETRY_AFTER_MAX = 600.0
REDIRECT_MAX_TIMES = 5
# A page that is only `<meta http-equiv="refresh">` (a portal's home, often) is followed as a
# redirect (Scrapy's MetaRefreshMiddleware, through KeepToSite like any redirect); a refresh
# after this many seconds or more ("页面不存在, 5秒后返回首页") is the page's own, not followed
METAREFRESH_ENABLED = True
METAREFRESH_MAXDELAY = 5
DOWNLOADER_MIDDLEWARES = {
    # before robots.txt (100), so no request at all goes to a host off the site
    "spiders.downloadermiddlewares.offsite.KeepToSite": 55,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    # only when resuming (XXGK_RESUME_CAPTURES) or recrawling (XXGK_PREVIOUS_CAPTURES)
    "spiders.downloadermiddlewares.replay.ReplayCaptured": 60,
    "spiders.downloadermiddlewares.blocked.StopBlockedSites": 120,
    # after redirects and retries, before StopBlockedSites takes a script shell for a stop
    "spiders.downloadermiddlewares.browser.RenderInBrowser": 130,
    "spiders.downloadermiddlewares.retry.BackoffRetryMiddleware": 550,
    "spiders.downloadermiddlewares.conditional.ConditionalRecrawl": 570,
    "spiders.downloadermiddlewares.redirect.RedirectMiddlewareNoDupes": 600,
}
# Every final response reaches the spider, whatever its status, so it is captured.
HTTPERROR_ALLOW_ALL = True
# Scrapy's own limit would count list pages too (see spiders.spidermiddlewares.depth)
DEPTH_LIMIT = 0
XXGK_NAVIGATION_DEPTH = 8
SPIDER_MIDDLEWARES = {
    "spiders.spidermiddlewares.depth.NavigationDepth": 950,
    "spiders.spidermiddlewares.robots.RobotsTxtCaptures": 960,  # robots.txt obeyed, as captures
}

XXGK_PAGERS = [
    "spiders.pagers.generic.GenericPager",
    "spiders.pagers.trs.TrsCreatePageHtmlPager",
    "spiders.pagers.hanweb.HanwebJpagePager",
    "spiders.pagers.gkmlpt.GkmlptPager",
    "spiders.pagers.jeecms.JeecmsPager",
    "spiders.pagers.hanweb_xxgk.HanwebXxgkPager",
    "spiders.pagers.jiyue.JsonListPager",
]
XXGK_MAX_LIST_PAGES = 50
# A navigation page only a browser shows (needs_browser) is rendered in headless Chromium, at
# most this many per site (0: never), each for at most this many seconds
# (spiders.downloadermiddlewares.browser); without the browser the page stays needs_browser
XXGK_BROWSER_EXECUTABLE = "/usr/bin/chromium"
XXGK_BROWSER_PAGES = 10
XXGK_BROWSER_SECONDS = 60.0
# A report page pasted as pictures: the images of its article fetched, at most this many and
# this many bytes together (spiders.article)
XXGK_MAX_PAGE_IMAGES = 40
XXGK_MAX_PAGE_IMAGE_BYTES = 20 * 1024 * 1024
# Unset: as `xxgk crawl`, the archive and `<crawls>/<crawl id>.jsonl` of xxgk.settings
XXGK_ARCHIVE_URL = None
XXGK_CAPTURES_OUT = None  # the capture log, written by the archivist (spiders.pipelines)
XXGK_CAPTURES_APPEND = False
XXGK_WARC = True  # the archivist also writes the crawl's WARC file
XXGK_WARC_MAX_BYTES = 1_000_000_000  # a WARC file rolls over at this size
XXGK_CRAWL_ID = None
XXGK_RESUME_CAPTURES = None
XXGK_PREVIOUS_CAPTURES = None

# A bar of the pages fetched, drawn on stderr when it is a terminal (spiders.extensions.progress)
EXTENSIONS = {
    "spiders.extensions.progress.PagesProgress": 500,
    "spiders.extensions.sendtimes.SendTimes": 510,
    "spiders.politeness.DelayFromAnswer": 520,
}
ITEM_PIPELINES = {
    "spiders.pipelines.OncePerUrl": 50,
    "spiders.pipelines.ArchivePipeline": 100,
}
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
