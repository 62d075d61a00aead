"""The project's own test server: serves a site snapshot (tests/site/<name>/) as arabic.rt.com.

It is a web server on 127.0.0.1 and also an HTTP proxy, so a crawler can fetch the real URLs:
absolute-form requests (``GET http://arabic.rt.com/...``) and ``CONNECT arabic.rt.com:443`` tunnels,
terminated here with a self-signed certificate made at start. ``cdni.rt.com`` answers a placeholder
image; every other host gets 502.

    python -m tests.server --snapshot tests/site/t1 [--port 0] [--log FILE] [--fault-rate F --seed N]

The first stdout line is the server's URL (``http://127.0.0.1:PORT``), as in Scrapy's mockserver,
so tests listen on port 0 and never collide. Each request is one JSON line in ``--log``
(``method``, ``scheme``, ``host``, ``path`` (decoded), ``query``, ``status``, ``fault``).

Fault injection (``--fault-rate``): whether the n-th request of a URL fails, and how, is a hash of
(seed, host, path+query, n), so a run is reproducible. Kinds (``--fault-kinds``): ``500``, ``502``,
``503`` (with ``Retry-After: 1``), ``reset`` (connection closed without an answer), ``timeout``
(no answer for ``--hang-ms``, then closed) and ``truncated`` (a gzip body cut in half, with a
Content-Length that matches the cut bytes, so only the decoder can notice).
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit

# The parent side (start a server subprocess, read its log) lives in tests/server_process.py;
# re-exported here so tests import one module.
from tests.server_process import RunningServer, read_log, start

SITE_HOST = "arabic.rt.com"
CDN_HOST = "cdni.rt.com"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
FAULT_KINDS = ("500", "502", "503", "reset", "timeout", "truncated")
#: The only query parameter the site understands; every other one (utm_*, fbclid, ...) is ignored.
PAGE_PARAM = "page"


# --- the snapshot ------------------------------------------------------------------------------


class Snapshot:
    """A snapshot directory: manifest.json (routes keyed by unicode path) and the page files."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.dir = Path(directory).resolve()
        self.manifest = json.loads((self.dir / "manifest.json").read_text(encoding="utf-8"))
        self.routes: dict[str, dict[str, Any]] = {r["path"]: r for r in self.manifest["routes"]}
        self._bodies: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def body(self, rel: str, gzipped: bool = False) -> bytes:
        key = rel + ("#gz" if gzipped else "")
        with self._lock:
            if key not in self._bodies:
                data = (self.dir / rel).read_bytes()
                self._bodies[key] = gzip.compress(data, compresslevel=6, mtime=0) if gzipped else data
            return self._bodies[key]

    def lookup(self, path: str, query: str) -> tuple[dict[str, Any] | None, str | None]:
        """(route, None), (None, redirect target) or (None, None) for a 404."""
        page = dict(parse_qsl(query, keep_blank_values=True)).get(PAGE_PARAM)
        if page is not None and page != "1":
            paged = f"{path}?{PAGE_PARAM}={page}"
            if paged in self.routes:
                return self.routes[paged], None
            if any(p.startswith(f"{path}?{PAGE_PARAM}=") for p in self.routes):
                return None, None  # a paginated page past the end
        if path in self.routes:
            return self.routes[path], None
        if not path.endswith("/") and path + "/" in self.routes:
            return None, path + "/"
        return None, None


def decode_target(target: str) -> tuple[str, str]:
    """Request-target as http.server hands it over (latin-1 decoded) -> (unicode path, query).

    Accepts raw UTF-8 bytes and %XX escapes alike; the fragment, if a client sent one, is dropped.
    """
    raw = target.encode("latin-1", "replace").split(b"#", 1)[0]
    path, _, query = raw.partition(b"?")
    return unquote_to_bytes(path).decode("utf-8", "replace") or "/", query.decode("latin-1")


# --- placeholder images and the TLS certificate ----------------------------------------------


def placeholder_png(seed: str, width: int = 16, height: int = 9) -> bytes:
    """A tiny solid-colour PNG; the colour depends on ``seed`` so images differ by URL."""
    r, g, b = hashlib.sha1(seed.encode()).digest()[:3]
    raw = b"".join(b"\x00" + bytes((r, g, b)) * width for _ in range(height))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the site and image hosts; returns (cert file, key file)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SITE_HOST)])
    now = dt.datetime.now(dt.timezone.utc)
    names = [x509.DNSName(SITE_HOST), x509.DNSName(CDN_HOST), x509.DNSName("localhost"),
             x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


# --- the request handler -------------------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    server: SiteServer

    def version_string(self) -> str:
        return "nginx"

    def __init__(self, *args: Any, tunnel_host: str | None = None, **kwargs: Any) -> None:
        self.tunnel_host = tunnel_host
        self.record: dict[str, Any] = {}
        super().__init__(*args, **kwargs)

    def parse_request(self) -> bool:
        # http.server splits the request line with str.split() on its latin-1 decoding, where the
        # bytes 0x85 and 0xA0 (inside raw UTF-8 Arabic, e.g. "م" = D9 85) count as whitespace.
        # Escaping non-ASCII bytes first keeps raw-UTF-8 targets intact; paths are unquoted later anyway.
        self.raw_requestline = re.sub(rb"[\x80-\xff]", lambda m: b"%%%02X" % m.group()[0], self.raw_requestline)
        return super().parse_request()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        pass  # one JSON line per request goes to --log instead (see log_request)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = getattr(code, "value", code)
        self.server.log_request(dict(self.record, status=status if isinstance(status, int) else None))

    # --- verbs

    def do_CONNECT(self) -> None:
        host, _, port = self.path.rpartition(":")
        self.record = {"method": "CONNECT", "scheme": None, "host": host.lower(), "path": self.path, "query": ""}
        if host.lower() not in (SITE_HOST, CDN_HOST) or port != "443":
            self._plain(502, "host not served by the test server")
            self.close_connection = True
            return
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.close_connection = True
        try:
            tls = self.server.ssl_context.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            Handler(tls, self.client_address, self.server, tunnel_host=host.lower())
        except (ssl.SSLError, OSError):
            pass
        finally:
            with _suppress_os_error():
                tls.close()

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.record = {"method": "POST", "scheme": self._scheme(), "host": SITE_HOST, "path": self.path, "query": ""}
        self._plain(405, "method not allowed")

    def do_GET(self, head: bool = False) -> None:
        target, self.direct = self.path, False
        if target.startswith(("http://", "https://")):  # absolute form: a plain proxy request
            parts = urlsplit(target)
            host = (parts.hostname or "").lower()
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        elif self.tunnel_host:
            host = self.tunnel_host
        else:
            host = self.headers.get("Host", "127.0.0.1").rsplit(":", 1)[0].lower()
        if host in LOCAL_HOSTS:
            host, self.direct = SITE_HOST, True
        path, query = decode_target(target)
        self.record = {"method": self.command, "scheme": self._scheme(), "host": host, "path": path, "query": query}
        if host not in (SITE_HOST, CDN_HOST):
            return self._plain(502, "host not served by the test server", head)
        if self.server.delay:
            time.sleep(self.server.delay)
        fault = self.server.fault_for(host, path, query)
        self.record["fault"] = fault
        if fault is not None and fault != "truncated":
            return self._fault(fault, head)
        if host == CDN_HOST:
            return self._image(path, head)
        snapshot = self.server.snapshot
        route, redirect = snapshot.lookup(path, query)
        if redirect is not None:
            return self._redirect(301, redirect, head)
        if route is None or route["status"] == 404:
            return self._page(snapshot.manifest["not_found"], head)
        if route["status"] == 410:
            return self._page(snapshot.manifest["gone"], head)
        if route["status"] in (301, 302, 307, 308):
            return self._redirect(route["status"], route["location"], head)
        return self._route(route, head, truncate=fault == "truncated")

    # --- answers

    def _route(self, route: dict[str, Any], head: bool, truncate: bool = False) -> None:
        gz = self._accepts_gzip(route["content_type"]) or truncate
        etag = route["etag"][:-1] + '-gz"' if gz else route["etag"]
        headers = [("ETag", etag), ("Last-Modified", route["last_modified"]), ("Cache-Control", "public, max-age=60"),
                   ("Vary", "Accept-Encoding")]
        if self._not_modified(route, etag):
            return self._send(304, headers, b"", head=True)
        body = self.server.snapshot.body(route["file"], gzipped=gz)
        if truncate:
            body = body[: len(body) // 2]
        headers.insert(0, ("Content-Type", route["content_type"]))
        if gz:
            headers.append(("Content-Encoding", "gzip"))
        self._send(200, headers, body, head=head, chunked=bool(route.get("chunked")))

    def _not_modified(self, route: dict[str, Any], etag: str) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return bool(tags & {"*", etag, route["etag"]})
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = email.utils.parsedate_to_datetime(if_modified_since)
                return email.utils.parsedate_to_datetime(route["last_modified"]) <= since
            except (TypeError, ValueError):
                return False
        return False

    def _page(self, spec: dict[str, Any], head: bool) -> None:
        gz = self._accepts_gzip(spec["content_type"])
        headers = [("Content-Type", spec["content_type"]), ("Cache-Control", "no-cache")]
        if gz:
            headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        self._send(spec["status"], headers, self.server.snapshot.body(spec["file"], gzipped=gz), head=head)

    def _redirect(self, status: int, location: str, head: bool) -> None:
        if location.startswith(f"https://{SITE_HOST}"):
            location = location[len(f"https://{SITE_HOST}"):]
        origin = f"http://{self.headers.get('Host', '127.0.0.1')}" if self.direct else f"https://{SITE_HOST}"
        location = quote(origin + location, safe=":/?=&%#~+,;@!$'()*")
        self._send(status, [("Location", location), ("Content-Type", "text/html; charset=utf-8")], b"", head=head)

    def _image(self, path: str, head: bool) -> None:
        headers = [("Content-Type", "image/png"), ("Cache-Control", "public, max-age=31536000")]
        self._send(200, headers, placeholder_png(path), head=head)

    def _fault(self, fault: str, head: bool) -> None:
        if fault in ("500", "502", "503"):
            headers = [("Retry-After", "1")] if fault == "503" else []
            self.close_connection = True
            return self._plain(int(fault), "injected fault", head, headers)
        # logged on arrival: before the client can see the close, and before a hang that may outlast the test
        self.server.log_request(dict(self.record, status=None))
        if fault == "timeout":
            time.sleep(self.server.hang)
        self.close_connection = True
        with _suppress_os_error():
            self.connection.shutdown(socket.SHUT_RDWR)

    def _plain(self, status: int, text: str, head: bool = False, extra: list[tuple[str, str]] | None = None) -> None:
        body = f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{status}</title></head><body><p>{text}</p></body></html>\n"
        self._send(status, [("Content-Type", "text/html; charset=utf-8"), *(extra or [])], body.encode(), head=head)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes, head: bool = False,
              chunked: bool = False) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        chunked = chunked and not head and status != 304 and self.request_version == "HTTP/1.1"
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head or status == 304:
            return
        if chunked:
            for i in range(0, len(body), 4096):
                part = body[i : i + 4096]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)

    def _accepts_gzip(self, content_type: str) -> bool:
        textual = content_type.startswith(("text/", "application/xml", "application/rss+xml", "application/json"))
        codings = [p.strip().split(";")[0].strip().lower() for p in self.headers.get("Accept-Encoding", "").split(",")]
        return textual and ("gzip" in codings or "*" in codings)

    def _scheme(self) -> str:
        return "https" if self.tunnel_host else "http"


class _suppress_os_error:
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, *_: Any) -> bool:
        return exc_type is not None and issubclass(exc_type, OSError)


# --- the server ------------------------------------------------------------------------------------


class SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, snapshot: Snapshot, port: int = 0, log_path: str | None = None, fault_rate: float = 0.0,
                 seed: int = 0, fault_kinds: tuple[str, ...] = FAULT_KINDS, hang_ms: int = 5000,
                 delay_ms: int = 0, cert_out: str | None = None) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.snapshot = snapshot
        self.fault_rate, self.seed, self.fault_kinds = fault_rate, seed, fault_kinds
        self.hang, self.delay = hang_ms / 1000, delay_ms / 1000
        self._lock = threading.Lock()
        self._attempts: dict[str, int] = {}
        self._log = open(log_path, "a", encoding="utf-8") if log_path else None  # noqa: SIM115 - closed in server_close
        self._tmp = Path(tempfile.mkdtemp(prefix="newsbot-test-server-"))
        cert_file, key_file = make_certificate(self._tmp)
        if cert_out:
            shutil.copyfile(cert_file, cert_out)
        self.ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ssl_context.load_cert_chain(cert_file, key_file)
        self.ssl_context.set_alpn_protocols(["http/1.1"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fault_for(self, host: str, path: str, query: str) -> str | None:
        """The fault for this request, or None: reproducible from (seed, URL, n-th request of it)."""
        if self.fault_rate <= 0 or not self.fault_kinds:
            return None
        key = f"{host}{path}?{query}"
        with self._lock:
            attempt = self._attempts.get(key, 0)
            self._attempts[key] = attempt + 1
        digest = hashlib.sha256(f"{self.seed}|{key}|{attempt}".encode()).digest()
        if int.from_bytes(digest[:4], "big") / 2**32 >= self.fault_rate:
            return None
        return self.fault_kinds[digest[4] % len(self.fault_kinds)]

    def log_request(self, record: dict[str, Any]) -> None:
        if self._log is None:
            return
        line = json.dumps(dict(record, time=round(time.time(), 3)), ensure_ascii=False)
        with self._lock:
            self._log.write(line + "\n")
            self._log.flush()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (OSError, ssl.SSLError)):
            super().handle_error(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        if self._log is not None:
            self._log.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


__all__ = ["RunningServer", "SiteServer", "Snapshot", "read_log", "start"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.server", description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", required=True, help="snapshot directory (holds manifest.json)")
    parser.add_argument("--port", type=int, default=0, help="0 (default): any free port")
    parser.add_argument("--log", help="append one JSON line per request to this file")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="fraction of requests that fail")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault choice")
    parser.add_argument("--fault-kinds", default=",".join(FAULT_KINDS), help=f"comma-separated subset of {FAULT_KINDS}")
    parser.add_argument("--hang-ms", type=int, default=5000, help="how long a 'timeout' fault hangs before closing")
    parser.add_argument("--delay-ms", type=int, default=0, help="wait this long before every answer")
    parser.add_argument("--cert-out", help="also write the generated certificate (PEM) here")
    args = parser.parse_args(argv)
    kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip())
    unknown = sorted(set(kinds) - set(FAULT_KINDS))
    if unknown:
        parser.error(f"--fault-kinds: unknown kind(s) {', '.join(unknown)}; known: {', '.join(FAULT_KINDS)}")
    if not 0.0 <= args.fault_rate <= 1.0:
        parser.error(f"--fault-rate: must be between 0 and 1, got {args.fault_rate}")
    server = SiteServer(Snapshot(args.snapshot), args.port, args.log, args.fault_rate, args.seed, kinds,
                        args.hang_ms, args.delay_ms, args.cert_out)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # terminate() still removes the certificate
    print(server.url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
