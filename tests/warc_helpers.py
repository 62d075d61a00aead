"""Helpers for the WARC tests: a raw-socket HTTP server that logs the exact bytes it sends, and a tiny
test spider run with ``CrawlerProcess`` in a subprocess (``python -m tests.warc_helpers ...``).

The server writes every response byte itself (status line, header case and order, chunked framing),
so a test can compare what the WARC stored with what went over the wire, byte for byte.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent

# --- the wire server --------------------------------------------------------------------------


@dataclass
class Route:
    status_line: bytes = b"HTTP/1.1 200 OK"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    #: sizes of the chunks to send with Transfer-Encoding: chunked; None = Content-Length framing
    chunks: list[int] | None = None
    hang: bool = False


@dataclass
class Exchange:
    request: bytes  # request head as received
    path: str  # request target (path?query)
    response: bytes  # every byte sent for the response
    entity: bytes  # the body before chunked framing (what a de-chunking client has)


def html(text: str) -> bytes:
    return f"<!doctype html><html><head><title>{text}</title></head><body><h1>{text}</h1>" \
           f"<p>{text} نص عربي مع تشكيل: مُحَمَّد ـــ ١٢٣</p><a href='/plain?x=1&y=%D8%B9'>next</a></body></html>".encode()


def standard_routes(version: int = 1) -> dict[str, Route]:
    """Plain, gzip, chunked, gzip+chunked, redirect, 404/410/500, a changing page, a hanging one."""
    h = [(b"Content-Type", b"text/html; charset=utf-8")]
    gz = gzip.compress(html("gzip page") * 20, compresslevel=6, mtime=0)
    gz_chunked = gzip.compress(html("gzip chunked page") * 20, compresslevel=6, mtime=0)
    return {
        "/robots.txt": Route(headers=[(b"Content-Type", b"text/plain")], body=b"User-agent: *\nDisallow: /private\n"),
        "/plain?x=1&y=%D8%B9": Route(
            status_line=b"HTTP/1.1 200 Alright Then",
            headers=[*h, (b"Set-Cookie", b"a=1; Path=/"), (b"x-lower-case", b"kept"),
                     (b"Set-Cookie", b"b=2; Path=/"), (b"X-Raw-Latin1", "café".encode("latin-1"))],
            body=html("plain page"),
        ),
        "/gzip": Route(headers=[*h, (b"Content-Encoding", b"gzip"), (b"Vary", b"Accept-Encoding")], body=gz),
        "/chunked": Route(headers=h, body=html("chunked page") * 30, chunks=[100, 1000, 7]),
        "/gzip-chunked": Route(headers=[*h, (b"Content-Encoding", b"gzip")], body=gz_chunked, chunks=[50, 500]),
        "/redirect": Route(status_line=b"HTTP/1.1 301 Moved Permanently", headers=[(b"Location", b"/chunked")]),
        "/missing": Route(status_line=b"HTTP/1.1 404 Not Found", headers=h, body=html("not found")),
        "/gone": Route(status_line=b"HTTP/1.1 410 Gone", headers=h, body=html("gone")),
        "/error": Route(status_line=b"HTTP/1.1 500 Internal Server Error", headers=h, body=html("error")),
        "/same-a": Route(headers=h, body=html("same payload")),
        "/same-b": Route(headers=h, body=html("same payload")),
        "/changing": Route(headers=h, body=html(f"changing page version {version}")),
        "/hang": Route(hang=True),
    }


class _Handler(socketserver.BaseRequestHandler):
    server: WireServer._TCPServer

    def handle(self) -> None:
        wire: WireServer = self.server.wire
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                data = self.request.recv(65536)
                if not data:
                    return
                buf += data
            head, _, buf = buf.partition(b"\r\n\r\n")
            target = head.split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1")
            path = target.split("://", 1)[1].split("/", 1)[1] if "://" in target else target.lstrip("/")
            route = wire.routes.get("/" + path) or Route(status_line=b"HTTP/1.1 404 Not Found", body=b"no route")
            if route.hang:
                wire.log.append(Exchange(head, "/" + path, b"", b""))
                wire.stopping.wait(60)
                return
            response = self._render(route)
            wire.log.append(Exchange(head, "/" + path, response, route.body))
            self.request.sendall(response)

    @staticmethod
    def _render(route: Route) -> bytes:
        lines = [route.status_line] + [name + b": " + value for name, value in route.headers]
        if route.chunks is None:
            lines.append(b"Content-Length: " + str(len(route.body)).encode())
            return b"\r\n".join(lines) + b"\r\n\r\n" + route.body
        lines.append(b"Transfer-Encoding: chunked")
        out, body, sizes = [], route.body, list(route.chunks)
        while body:
            size = sizes.pop(0) if sizes else len(body)
            piece, body = body[:size], body[size:]
            out.append(b"%x\r\n%s\r\n" % (len(piece), piece))
        return b"\r\n".join(lines) + b"\r\n\r\n" + b"".join(out) + b"0\r\n\r\n"


class WireServer:
    """HTTP/1.1 keep-alive server on 127.0.0.1, port 0; ``log`` has every exchange's bytes."""

    class _TCPServer(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True
        wire: WireServer

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes = routes if routes is not None else standard_routes()
        self.log: list[Exchange] = []
        self.stopping = threading.Event()
        self._server = self._TCPServer(("127.0.0.1", 0), _Handler)
        self._server.wire = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def sent(self, path: str) -> list[Exchange]:
        return [e for e in self.log if e.path == path]

    def __enter__(self) -> WireServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


# --- a crawl of the test spider in a subprocess --------------------------------------------------


def crawl_settings(archive_dir: Path, job_id: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Project settings, with only the WARC components and items.jsonl enabled, fast and local."""
    from scrapy.settings import Settings

    project = Settings()
    project.setmodule("newsbot.settings")
    mine = lambda d: {k: v for k, v in d.items() if k.startswith(("newsbot.warc.", "newsbot.extensions.items_file."))}  # noqa: E731
    settings = {
        "DOWNLOADER_MIDDLEWARES": mine(project.getdict("DOWNLOADER_MIDDLEWARES")),
        "EXTENSIONS": mine(project.getdict("EXTENSIONS")),
        "ADDONS": {},
        "ARCHIVE_DIR": str(archive_dir),
        "NEWSBOT_JOB_ID": job_id,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "RETRY_TIMES": 1,
        "LOG_LEVEL": "INFO",
    }
    settings.update(overrides or {})
    return settings


def run_crawl(
    urls: list[str],
    archive_dir: Path,
    job_id: str,
    overrides: dict[str, Any] | None = None,
    timeout: float = 60,
    proxy: str = "",
) -> subprocess.CompletedProcess[str]:
    config = {"urls": urls, "settings": crawl_settings(archive_dir, job_id, overrides), "proxy": proxy}
    return subprocess.run(
        [sys.executable, "-m", "tests.warc_helpers", json.dumps(config)],
        cwd=REPO_ROOT, env=crawl_env(), capture_output=True, text=True, timeout=timeout, check=False,
    )


def start_crawl(urls: list[str], archive_dir: Path, job_id: str, overrides: dict[str, Any] | None = None) -> subprocess.Popen[str]:
    config = {"urls": urls, "settings": crawl_settings(archive_dir, job_id, overrides)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.warc_helpers", json.dumps(config)],
        cwd=REPO_ROOT, env=crawl_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def crawl_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "newsbot.settings"
    return env


def _crawl_main(config: dict[str, Any]) -> None:
    # tests/__init__.py blanked the proxy variables at import; a crawl through the site server sets them here
    for name in ("http_proxy", "https_proxy"):
        os.environ[name] = config.get("proxy", "")

    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    class WarcTestSpider(scrapy.Spider):
        """Fetches the given URLs; each 200 HTML page becomes an item with the WARC provenance."""

        name = "warc_test"
        start_urls = config["urls"]  # for the warcinfo record, as rt_ar has them

        async def start(self):  # type: ignore[no-untyped-def]
            for url in self.start_urls:
                yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

        def parse(self, response):  # type: ignore[no-untyped-def]
            warc = response.meta.get("newsbot_warc") or {}
            yield {
                "url": response.url,
                "title": response.css("title::text").get() if hasattr(response, "css") else None,
                "related": [{"url": response.urljoin("/related-story")}],
                "extractor_version": "test-1",
                "fetched_at": response.meta.get("newsbot_fetched_at"),
                **{k: warc.get(k) for k in ("warc_file", "warc_record_id", "warc_offset")},
            }

        def failed(self, failure):  # type: ignore[no-untyped-def]
            self.logger.info("fetch failed: %s", failure.request.url)

    settings = get_project_settings()
    settings.setdict(config["settings"], priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(WarcTestSpider)
    process.start()


if __name__ == "__main__":
    _crawl_main(json.loads(sys.argv[1]))
