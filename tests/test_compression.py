"""ZlibNgHttpCompressionMiddleware: gzip bodies decode to what Scrapy's own gunzip makes of them, whatever they hold."""

from __future__ import annotations

import gzip
import random
import zlib

import pytest
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.gz import gunzip as scrapy_gunzip
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newsbot.downloadermiddlewares.compression import ZlibNgHttpCompressionMiddleware, gunzip

PAGE = ("<html><body><p>" + "نص المقال، فقرة بعد فقرة. " * 400 + "</p></body></html>").encode("utf-8")
MEMBER = gzip.compress(PAGE, 6, mtime=0)


def _bodies() -> list[tuple[str, bytes]]:
    rng = random.Random(3)
    crc_broken = bytearray(MEMBER)
    crc_broken[-8] ^= 0xFF
    size_broken = bytearray(MEMBER)
    size_broken[-1] ^= 0x01
    inner_broken = bytearray(MEMBER)
    inner_broken[len(MEMBER) // 2] ^= 0x55
    cases = [
        ("one member", MEMBER),
        ("stored member", gzip.compress(PAGE, 0, mtime=0)),
        ("empty payload", gzip.compress(b"", mtime=0)),
        ("two members", MEMBER + gzip.compress(b"<p>more</p>", mtime=0)),
        ("trailing zeros", MEMBER + b"\x00" * 8),
        ("trailing garbage", MEMBER + b"garbage"),
        ("crc broken", bytes(crc_broken)),
        ("size broken", bytes(size_broken)),
        ("inner byte broken", bytes(inner_broken)),
        ("not gzip", PAGE),
        ("empty", b""),
        ("random", bytes(rng.randrange(256) for _ in range(300))),
        ("raw deflate", zlib.compress(PAGE)),
    ]
    cases += [(f"cut at {cut}", MEMBER[:cut]) for cut in (1, 5, 10, 11, 50, len(MEMBER) // 2, len(MEMBER) - 8, len(MEMBER) - 1)]
    return cases


def _outcome(func, body: bytes, max_size: int) -> object:
    try:
        return ("ok", func(body, max_size=max_size))
    except Exception as exc:  # noqa: BLE001 (what Scrapy raises is part of the behaviour)
        return (type(exc), getattr(exc, "decompressed_size", None))


@pytest.mark.parametrize(("name", "body"), _bodies(), ids=[name for name, _ in _bodies()])
@pytest.mark.parametrize("max_size", [0, len(PAGE), len(PAGE) - 1, 1000])
def test_gunzip_gives_what_scrapys_gunzip_gives(name: str, body: bytes, max_size: int) -> None:
    assert _outcome(gunzip, body, max_size) == _outcome(scrapy_gunzip, body, max_size)


def test_a_whole_member_is_inflated_without_scrapys_gunzip(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken (else this module would only be Scrapy's function under another name)."""
    from newsbot.downloadermiddlewares import compression

    def fail(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("fell back to Scrapy's gunzip")

    monkeypatch.setattr(compression, "scrapy_gunzip", fail)
    assert compression.gunzip(MEMBER, max_size=len(PAGE)) == PAGE


def test_the_project_decodes_with_it_in_scrapys_place() -> None:
    settings = get_project_settings()
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"] is None
    assert middlewares["newsbot.downloadermiddlewares.compression.ZlibNgHttpCompressionMiddleware"] == 590


def test_the_middleware_answers_as_scrapys_does() -> None:
    crawler = get_crawler(Spider)
    crawler.spider = crawler._create_spider("x")
    url = "https://arabic.rt.com/world/1-x/"
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    got, want = (
        build_from_crawler(cls, crawler).process_response(
            Request(url), HtmlResponse(url, body=MEMBER, headers=headers)
        )
        for cls in (ZlibNgHttpCompressionMiddleware, HttpCompressionMiddleware)
    )
    assert got.body == want.body == PAGE
    assert type(got) is type(want)
    assert dict(got.headers) == dict(want.headers)
    assert b"Content-Encoding" not in got.headers


@pytest.mark.parametrize(("name", "body"), _bodies(), ids=[name for name, _ in _bodies()])
@pytest.mark.parametrize("max_size", [0, len(PAGE), len(PAGE) - 1])
def test_inflate_member_answers_only_for_one_whole_member_within_the_limit(name: str, body: bytes, max_size: int) -> None:
    from newsbot.downloadermiddlewares.compression import inflate_member

    fits = not max_size or max_size >= len(PAGE) or name == "empty payload"
    whole = name in ("one member", "stored member", "empty payload") and fits
    got = inflate_member(body, max_size)
    assert (got is not None) == whole
    if whole:
        assert got == scrapy_gunzip(body, max_size=max_size)
    copy = bytes(bytearray(body))  # a new bytes object with the same content (bytes(body) would be body itself)
    assert copy is not body or not body
    assert inflate_member(copy, max_size) == got  # asked again, same answer


def test_a_page_is_inflated_once_between_the_body_check_and_the_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    from zlib_ng import zlib_ng

    from newsbot.downloadermiddlewares.body_check import BodyCheckMiddleware

    inflated: list[int] = []  # bytes out of every zlib-ng decompressor, whoever made it
    make = zlib_ng.decompressobj

    class Counting:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self._d = make(*args, **kwargs)

        def decompress(self, *args: object) -> bytes:
            out = self._d.decompress(*args)
            inflated.append(len(out))
            return out

        def __getattr__(self, name: str) -> object:
            return getattr(self._d, name)

    monkeypatch.setattr(zlib_ng, "decompressobj", Counting)
    crawler = get_crawler(Spider, {"DOWNLOAD_MAXSIZE": 10 * len(PAGE)})
    crawler.spider = crawler._create_spider("x")
    crawler.stats.open_spider()
    check = build_from_crawler(BodyCheckMiddleware, crawler)
    decode = build_from_crawler(ZlibNgHttpCompressionMiddleware, crawler)
    url = "https://arabic.rt.com/world/1-x/"
    request = Request(url)
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    response = decode.process_response(request, check.process_response(request, HtmlResponse(url, body=MEMBER, headers=headers)))
    assert response.body == PAGE
    assert sum(inflated) <= len(PAGE) + 1  # the page once (and the empty-body check's first byte)
    # another body with the same bytes is inflated again (the answer is kept by identity, never by content)
    inflated.clear()
    decode.process_response(request, HtmlResponse(url, body=bytes(bytearray(MEMBER)), headers=headers))
    assert sum(inflated) == len(PAGE)
