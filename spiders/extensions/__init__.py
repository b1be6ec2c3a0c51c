"""The crawl's Scrapy extensions, one per module, enabled in `EXTENSIONS`."""
