"""The crawl's downloader middlewares, one per module, ordered in `DOWNLOADER_MIDDLEWARES`."""
