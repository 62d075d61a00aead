"""The cookie middleware's public-suffix check never goes to the network (tldextract's bundled list)."""

from __future__ import annotations

import socket

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from newsbot.addon import NewsbotAddon


def test_a_crawl_configures_the_cookie_middleware_for_the_bundled_list(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from scrapy.downloadermiddlewares import cookies
    from tldextract import TLDExtract

    monkeypatch.setattr(cookies, "_split_domain", TLDExtract(include_psl_private_domains=True, cache_dir=str(tmp_path)))
    assert cookies._split_domain.suffix_list_urls  # Scrapy's default: download on first use
    NewsbotAddon().update_settings(get_crawler(Spider).settings.copy())

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network use: {args}")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert cookies._split_domain.suffix_list_urls == ()
    assert cookies._is_public_domain("co.uk") and cookies._is_public_domain("com")
    assert not cookies._is_public_domain("rt.com") and not cookies._is_public_domain("arabic.rt.com")
