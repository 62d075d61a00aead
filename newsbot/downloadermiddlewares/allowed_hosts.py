"""AllowedHostsMiddleware: never fetch outside NEWSBOT_ALLOWED_HOSTS, whatever a page links to.

It runs first among the downloader middlewares (priority 40, before OffsiteMiddleware at 50 and
RobotsTxtMiddleware at 100, so not even a robots.txt is fetched from another host), on every
request: links, redirect targets (RedirectMiddleware schedules them as new requests) and retries,
whose ``dont_filter`` makes Scrapy's own OffsiteMiddleware let them through. Hosts match exactly
(``evil.arabic.rt.com`` is not ``arabic.rt.com``). The image host (NEWSBOT_IMAGE_HOSTS) is allowed
only when images are fetched (NEWSBOT_FETCH_IMAGES).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)


class HostNotAllowed(IgnoreRequest):
    """Raised by :class:`AllowedHostsMiddleware` for a request to a host outside the allowlist."""


class AllowedHostsMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSBOT_ALLOWED_HOSTS_ENABLED", True):
            raise NotConfigured  # quietly off: NEWSBOT_ALLOWED_HOSTS_ENABLED is off
        hosts = {h.strip().lower() for h in settings.getlist("NEWSBOT_ALLOWED_HOSTS") if h.strip()}
        if settings.getbool("NEWSBOT_FETCH_IMAGES"):
            hosts |= {h.strip().lower() for h in settings.getlist("NEWSBOT_IMAGE_HOSTS") if h.strip()}
        if not hosts:
            raise ValueError("NEWSBOT_ALLOWED_HOSTS is empty: name at least one host the crawler may fetch from")
        self.hosts = frozenset(hosts)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AllowedHostsMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.scheme in ("data", "about"):
            return
        host = (parts.hostname or "").lower()
        if parts.scheme in ("http", "https") and host in self.hosts:
            return
        self.crawler.stats.inc_value("newsbot/allowed_hosts/blocked")
        redirected_from = (request.meta.get("redirect_urls") or [None])[0]
        via = f" (redirected from {redirected_from})" if redirected_from else ""
        message = f"{host or parts.scheme or 'no host'} is not in NEWSBOT_ALLOWED_HOSTS: {request.url}{via}"
        logger.warning("Blocked request: %s", message)
        raise HostNotAllowed(message)
