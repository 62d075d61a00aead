"""newsbot: crawl RT Arabic articles and their follow-ups into clean items and standard WARC archives."""

__version__ = "0.1.0"
