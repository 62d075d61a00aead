"""The test server (tests/server.py): what it answers, directly, as a proxy and with faults injected.

Expected bodies come from the snapshot files themselves and headers from manifest.json, never from the server.
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import ssl
import subprocess
import sys
import time
import zlib
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.crawl_helpers import REPO_ROOT, SITE_DIR
from tests.server import RunningServer

T1 = SITE_DIR / "t1"
MANIFEST = json.loads((T1 / "manifest.json").read_text(encoding="utf-8"))
ROUTES = {r["path"]: r for r in MANIFEST["routes"]}
SEED_PATH = "/world/801234-علاقات-روسيا-والناتو-بين-مقتضيات-التعاون-وطموحات-الغرب/"
STORY_PATH = "/story/4521-روسيا-والناتو/"


def page(path: str) -> bytes:
    return (T1 / ROUTES[path]["file"]).read_bytes()


def raw_get(server: RunningServer, target: bytes, headers: dict[str, str] | None = None,
            method: bytes = b"GET") -> tuple[http.client.HTTPResponse, bytes]:
    """Send a request line byte for byte (http.client would refuse raw UTF-8) and read the answer."""
    lines = [method + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1:%d" % server.port, b"Connection: close"]
    lines += [f"{k}: {v}".encode() for k, v in (headers or {}).items()]
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n")
        response = http.client.HTTPResponse(sock, method=method.decode())
        response.begin()
        return response, response.read()


def get(server: RunningServer, path: str, headers: dict[str, str] | None = None) -> tuple[http.client.HTTPResponse, bytes]:
    return raw_get(server, path.encode("utf-8"), headers)


# --- paths and routes ----------------------------------------------------------------------------


def test_raw_utf8_and_percent_encoded_paths_serve_the_same_page(site_server: RunningServer) -> None:
    raw, raw_body = get(site_server, SEED_PATH)
    encoded, encoded_body = raw_get(site_server, quote(SEED_PATH).encode())
    lower, lower_body = raw_get(site_server, quote(SEED_PATH).lower().encode())
    assert (raw.status, encoded.status, lower.status) == (200, 200, 200)
    assert raw_body == encoded_body == lower_body == page(SEED_PATH)
    assert raw.getheader("Content-Type") == "text/html; charset=utf-8"
    assert raw.getheader("ETag") == ROUTES[SEED_PATH]["etag"]
    assert raw.getheader("Last-Modified") == ROUTES[SEED_PATH]["last_modified"]


@pytest.mark.parametrize("suffix", ["?utm_source=rss&utm_medium=x", "?fbclid=abc", "?foo=1&utm_campaign=z"])
def test_tracking_and_unknown_query_parameters_are_ignored(site_server: RunningServer, suffix: str) -> None:
    response, body = get(site_server, SEED_PATH + suffix)
    assert response.status == 200
    assert body == page(SEED_PATH)


def test_page_parameter_selects_story_pages(site_server: RunningServer) -> None:
    assert get(site_server, STORY_PATH)[1] == page(STORY_PATH)
    assert get(site_server, STORY_PATH + "?page=1")[1] == page(STORY_PATH)
    assert get(site_server, STORY_PATH + "?page=2&utm_source=x")[1] == page(STORY_PATH + "?page=2")
    assert page(STORY_PATH) != page(STORY_PATH + "?page=2")
    assert get(site_server, STORY_PATH + "?page=9")[0].status == 404


def test_unknown_path_is_a_404_page(site_server: RunningServer) -> None:
    response, body = get(site_server, "/world/999999-لا-يوجد/")
    assert response.status == 404
    assert body == (T1 / MANIFEST["not_found"]["file"]).read_bytes()


def test_short_url_redirects_to_the_canonical_url(site_server: RunningServer) -> None:
    response, body = get(site_server, "/world/801234/")
    assert response.status == 301
    assert body == b""
    assert response.getheader("Location") == f"{site_server.url}{quote(SEED_PATH)}"


def test_missing_trailing_slash_redirects(site_server: RunningServer) -> None:
    response, _ = get(site_server, SEED_PATH.rstrip("/"))
    assert response.status == 301
    assert response.getheader("Location") == f"{site_server.url}{quote(SEED_PATH)}"


@pytest.mark.parametrize(("path", "content_type"), [
    ("/robots.txt", "text/plain; charset=utf-8"),
    ("/rss/", "application/rss+xml; charset=utf-8"),
    ("/sitemap.xml", "application/xml; charset=utf-8"),
    ("/sitemap_news.xml", "application/xml; charset=utf-8"),
])
def test_feeds_and_robots(site_server: RunningServer, path: str, content_type: str) -> None:
    response, body = get(site_server, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == content_type
    assert body == page(path)


# --- transfer: gzip, chunked, conditional requests ------------------------------------------------------


def test_gzip_when_accepted_with_the_compressed_length(site_server: RunningServer) -> None:
    response, body = get(site_server, SEED_PATH, {"Accept-Encoding": "gzip, deflate, br"})
    assert response.getheader("Content-Encoding") == "gzip"
    assert int(response.getheader("Content-Length")) == len(body) < len(page(SEED_PATH))
    assert gzip.decompress(body) == page(SEED_PATH)
    plain, plain_body = get(site_server, SEED_PATH, {"Accept-Encoding": "identity"})
    assert plain.getheader("Content-Encoding") is None
    assert plain_body == page(SEED_PATH)


def test_chunked_routes_are_sent_chunked(site_server: RunningServer) -> None:
    assert ROUTES[STORY_PATH]["chunked"] and not ROUTES[SEED_PATH]["chunked"]
    response, body = get(site_server, STORY_PATH)
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert response.getheader("Content-Length") is None
    assert body == page(STORY_PATH)
    gz, gz_body = get(site_server, STORY_PATH, {"Accept-Encoding": "gzip"})
    assert gz.getheader("Transfer-Encoding") == "chunked"
    assert gzip.decompress(gz_body) == page(STORY_PATH)
    assert get(site_server, SEED_PATH)[0].getheader("Transfer-Encoding") is None


def test_conditional_requests_answer_304(site_server: RunningServer) -> None:
    route = ROUTES[SEED_PATH]
    by_etag, body = get(site_server, SEED_PATH, {"If-None-Match": route["etag"]})
    assert (by_etag.status, body) == (304, b"")
    gz_etag = get(site_server, SEED_PATH, {"Accept-Encoding": "gzip"})[0].getheader("ETag")
    assert get(site_server, SEED_PATH, {"Accept-Encoding": "gzip", "If-None-Match": gz_etag})[0].status == 304
    assert get(site_server, SEED_PATH, {"If-Modified-Since": route["last_modified"]})[0].status == 304
    assert get(site_server, SEED_PATH, {"If-None-Match": '"other"'})[0].status == 200
    assert get(site_server, SEED_PATH, {"If-Modified-Since": "Mon, 30 Nov 2015 00:00:00 GMT"})[0].status == 200


def test_head_has_headers_and_no_body(site_server: RunningServer) -> None:
    response, body = raw_get(site_server, SEED_PATH.encode(), method=b"HEAD")
    assert response.status == 200
    assert body == b""
    assert int(response.getheader("Content-Length")) == len(page(SEED_PATH))


# --- proxy --------------------------------------------------------------------------------------


def proxied(server: RunningServer, url: str) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", url)
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def test_absolute_form_proxy_requests(site_server: RunningServer) -> None:
    response, body = proxied(site_server, "http://arabic.rt.com" + quote(SEED_PATH))
    assert response.status == 200
    assert body == page(SEED_PATH)
    redirect, _ = proxied(site_server, "http://arabic.rt.com/world/801234/")
    assert redirect.getheader("Location") == "https://arabic.rt.com" + quote(SEED_PATH)


def test_other_hosts_get_502(site_server: RunningServer) -> None:
    assert proxied(site_server, "http://example.com/")[0].status == 502
    conn = http.client.HTTPSConnection("127.0.0.1", site_server.port, timeout=10,
                                       context=ssl._create_unverified_context())
    conn.set_tunnel("example.com", 443)
    with pytest.raises(OSError, match="502"):
        conn.request("GET", "/")
    conn.close()


def test_connect_tunnel_is_tls_with_a_certificate_for_the_site(start_site_server, tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    server = start_site_server("t1", "--cert-out", str(cert))
    context = ssl.create_default_context(cafile=str(cert))  # verifies the chain and the host name
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=10, context=context)
    conn.set_tunnel("arabic.rt.com", 443)
    conn.request("GET", quote(SEED_PATH) + "?utm_source=x", headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    assert response.status == 200
    assert gzip.decompress(response.read()) == page(SEED_PATH)
    conn.request("GET", "/robots.txt")  # the tunnel stays open for further requests
    assert conn.getresponse().read() == page("/robots.txt")
    conn.close()
    log = server.requests()
    assert [(r["method"], r["scheme"], r["host"], r["path"], r["status"]) for r in log] == [
        ("CONNECT", None, "arabic.rt.com", "arabic.rt.com:443", 200),
        ("GET", "https", "arabic.rt.com", SEED_PATH, 200),
        ("GET", "https", "arabic.rt.com", "/robots.txt", 200),
    ]
    assert server.fetched_paths() == [SEED_PATH + "?utm_source=x", "/robots.txt"]


def test_image_host_answers_a_placeholder(site_server: RunningServer) -> None:
    response, body = proxied(site_server, "http://cdni.rt.com/media/pics/2015.12/original/1b21981c12159862afbc915e.jpg")
    assert response.status == 200
    assert response.getheader("Content-Type") == "image/png"
    assert body.startswith(b"\x89PNG\r\n\x1a\n") and len(body) < 200


def test_every_request_is_one_log_line(site_server: RunningServer) -> None:
    mark = site_server.mark()
    get(site_server, "/robots.txt")
    get(site_server, quote("/world/801234/"))
    proxied(site_server, "http://example.com/x")
    assert [(r["method"], r["scheme"], r["host"], r["path"], r["status"]) for r in site_server.requests(mark)] == [
        ("GET", "http", "arabic.rt.com", "/robots.txt", 200),
        ("GET", "http", "arabic.rt.com", "/world/801234/", 301),
        ("GET", "http", "example.com", "/x", 502),
    ]


# --- faults ---------------------------------------------------------------------------------------------


ARTICLE_PATHS = [r["path"] for r in MANIFEST["routes"] if r.get("kind") == "article"]


def outcomes(server: RunningServer, attempts: int = 3) -> list[object]:
    """Status (or the exception name) of each request, for every article page, ``attempts`` times each."""
    seen: list[object] = []
    for _ in range(attempts):
        for path in ARTICLE_PATHS:
            try:
                seen.append(get(server, path)[0].status)
            except (ConnectionError, http.client.HTTPException) as exc:
                seen.append(type(exc).__name__)
    return seen


def test_fault_injection_is_reproducible_from_the_seed(start_site_server) -> None:
    args = ("--fault-rate", "0.5", "--fault-kinds", "500,502,503,reset")
    first = outcomes(start_site_server("t1", *args, "--seed", "7"))
    again = outcomes(start_site_server("t1", *args, "--seed", "7"))
    other = outcomes(start_site_server("t1", *args, "--seed", "8"))
    assert first == again
    assert first != other
    failures = [o for o in first if o != 200]
    assert 0.25 * len(first) < len(failures) < 0.75 * len(first)
    assert {500, 502, 503} <= set(failures)
    assert any(isinstance(o, str) for o in failures)  # a connection closed without an answer


def test_503_fault_carries_retry_after(start_site_server) -> None:
    server = start_site_server("t1", "--fault-rate", "1", "--fault-kinds", "503")
    response, _ = get(server, SEED_PATH)
    assert response.status == 503
    assert response.getheader("Retry-After") == "1"
    assert server.requests()[-1]["fault"] == "503"


def test_reset_fault_closes_without_an_answer(start_site_server) -> None:
    server = start_site_server("t1", "--fault-rate", "1", "--fault-kinds", "reset")
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        get(server, SEED_PATH)
    assert server.requests()[-1]["fault"] == "reset"


def test_timeout_fault_hangs_then_closes(start_site_server) -> None:
    server = start_site_server("t1", "--fault-rate", "1", "--fault-kinds", "timeout", "--hang-ms", "400")
    started = time.monotonic()
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        get(server, SEED_PATH)
    assert time.monotonic() - started >= 0.4


def test_truncated_fault_sends_half_a_gzip_body_with_a_matching_length(start_site_server) -> None:
    server = start_site_server("t1", "--fault-rate", "1", "--fault-kinds", "truncated")
    response, body = get(server, SEED_PATH, {"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert int(response.getheader("Content-Length")) == len(body)
    with pytest.raises(EOFError):
        gzip.decompress(body)
    partial = zlib.decompressobj(wbits=31).decompress(body)
    assert 0 < len(partial) < len(page(SEED_PATH))
    assert page(SEED_PATH).startswith(partial)


def test_delay(start_site_server) -> None:
    server = start_site_server("t1", "--delay-ms", "300")
    started = time.monotonic()
    assert get(server, "/robots.txt")[0].status == 200
    assert time.monotonic() - started >= 0.3


def test_bad_options_are_one_line_errors() -> None:
    proc = subprocess.run([sys.executable, "-m", "tests.server", "--snapshot", str(T1), "--fault-kinds", "500,boom"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "--fault-kinds: unknown kind(s) boom" in proc.stderr
    assert proc.stdout == ""


# --- snapshots ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("snapshot", ["t1", "t2"])
def test_manifest_headers_describe_the_files(snapshot: str) -> None:
    import hashlib

    manifest = json.loads((SITE_DIR / snapshot / "manifest.json").read_text(encoding="utf-8"))
    served = [r for r in manifest["routes"] if r["status"] == 200]
    assert served
    for route in served:
        body = (SITE_DIR / snapshot / route["file"]).read_bytes()
        assert route["etag"] == '"%s"' % hashlib.sha1(body).hexdigest()[:20], route["path"]
        assert route["length"] == len(body), route["path"]


def test_t2_differs_from_t1_only_where_documented() -> None:
    def files(snapshot: str) -> dict[str, bytes]:
        root = SITE_DIR / snapshot
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    t1, t2 = files("t1"), files("t2")
    changed = {name for name in t1.keys() & t2.keys() if t1[name] != t2[name]}
    assert changed == {"manifest.json", "gold/index.json", "gold/801234.json", "gold/812450.json",
                       "pages/article/801234.html", "pages/article/812450.html",
                       "pages/story/4521-p1.html", "pages/story/4521-p2.html"}
    assert t1.keys() - t2.keys() == {"pages/article/822107.html", "gold/822107.json"}
    assert t2.keys() - t1.keys() == {"pages/article/826034.html", "pages/article/826577.html",
                                     "gold/826034.json", "gold/826577.json"}
    edited = t2["pages/article/812450.html"].decode()
    assert '"dateModified": "2016-07-14T11:20:00+03:00"' in edited
    assert "822107" not in t2["pages/story/4521-p1.html"].decode() + t2["pages/article/801234.html"].decode()


def test_t2_serves_the_removed_article_as_410_and_the_new_ones(start_site_server) -> None:
    server = start_site_server("t2")
    index = json.loads((SITE_DIR / "t2" / "gold" / "index.json").read_text(encoding="utf-8"))
    removed_path = index["removed"][0][len("https://arabic.rt.com"):]
    response, body = get(server, removed_path)
    assert response.status == 410
    assert body == (SITE_DIR / "t2" / MANIFEST["gone"]["file"]).read_bytes()
    short, _ = get(server, "/world/822107/")
    assert short.status == 301 and short.getheader("Location").endswith(quote(removed_path))
    for url in index["new"]:
        response, body = get(server, url[len("https://arabic.rt.com"):])
        assert response.status == 200
        assert f'<link rel="canonical" href="{url}">'.encode() in body
    story, body = get(server, STORY_PATH)
    assert story.status == 200
    for url in index["new"]:
        assert f'href="{url[len("https://arabic.rt.com"):]}"'.encode() in body
