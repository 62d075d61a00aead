"""AllowedHostsMiddleware: only NEWSBOT_ALLOWED_HOSTS (and the image host when images are fetched)."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.http import Request
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newsbot.downloadermiddlewares.allowed_hosts import AllowedHostsMiddleware, HostNotAllowed


def _mw(**settings: object) -> AllowedHostsMiddleware:
    crawler = get_crawler(Spider, {"NEWSBOT_ALLOWED_HOSTS": ["arabic.rt.com"], "NEWSBOT_IMAGE_HOSTS": ["cdni.rt.com"],
                                   **settings})
    crawler.stats.open_spider()
    return build_from_crawler(AllowedHostsMiddleware, crawler)


@pytest.mark.parametrize("url", [
    "https://arabic.rt.com/world/801234-x/",
    "http://arabic.rt.com/robots.txt",
    "https://ARABIC.RT.COM/rss/",
    "https://arabic.rt.com:443/x",
])
def test_allowed(url: str) -> None:
    assert _mw().process_request(Request(url)) is None


@pytest.mark.parametrize(("url", "host"), [
    ("https://example.com/x", "example.com"),
    ("https://evil.arabic.rt.com/x", "evil.arabic.rt.com"),  # subdomains are not the site
    ("https://arabic.rt.com.evil.net/x", "arabic.rt.com.evil.net"),
    ("https://cdni.rt.com/img.jpg", "cdni.rt.com"),  # image host: only when images are fetched
    ("https://rt.com/", "rt.com"),
    ("http://127.0.0.1/", "127.0.0.1"),
])
def test_blocked_with_message_and_stat(url: str, host: str) -> None:
    mw = _mw()
    with pytest.raises(HostNotAllowed) as info:
        mw.process_request(Request(url))
    assert str(info.value) == f"{host} is not in NEWSBOT_ALLOWED_HOSTS: {url}"
    assert mw.crawler.stats.get_value("newsbot/allowed_hosts/blocked") == 1


def test_file_urls_are_blocked() -> None:
    with pytest.raises(HostNotAllowed, match="file is not in NEWSBOT_ALLOWED_HOSTS: file:///etc/passwd"):
        _mw().process_request(Request("file:///etc/passwd"))


def test_redirect_target_names_where_it_came_from() -> None:
    request = Request("https://example.com/landing", meta={"redirect_urls": ["https://arabic.rt.com/go/1/"]})
    with pytest.raises(HostNotAllowed, match=r"\(redirected from https://arabic.rt.com/go/1/\)$"):
        _mw().process_request(request)


def test_retries_are_checked_too() -> None:
    # retries carry dont_filter=True, which Scrapy's OffsiteMiddleware lets through
    request = Request("https://example.com/x", dont_filter=True, meta={"retry_times": 2})
    with pytest.raises(HostNotAllowed):
        _mw().process_request(request)


def test_image_host_only_when_images_are_fetched() -> None:
    url = "https://cdni.rt.com/images/1.jpg"
    with pytest.raises(HostNotAllowed):
        _mw(NEWSBOT_FETCH_IMAGES=False).process_request(Request(url))
    assert _mw(NEWSBOT_FETCH_IMAGES=True).process_request(Request(url)) is None


def test_empty_allowlist_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="NEWSBOT_ALLOWED_HOSTS is empty"):
        _mw(NEWSBOT_ALLOWED_HOSTS=[])


def test_blocked_request_is_an_ignore_request() -> None:
    from scrapy.exceptions import IgnoreRequest  # noqa: PLC0415

    assert issubclass(HostNotAllowed, IgnoreRequest)


def test_settings_allow_only_the_site() -> None:
    from newsbot import settings  # noqa: PLC0415

    assert settings.NEWSBOT_ALLOWED_HOSTS == ["arabic.rt.com"]
    assert settings.NEWSBOT_FETCH_IMAGES is False
    assert settings.DOWNLOADER_MIDDLEWARES["newsbot.downloadermiddlewares.allowed_hosts.AllowedHostsMiddleware"] < 100
