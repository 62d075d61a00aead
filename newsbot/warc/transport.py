"""WireCaptureDownloadHandler: Scrapy's HTTP/1.1 handler, keeping what the wire said for the archive.

Scrapy's :class:`~scrapy.http.Response` has no reason phrase, Twisted lower-cases header
names, files connection headers (``Transfer-Encoding``, ``Connection``...) apart and drops
them, and the request's ``Host`` line is written by Twisted below every middleware. This
handler records, per exchange, the raw status line, every response header line in order
with its original case, and the request bytes exactly as written to the socket, and puts
them in ``request.meta[WIRE_META]`` as a :class:`WireCapture` for the WARC middleware.
Bodies are untouched: Twisted has already undone chunked framing, the rest is as sent.

It subclasses private classes of ``scrapy.core.downloader.handlers.http11`` (pinned
Scrapy version); the WARC middleware falls back to what the Response holds when no
capture is present (another handler, or a failed capture).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
    _ScrapyAgent,
)
from scrapy.exceptions import ResponseDataLossError
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from twisted.internet.defer import Deferred
    from twisted.web._newclient import Request as TxRequest

logger = logging.getLogger(__name__)

#: request.meta key holding the :class:`WireCapture` of the latest download of that request
WIRE_META = "newsbot_wire"


@dataclass
class WireCapture:
    """What was on the wire for one exchange (response body excluded: Scrapy has it)."""

    request_bytes: bytes
    sent_at: datetime
    status_line: bytes = b""
    #: every response header line, in order, original case: (name, value)
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


class _RecordingTransport:
    """Passes writes through to the real transport and keeps a copy of them."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.chunks.append(data)
        self._transport.write(data)

    def writeSequence(self, seq: Any) -> None:  # noqa: N802 (Twisted's name)
        seq = list(seq)
        self.chunks.extend(seq)
        self._transport.writeSequence(seq)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _CapturingParser(_LenientHTTPClientParser):
    def statusReceived(self, status: bytes) -> None:  # noqa: N802
        super().statusReceived(status)
        self._newsbot_headers: list[tuple[bytes, bytes]] = []
        self.response._newsbot_status_line = status
        self.response._newsbot_headers = self._newsbot_headers

    def headerReceived(self, name: bytes, value: bytes) -> None:  # noqa: N802
        self._newsbot_headers.append((name, value))
        super().headerReceived(name, value)


class _CapturingProtocol(_LenientHTTP11ClientProtocol):
    def request(self, request: TxRequest) -> Deferred[Any]:
        recorder = _RecordingTransport(self.transport)
        write_to = request.writeTo
        request.writeTo = lambda _transport: write_to(recorder)  # type: ignore[method-assign]
        sent_at = datetime.now(timezone.utc)
        d = super().request(request)
        if self._parser is not None:
            self._parser.__class__ = _CapturingParser

        def attach(response: Any) -> Any:
            response._newsbot_request_bytes = b"".join(recorder.chunks)
            response._newsbot_sent_at = sent_at
            return response

        d.addCallback(attach)
        return d


class _CapturingFactory(_LenientHTTP11ClientFactory):
    def buildProtocol(self, addr: Any) -> _CapturingProtocol:  # noqa: N802
        return _CapturingProtocol(self._quiescentCallback)  # type: ignore[no-untyped-call]


def _capture_of(txresponse: Any) -> WireCapture | None:
    request_bytes = getattr(txresponse, "_newsbot_request_bytes", None)
    if request_bytes is None:
        return None
    return WireCapture(
        request_bytes=request_bytes,
        sent_at=txresponse._newsbot_sent_at,
        status_line=getattr(txresponse, "_newsbot_status_line", b""),
        headers=list(getattr(txresponse, "_newsbot_headers", [])),
    )


class _CapturingAgent(_ScrapyAgent):
    def download_request(self, request: Request) -> Deferred[Response]:
        self._newsbot_request = request
        request.meta.pop(WIRE_META, None)  # a retried or redirected copy must not keep an old capture
        return super().download_request(request)

    def _cb_bodydone(self, result: Any, url: str) -> Response:
        response = super()._cb_bodydone(result, url)
        capture = _capture_of(result["txresponse"])
        if capture is not None:
            self._newsbot_request.meta[WIRE_META] = capture
        return response


class WireCaptureDownloadHandler(HTTP11DownloadHandler):
    """HTTP/1.1 download handler that stores a :class:`WireCapture` in ``request.meta``.

    With archiving off it is Scrapy's own handler: nothing would read the capture, and its cost
    belongs to archiving (the benchmark's "archiving off" crawl must not pay it).
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        from newsbot.warc.middleware import archiving_enabled  # here: the middleware imports this module

        self._capturing = archiving_enabled(crawler.settings)
        if self._capturing:
            self._pool._factory = _CapturingFactory

    async def download_request(self, request: Request) -> Response:
        if not self._capturing:
            return await super().download_request(request)
        # Same as HTTP11DownloadHandler.download_request (Scrapy 2.19), with the capturing agent.
        agent = _CapturingAgent(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                return await maybe_deferred_to_future(agent.download_request(request))
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
