"""Unit tests of the reliability downloader middlewares, built from a real crawler (no crawl)."""

from __future__ import annotations

import gzip
import random
from datetime import datetime, timezone
from typing import Any

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newsbot import signals
from newsbot.downloadermiddlewares.backoff import RETRY_AFTER, RetryBackoffMiddleware, parse_retry_after
from newsbot.downloadermiddlewares.body_check import BodyCheckMiddleware, IncompleteBody, gzip_problem
from newsbot.downloadermiddlewares.charset import CharsetMiddleware, real_encoding
from newsbot.downloadermiddlewares.failures import UnhandledFailuresMiddleware, robots_txt_problem

ARABIC = "علاقات روسيا والناتو بين مقتضيات التعاون"


def _crawler(**settings: Any) -> Any:
    crawler = get_crawler(Spider, settings)
    crawler.spider = Spider.from_crawler(crawler, name="t")
    crawler.stats.open_spider()
    return crawler


def _collect_failures(crawler: Any) -> list[Any]:
    seen: list[Any] = []
    crawler.signals.connect(lambda failure: seen.append(failure), signal=signals.fetch_failed, weak=False)
    return seen


# --- backoff -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (b"120", 120.0), ("0", 0.0), (b" 7 ", 7.0), (None, None), (b"", None), (b"soon", None), (b"-5", None),
    (b"Wed, 21 Oct 2015 07:28:30 GMT", 30.0),  # HTTP-date, 30 s after "now"
    (b"Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past: no wait
])
def test_parse_retry_after(value: bytes | str | None, expected: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert parse_retry_after(value, now=now) == expected


def _backoff(**settings: Any) -> RetryBackoffMiddleware:
    crawler = _crawler(NEWSBOT_RETRY_BACKOFF_BASE=1.0, NEWSBOT_RETRY_BACKOFF_MAX=60.0, NEWSBOT_RETRY_AFTER_MAX=120.0,
                       **settings)
    mw = build_from_crawler(RetryBackoffMiddleware, crawler)
    mw.rng = random.Random(1)
    return mw


@pytest.mark.parametrize(("retry_times", "low", "high"), [(1, 0.5, 1.5), (2, 1.0, 3.0), (3, 2.0, 6.0), (6, 16.0, 48.0),
                                                          (10, 30.0, 90.0)])
def test_backoff_grows_exponentially_with_jitter_and_a_cap(retry_times: int, low: float, high: float) -> None:
    mw = _backoff()
    delays = [mw.delay(retry_times, None) for _ in range(200)]
    assert low <= min(delays) and max(delays) <= high
    assert max(delays) - min(delays) > (high - low) / 4  # jittered, not constant


def test_retry_after_is_honoured_up_to_its_cap() -> None:
    mw = _backoff()
    assert mw.delay(1, 30.0) == 30.0
    assert mw.delay(1, 10_000.0) == 120.0  # NEWSBOT_RETRY_AFTER_MAX
    assert 0.5 <= mw.delay(1, 0.0) <= 1.5  # a shorter Retry-After does not shorten the backoff


def test_retry_after_of_a_retried_response_is_kept_for_the_retry() -> None:
    mw = _backoff()
    request = Request("https://arabic.rt.com/a/")
    mw.process_response(request, Response(request.url, status=503, headers={"Retry-After": "42"}))
    assert request.meta[RETRY_AFTER] == 42.0
    assert mw.crawler.stats.get_value("newsbot/retry/retry_after") == 1
    # a later answer without the header, or an exception, clears it
    mw.process_response(request, Response(request.url, status=500))
    assert RETRY_AFTER not in request.meta
    request.meta[RETRY_AFTER] = 5.0
    mw.process_exception(request, OSError("reset"))
    assert RETRY_AFTER not in request.meta


def test_retry_after_on_a_200_is_ignored() -> None:
    mw = _backoff()
    request = Request("https://arabic.rt.com/a/")
    mw.process_response(request, Response(request.url, status=200, headers={"Retry-After": "42"}))
    assert RETRY_AFTER not in request.meta


def test_backoff_is_off_when_retries_are() -> None:
    from scrapy.exceptions import NotConfigured  # noqa: PLC0415

    with pytest.raises(NotConfigured):
        _backoff(RETRY_ENABLED=False)


# --- gzip and empty bodies -------------------------------------------------------------------------

PAGE = ("<html><body>" + ARABIC * 50 + "</body></html>").encode()
GZ = gzip.compress(PAGE, 6)


@pytest.mark.parametrize(("body", "problem"), [
    (GZ, None),
    (GZ + gzip.compress(b"second member"), None),
    (GZ[: len(GZ) // 2], f"gzip stream ends early ({len(GZ) // 2} bytes received)"),
    (GZ[:-4], f"gzip stream ends early ({len(GZ) - 4} bytes received)"),  # trailer cut
    (b"\x1f\x8b\x08\x00garbage-after-a-gzip-header", "corrupt gzip data"),
    (b"<html>not gzip at all</html>", "corrupt gzip data"),
])
def test_gzip_problem(body: bytes, problem: str | None) -> None:
    found = gzip_problem(body)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem)


def _body_check(**settings: Any) -> BodyCheckMiddleware:
    return build_from_crawler(BodyCheckMiddleware, _crawler(**{"RETRY_TIMES": 2, **settings}))


def _gzip_response(url: str, body: bytes) -> Response:
    return Response(url, body=body, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"})


def test_complete_gzip_body_passes() -> None:
    mw = _body_check()
    request = Request("https://arabic.rt.com/a/")
    response = _gzip_response(request.url, GZ)
    assert mw.process_response(request, response) is response


def test_truncated_gzip_body_is_retried_then_dropped_with_a_clear_message() -> None:
    mw = _body_check()
    request = Request("https://arabic.rt.com/a/", errback=lambda f: None)
    cut = GZ[: len(GZ) // 2]
    retry = mw.process_response(request, _gzip_response(request.url, cut))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1 and retry.dont_filter
    retry2 = mw.process_response(retry, _gzip_response(request.url, cut))
    assert retry2.meta["retry_times"] == 2
    with pytest.raises(IncompleteBody) as info:
        mw.process_response(retry2, _gzip_response(request.url, cut))
    assert str(info.value) == f"gzip stream ends early ({len(cut)} bytes received) after 3 attempts: {request.url}"
    assert mw.crawler.stats.get_value("retry/reason_count/truncated or corrupt gzip body") == 2
    assert mw.crawler.stats.get_value("newsbot/body_check/bad_gzip") == 3


def test_truncated_gzip_without_errback_is_recorded() -> None:
    mw = _body_check(RETRY_TIMES=0)
    seen = _collect_failures(mw.crawler)
    request = Request("https://arabic.rt.com/robots.txt")
    with pytest.raises(IncompleteBody):
        mw.process_response(request, _gzip_response(request.url, GZ[:30]))
    assert [f.reason for f in seen] == [f"IncompleteBody: gzip stream ends early (30 bytes received) after 1 attempts: {request.url}"]


def test_empty_body_is_retried_then_passed_on() -> None:
    mw = _body_check(RETRY_TIMES=1)
    request = Request("https://arabic.rt.com/a/")
    empty = HtmlResponse(request.url, body=b"")
    retry = mw.process_response(request, empty)
    assert isinstance(retry, Request)
    assert mw.process_response(retry, empty) is empty  # the spider records why it cannot use it


def test_gzip_body_of_nothing_counts_as_empty() -> None:
    mw = _body_check(RETRY_TIMES=1)
    request = Request("https://arabic.rt.com/a/")
    empty = _gzip_response(request.url, gzip.compress(b""))
    assert empty.body  # 20 bytes of gzip framing
    assert isinstance(mw.process_response(request, empty), Request)
    full = _gzip_response(request.url, gzip.compress(b"<html>x</html>"))
    assert mw.process_response(request, full) is full


@pytest.mark.parametrize(("url", "status", "method"), [
    ("https://arabic.rt.com/robots.txt", 200, "GET"),  # an empty robots.txt is valid
    ("https://arabic.rt.com/a/", 304, "GET"),
    ("https://arabic.rt.com/a/", 301, "GET"),
    ("https://arabic.rt.com/a/", 200, "HEAD"),
])
def test_legitimately_empty_bodies_pass(url: str, status: int, method: str) -> None:
    mw = _body_check()
    request = Request(url, method=method)
    response = Response(url, status=status, body=b"")
    assert mw.process_response(request, response) is response


# --- charset -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "header", "meta", "expected"), [
    (ARABIC.encode("utf-8"), "utf-8", None, None),  # right
    (ARABIC.encode("cp1256"), "windows-1256", None, None),  # right
    (ARABIC.encode("cp1256"), None, "windows-1256", None),  # right, from <meta>
    (ARABIC.encode("cp1256"), "utf-8", None, "cp1256"),  # header wrong
    (ARABIC.encode("cp1256"), "utf-8", "windows-1256", "cp1256"),  # header wrong, meta right
    (ARABIC.encode("cp1256"), None, None, "cp1256"),  # missing
    (ARABIC.encode("utf-8"), "windows-1256", None, "utf-8"),  # UTF-8 labelled as the legacy charset
    (ARABIC.encode("utf-8"), None, None, None),  # missing, but Scrapy's guess (UTF-8) is right
    (b"plain ascii", None, None, None),
])
def test_real_encoding(body: bytes, header: str | None, meta: str | None, expected: str | None) -> None:
    assert real_encoding(body, header, meta, "windows-1256") == expected


def test_charset_middleware_fixes_a_wrong_header_and_keeps_the_bytes() -> None:
    mw = build_from_crawler(CharsetMiddleware, _crawler(NEWSBOT_FALLBACK_ENCODING="windows-1256"))
    body = f"<html><body><h1>{ARABIC}</h1></body></html>".encode("cp1256")
    response = HtmlResponse("https://arabic.rt.com/a/", body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    assert "\ufffd" in response.text  # what Scrapy alone would give
    fixed = mw.process_response(Request(response.url), response)
    assert isinstance(fixed, TextResponse)
    assert fixed.css("h1::text").get() == ARABIC
    assert fixed.body == body
    assert mw.crawler.stats.get_value("newsbot/charset/corrected") == 1


def test_charset_middleware_leaves_good_and_binary_responses_alone() -> None:
    mw = build_from_crawler(CharsetMiddleware, _crawler())
    good = HtmlResponse("https://arabic.rt.com/a/", body=ARABIC.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    assert mw.process_response(Request(good.url), good) is good
    binary = Response("https://arabic.rt.com/x.pdf", body=b"%PDF\xe2\xe3")
    assert mw.process_response(Request(binary.url), binary) is binary



def test_a_good_utf8_page_is_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check reads the text Scrapy decodes (and keeps) for everyone after it, instead of a decode of its own."""
    from newsbot.downloadermiddlewares import charset

    decoded: list[int] = []
    original = charset.decodes
    monkeypatch.setattr(charset, "decodes", lambda body, encoding: decoded.append(len(body)) or original(body, encoding))
    mw = build_from_crawler(CharsetMiddleware, _crawler())
    body = f"<html><body><h1>{ARABIC}</h1></body></html>".encode()
    good = HtmlResponse("https://arabic.rt.com/a/", body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    assert mw.process_response(Request(good.url), good) is good
    assert decoded == []
    assert good.text == body.decode("utf-8")


@pytest.mark.parametrize(("text_part", "corrected"), [
    ("\ufffd", None),  # a replacement character the page really holds: valid UTF-8, left alone
    (ARABIC.encode("cp1256"), "cp1256"),  # bytes that are not UTF-8: Scrapy's text has U+FFFD, and it is wrong
])
def test_a_replacement_character_in_the_text_is_told_from_bytes_that_are_not_utf8(text_part: str | bytes, corrected: str | None) -> None:
    mw = build_from_crawler(CharsetMiddleware, _crawler(NEWSBOT_FALLBACK_ENCODING="windows-1256"))
    part = text_part if isinstance(text_part, bytes) else text_part.encode("utf-8")
    body = b"<html><body><p>" + part + b"</p></body></html>"
    response = HtmlResponse("https://arabic.rt.com/a/", body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    result = mw.process_response(Request(response.url), response)
    if corrected is None:
        assert result is response
        assert "\ufffd" in result.text
    else:
        assert result is not response
        assert result.encoding == corrected
        assert result.css("p::text").get() == ARABIC

# --- failures the spider never sees ------------------------------------------------------------------


def _unhandled() -> UnhandledFailuresMiddleware:
    return build_from_crawler(UnhandledFailuresMiddleware, _crawler())


@pytest.mark.parametrize(("status", "body", "ctype", "reason"), [
    (503, b"<html>down</html>", "text/html", "robots.txt answered HTTP 503; crawling as if there were none"),
    (200, b"<!DOCTYPE html><html></html>", "text/html", "robots.txt is an HTML page (text/html, 28 bytes); crawling as if there were none"),
    (200, b"User-agent: *\x00\x01", "text/plain", "robots.txt is binary data (text/plain, 15 bytes); crawling as if there were none"),
    (200, b"User-agent: \xff\xfe", "text/plain", "robots.txt is not UTF-8 text (text/plain, 14 bytes); crawling as if there were none"),
])
def test_unusable_robots_txt_is_recorded(status: int, body: bytes, ctype: str, reason: str) -> None:
    mw = _unhandled()
    seen = _collect_failures(mw.crawler)
    request = Request("https://arabic.rt.com/robots.txt", meta={"retry_times": 6})
    response = Response(request.url, status=status, body=body, headers={"Content-Type": ctype})
    assert mw.process_response(request, response) is response
    [failure] = seen
    assert (failure.url, failure.stage, failure.reason, failure.status, failure.attempts) == (
        request.url, "fetch", reason, status, 7)
    assert mw.crawler.stats.get_value("newsbot/failures/fetch") == 1
    assert mw.crawler.stats.get_value("newsbot/robotstxt/unusable") == 1


@pytest.mark.parametrize(("status", "body"), [(200, b"User-agent: *\nDisallow: /x/\n"), (404, b"<html>404</html>"),
                                              (200, b""), (200, b"\n")])
def test_usable_or_absent_robots_txt_is_not_a_failure(status: int, body: bytes) -> None:
    assert robots_txt_problem(Response("https://arabic.rt.com/robots.txt", body=body)) is None or status == 404
    mw = _unhandled()
    seen = _collect_failures(mw.crawler)
    request = Request("https://arabic.rt.com/robots.txt")
    mw.process_response(request, Response(request.url, status=status, body=body, headers={"Content-Type": "text/plain"}))
    assert seen == []


def test_requests_with_an_errback_are_left_to_the_spider() -> None:
    mw = _unhandled()
    seen = _collect_failures(mw.crawler)
    request = Request("https://arabic.rt.com/a/", errback=lambda f: None)
    mw.process_response(request, Response(request.url, status=500))
    assert mw.process_exception(request, OSError("reset")) is None
    assert seen == []


def test_exception_without_errback_is_recorded() -> None:
    mw = _unhandled()
    seen = _collect_failures(mw.crawler)
    request = Request("https://arabic.rt.com/robots.txt", meta={"retry_times": 2})
    assert mw.process_exception(request, TimeoutError("took too long")) is None
    [failure] = seen
    assert failure.reason == "robots.txt could not be fetched (TimeoutError: took too long); crawling as if there were none"
    assert failure.attempts == 3
