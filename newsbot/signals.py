"""Signals newsbot components send to each other (Scrapy's signal manager carries them)."""

#: A fetch ended without an article: HTTP error status (404, 410, 5xx after retries),
#: network error, or a page that could not be parsed. Arguments: ``failure`` (a
#: :class:`newsbot.failures.FetchFailure`).
fetch_failed = object()
