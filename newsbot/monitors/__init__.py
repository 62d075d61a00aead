"""Crawl health monitors (spidermon suites) run at the end of every crawl."""
