"""A small fault-injecting HTTP server for the reliability tests (127.0.0.1, port 0, in a thread).

Serves an index page linking to article-like pages (``/a/<n>/``) built from :func:`article_text`,
gzip-compressed when the client accepts it, plus odd pages under ``/odd/``. With
``fault_rate`` > 0, that share of requests get a transient fault chosen by a seeded hash of
(seed, path, n-th request of that path): 500 with Retry-After, 503, a reset connection, a
stall longer than the client's timeout, a gzip body cut short, a body shorter than its
Content-Length, or an empty 200. Every request is logged (host header, path, fault).
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

FAULTS = ("500", "503", "reset", "stall", "gzip_cut", "short_body", "empty")

# Arabic text with diacritics, tatweel and Arabic-Indic digits: must survive byte for byte.
_WORDS = ["علاقات", "روسيا", "والناتو", "بين", "مقتضيات", "التعاون", "وطموحات", "الغرب", "مُـجلس", "٢٠١٥"]


#: pages served in windows-1256, which has no Arabic-Indic digits
LEGACY = frozenset({101, 102})


def article_text(n: int) -> dict[str, Any]:
    """The source of article ``n``: what a correct crawl must end up with."""
    words = _WORDS[:-1] if n in LEGACY else _WORDS
    title = f"{words[n % len(words)]} {words[(n + 3) % len(words)]} رقم {n}"
    paragraphs = [" ".join(words[(n + i + k) % len(words)] for k in range(6)) + f" ({n}.{i})" for i in range(3)]
    return {"title": title, "body_paragraphs": paragraphs, "published": f"2015-12-{1 + n % 28:02d}T10:00:00+00:00"}


def article_html(n: int, css_class: str = "article", charset: str = "utf-8") -> str:
    a = article_text(n)
    paras = "".join(f"<p>{p}</p>" for p in a["body_paragraphs"])
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="{charset}"><title>{a["title"]}</title></head>'
            f'<body><article class="{css_class}"><h1>{a["title"]}</h1><time datetime="{a["published"]}"></time>'
            f"{paras}</article></body></html>")


@dataclass
class Config:
    articles: int = 10
    fault_rate: float = 0.0
    seed: int = 0
    stall: float = 1.5  # seconds a "stall" fault waits (longer than the client's DOWNLOAD_TIMEOUT)
    robots: str = "ok"  # ok | 503 | garbage
    odd: bool = False  # link the /odd/ pages from the index
    extra_links: list[str] = field(default_factory=list)


ODD_PAGES = (
    "/odd/wrong-charset/", "/odd/no-charset/", "/odd/pdf/", "/odd/huge/", "/odd/loop-a/", "/odd/empty/",
    "/odd/not-article/", "/odd/boom/", "/odd/bomb/", "/odd/redirect-out/", "/odd/gzip-broken/", "/odd/fallback-1/",
    "/odd/fallback-2/", "/odd/missing/",
)
HUGE_SIZE = 300_000


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FaultServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        srv = self.server
        path = self.path.split("?")[0]
        with srv.lock:
            n = srv.counts.get(path, 0)
            srv.counts[path] = n + 1
        fault = srv.pick_fault(path, n)
        srv.log.append({"host": self.headers.get("Host", ""), "path": path, "fault": fault})
        if fault:
            return self.fault(fault, path)
        return self.serve(path)

    # --- normal pages -------------------------------------------------------------------------
    def serve(self, path: str) -> None:
        cfg = self.server.config
        if path == "/robots.txt":
            if cfg.robots == "503":
                return self.send(503, b"<html><body>Service Unavailable</body></html>", "text/html")
            if cfg.robots == "garbage":
                return self.send(200, bytes(range(256)) * 4, "application/octet-stream")
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/":
            links = [f"/a/{i}/" for i in range(cfg.articles)] + (list(ODD_PAGES) if cfg.odd else []) + cfg.extra_links
            body = "".join(f'<a href="{u}">{u}</a> ' for u in links)
            return self.send(200, f"<html><body>{body}</body></html>".encode(), "text/html; charset=utf-8")
        if path.startswith("/a/") and path[3:-1].isdigit():
            return self.send(200, article_html(int(path[3:-1])).encode(), "text/html; charset=utf-8")
        if path.startswith("/odd/"):
            return self.odd(path)
        return self.send(404, b"<html><body>not found</body></html>", "text/html")

    def odd(self, path: str) -> None:
        port = self.server.server_address[1]
        if path == "/odd/wrong-charset/":  # header says UTF-8, bytes are windows-1256
            return self.send(200, article_html(101, charset="utf-8").encode("cp1256"), "text/html; charset=utf-8")
        if path == "/odd/no-charset/":  # no charset anywhere, bytes are windows-1256
            html = article_html(102).replace('<meta charset="utf-8">', "")
            return self.send(200, html.encode("cp1256"), "text/html")
        if path == "/odd/pdf/":
            return self.send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)), "application/pdf")
        if path == "/odd/huge/":  # Content-Length over DOWNLOAD_MAXSIZE
            body = b"<html><body>" + b"x" * HUGE_SIZE + b"</body></html>"
            return self.send(200, body, "text/html", encoding="identity")
        if path == "/odd/bomb/":  # small on the wire, over DOWNLOAD_MAXSIZE once decompressed
            return self.send(200, b"<html><body>" + b"x" * HUGE_SIZE + b"</body></html>", "text/html")
        if path == "/odd/loop-a/":
            return self.redirect("/odd/loop-b/")
        if path == "/odd/loop-b/":
            return self.redirect("/odd/loop-a/")
        if path == "/odd/empty/":
            return self.send(200, b"", "text/html; charset=utf-8")
        if path == "/odd/not-article/":
            return self.send(200, b"<html><body><p>no heading here</p></body></html>", "text/html; charset=utf-8")
        if path == "/odd/boom/":
            return self.send(200, b"<html><body><h1 class='boom'>x</h1></body></html>", "text/html; charset=utf-8")
        if path == "/odd/redirect-out/":
            return self.redirect(f"http://localhost:{port}/a/1/")
        if path == "/odd/gzip-broken/":
            body = gzip.compress(article_html(103).encode(), 6)
            return self.send(200, body[: len(body) // 2], "text/html; charset=utf-8", encoding="gzip")
        if path.startswith("/odd/fallback-"):
            n = 110 + int(path[-2])
            return self.send(200, article_html(n, css_class="fallback").encode(), "text/html; charset=utf-8")
        return self.send(404, b"<html><body>not found</body></html>", "text/html")

    # --- faults -------------------------------------------------------------------------------
    def fault(self, fault: str, path: str) -> None:
        if fault == "500":
            return self.send(500, b"<html>injected 500</html>", "text/html", extra={"Retry-After": "1"})
        if fault == "503":
            return self.send(503, b"<html>injected 503</html>", "text/html")
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            return None
        if fault == "stall":
            time.sleep(self.server.config.stall)
            self.close_connection = True
            return None
        if fault == "gzip_cut":
            body = gzip.compress(self.page_bytes(path), 6)
            return self.send(200, body[: max(20, len(body) * 2 // 3)], "text/html; charset=utf-8", encoding="gzip")
        if fault == "short_body":
            body = self.page_bytes(path)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        if fault == "empty":
            return self.send(200, b"", "text/html; charset=utf-8")
        raise AssertionError(fault)

    def page_bytes(self, path: str) -> bytes:
        if path.startswith("/a/") and path[3:-1].isdigit():
            return article_html(int(path[3:-1])).encode()
        return b"<html><body>" + b"filler " * 200 + b"</body></html>"

    # --- plumbing -----------------------------------------------------------------------------
    def redirect(self, location: str) -> None:
        self.send(302, b"", "text/html", extra={"Location": location})

    def send(self, status: int, body: bytes, ctype: str, encoding: str | None = None,
             extra: dict[str, str] | None = None) -> None:
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if encoding is None and accepts_gzip and len(body) > 200 and status == 200:
            body, encoding = gzip.compress(body, 6), "gzip"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if encoding and encoding != "identity":
            self.send_header("Content-Encoding", encoding)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class FaultServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, config: Config) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.config = config
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.log: list[dict[str, str | None]] = []
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Client-side resets are expected (timeouts); anything else is kept for the test to check.
        import sys  # noqa: PLC0415

        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            self.errors.append(repr(exc))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def pick_fault(self, path: str, n: int) -> str | None:
        if self.config.fault_rate <= 0 or path.startswith("/odd/"):
            return None
        h = hashlib.sha256(f"{self.config.seed}|{path}|{n}".encode()).digest()
        if int.from_bytes(h[:4], "big") / 2**32 >= self.config.fault_rate:
            return None
        return FAULTS[h[4] % len(FAULTS)]

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
