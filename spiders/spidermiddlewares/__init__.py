"""The crawl's spider middlewares, one per module, ordered in `SPIDER_MIDDLEWARES`."""
