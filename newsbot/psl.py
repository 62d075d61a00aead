"""Scrapy's cookie middleware, without downloading the Public Suffix List.

``scrapy.downloadermiddlewares.cookies`` asks tldextract whether a cookie's ``Domain`` is a public
suffix. tldextract's default is to download the list on first use -- from publicsuffix.org and
raw.githubusercontent.com, hosts outside ``NEWSBOT_ALLOWED_HOSTS``, with requests' own User-Agent,
and on a machine without internet a logged traceback before it falls back to its bundled copy. The
crawler uses the copy bundled with tldextract (pinned with Scrapy's dependencies) instead.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def use_bundled_public_suffix_list() -> bool:
    """Point Scrapy's cookie middleware at tldextract's bundled list; False if Scrapy no longer has the hook."""
    from scrapy.downloadermiddlewares import cookies
    from tldextract import TLDExtract

    current = getattr(cookies, "_split_domain", None)
    if not isinstance(current, TLDExtract):
        logger.warning("scrapy.downloadermiddlewares.cookies has no _split_domain: cookie domains may fetch the Public Suffix List")
        return False
    if current.suffix_list_urls:
        cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)
    return True
