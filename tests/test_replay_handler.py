"""WarcReplayHandler unit tests: await download_request directly (as Scrapy's own handler tests do).

Expected bodies come from the replica's page files and from independent warcio reads, never from
the handler itself.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from newsbot.job import Job
from newsbot.warc.replay import WarcReplayHandler

if TYPE_CHECKING:
    from collections.abc import Iterator

FIXTURES = Path(__file__).parent / "fixtures" / "warc"
PAGES = Path(__file__).parent / "site" / "t1" / "pages"
SEED = "https://arabic.rt.com/world/801234-علاقات-روسيا-والناتو-بين-مقتضيات-التعاون-وطموحات-الغرب/"
SEED_PERCENT = ("https://arabic.rt.com/world/801234-%D8%B9%D9%84%D8%A7%D9%82%D8%A7%D8%AA-%D8%B1%D9%88%D8%B3%D9%8A%D8%A7"
                "-%D9%88%D8%A7%D9%84%D9%86%D8%A7%D8%AA%D9%88-%D8%A8%D9%8A%D9%86-%D9%85%D9%82%D8%AA%D8%B6%D9%8A%D8%A7%D8%AA"
                "-%D8%A7%D9%84%D8%AA%D8%B9%D8%A7%D9%88%D9%86-%D9%88%D8%B7%D9%85%D9%88%D8%AD%D8%A7%D8%AA-%D8%A7%D9%84%D8%BA%D8%B1%D8%A8/")


_OPEN: list[WarcReplayHandler] = []


@pytest.fixture(autouse=True)
def _close_handlers() -> Iterator[None]:
    yield
    while _OPEN:
        handler = _OPEN.pop()
        if handler._shared.users:
            asyncio.run(handler.close())


def make_handler(tmp_path: Path, replay: Path | str, **settings: object) -> WarcReplayHandler:
    crawler = get_crawler(Spider, {"NEWSBOT_REPLAY": str(replay), "ARCHIVE_DIR": str(tmp_path / "archive"), **settings})
    handler = build_from_crawler(WarcReplayHandler, crawler)
    _OPEN.append(handler)
    return handler


def fetch(handler: WarcReplayHandler, url: str):
    return asyncio.run(handler.download_request(Request(url)))


def record_id_at(path: Path, offset: int) -> str:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return next(iter(ArchiveIterator(fh))).rec_headers.get_header("WARC-Record-ID")


def test_wget_capture_answers_percent_encoded_url_with_stored_gzip_body(tmp_path: Path) -> None:
    handler = make_handler(tmp_path, FIXTURES / "wget-seed.warc.gz")
    response = fetch(handler, SEED_PERCENT + "?utm_source=tw#comments")
    assert response.status == 200
    assert response.headers[b"Content-Encoding"] == b"gzip"  # as stored: Scrapy's middleware decodes
    assert gzip.decompress(response.body) == (PAGES / "article" / "801234.html").read_bytes()
    warc = response.meta["newsbot_warc"]
    assert warc["warc_file"] == "wget-seed.warc.gz"
    assert warc["warc_record_id"] == record_id_at(FIXTURES / "wget-seed.warc.gz", warc["warc_offset"])
    assert response.meta["newsbot_fetched_at"].endswith("+00:00")
    assert response.protocol == "HTTP/1.1"
    assert "replay" in response.flags
    assert handler.crawler.stats.get_value("newsbot/replay/hit") == 1


def test_chunked_framing_kept_by_wget_is_removed(tmp_path: Path) -> None:
    handler = make_handler(tmp_path, FIXTURES / "wget-seed.warc.gz")
    response = fetch(handler, "https://arabic.rt.com/story/4521-روسيا-والناتو/?page=2")
    assert b"Transfer-Encoding" not in response.headers
    assert gzip.decompress(response.body) == (PAGES / "story" / "4521-p2.html").read_bytes()
    assert response.headers[b"Content-Length"] == str(len(response.body)).encode()


def test_warcprox_chunked_payload_repeated_headers_and_ip(tmp_path: Path) -> None:
    handler = make_handler(tmp_path, FIXTURES / "warcprox-style.warc.gz")
    response = fetch(handler, "https://example.org/warcprox/story/?page=2")
    assert response.body.startswith("<html><body><p>warcprox نص عربي ـــ ١٢٣</p>".encode())
    assert response.body.endswith(b"</body></html>")
    assert response.headers.getlist(b"Set-Cookie") == [b"a=1", b"b=2"]
    assert str(response.ip_address) == "192.0.2.7"


def test_revisit_by_refers_to_target_uri_serves_its_own_headers_with_original_payload(tmp_path: Path) -> None:
    handler = make_handler(tmp_path, FIXTURES / "pywb-style.warc.gz")
    response = fetch(handler, "https://example.org/pywb/page/")
    assert response.headers[b"X-Fetch"] == b"second"  # the revisit's own header
    assert gzip.decompress(response.body) == "<html><body><h1>pywb سلام</h1></body></html>".encode()
    assert response.meta["newsbot_fetched_at"] == "2016-02-01T10:00:00+00:00"
    assert handler.crawler.stats.get_value("newsbot/replay/revisit") == 1


def test_revisit_by_record_id_and_by_payload_digest(tmp_path: Path) -> None:
    handler = make_handler(tmp_path, FIXTURES / "warcprox-style.warc.gz")
    by_id = fetch(handler, "https://example.org/warcprox/story/?page=2&utm_source=x")  # not a site URL: kept as is
    by_digest = fetch(handler, "https://example.org/warcprox/copy/")
    original = fetch(handler, "https://example.org/warcprox/story/?page=2")
    assert by_id.body == by_digest.body == original.body
    assert by_digest.meta["newsbot_fetched_at"] == "2017-03-06T05:06:07+00:00"


def test_unresolvable_revisit_falls_back_to_an_older_capture(tmp_path: Path) -> None:
    handler = make_handler(tmp_path, FIXTURES / "warcprox-style.warc.gz")
    response = fetch(handler, "https://example.org/warcprox/lost/")
    assert response.body == b"<p>older lost</p>"
    assert handler.crawler.stats.get_value("newsbot/replay/revisit_unresolved") == 1


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (None, b"third capture"),  # newest: the 2023 revisit of the third capture
        ("20200601", b"first capture"),
        ("20210401120000", b"second capture"),
        ("2021-08-01T01:00:00+02:00", b"second capture"),
        ("2022-06-01T00:00:00Z", b"third capture"),
    ],
)
def test_replay_at_picks_the_nearest_capture(tmp_path: Path, at: str | None, expected: bytes) -> None:
    settings = {"NEWSBOT_REPLAY_AT": at} if at else {}
    handler = make_handler(tmp_path, FIXTURES / "browsertrix-style.warc.gz", **settings)
    response = fetch(handler, "https://example.org/btrix/%D8%AE%D8%A8%D8%B1/")
    assert expected in response.body


def test_bad_replay_at_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="replay_at: .*yesterday"):
        make_handler(tmp_path, FIXTURES / "pywb-style.warc.gz", NEWSBOT_REPLAY_AT="yesterday")


def test_recorded_redirect_and_error_status_are_served_as_recorded(tmp_path: Path) -> None:
    handler = make_handler(tmp_path, FIXTURES)
    redirect = fetch(handler, "https://example.org/pywb/old/")
    assert (redirect.status, redirect.headers[b"Location"]) == (301, b"https://example.org/pywb/page/")
    assert fetch(handler, "https://example.org/btrix/gone/").status == 404


def test_miss_is_never_fetched_counted_and_listed(tmp_path: Path) -> None:
    handler = make_handler(tmp_path, FIXTURES / "wget-seed.warc.gz")
    url = "https://arabic.rt.com/world/999999-not-archived/"
    with pytest.raises(IgnoreRequest, match="999999-not-archived"):
        fetch(handler, url)
    assert handler.crawler.stats.get_value("newsbot/replay/miss") == 1
    asyncio.run(handler.close())
    job = Job.of(handler.crawler)
    misses = [json.loads(line) for line in job.path("replay_misses.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [m["url"] for m in misses] == [url]
    report = json.loads(job.path("replay.json").read_text(encoding="utf-8"))
    assert report["counts"]["miss"] == 1 and report["finished"] is True
    assert report["warc_files"] == ["wget-seed.warc.gz"]


def test_missing_robots_txt_is_a_404_not_a_miss(tmp_path: Path) -> None:
    handler = make_handler(tmp_path, FIXTURES / "pywb-style.warc.gz")
    response = fetch(handler, "https://example.org/robots.txt")
    assert response.status == 404
    assert handler.crawler.stats.get_value("newsbot/replay/miss") is None


def test_damaged_files_still_serve_their_good_records_and_report_bad_offsets(tmp_path: Path) -> None:
    handler = make_handler(tmp_path, FIXTURES / "broken")
    bodies = {}
    for n in range(4):
        try:
            bodies[n] = fetch(handler, f"https://example.org/broken/{n}/").body
        except IgnoreRequest:
            bodies[n] = None
    # record 1 is lost only in the file with the bad gzip member; 3 only in the truncated one
    assert all(bodies[n] and bodies[n].startswith(f"<html><body>record {n} ".encode()) for n in range(4))
    bad = {(e.source.name, e.offset) for e in handler.index.errors}
    assert ("bad-gzip-member.warc.gz", 593) in bad
    assert ("truncated.warc.gz", 1782) in bad
    assert ("not-a-warc.warc", 0) in bad
    asyncio.run(handler.close())
    report = json.loads(Job.of(handler.crawler).path("replay.json").read_text(encoding="utf-8"))
    assert {"warc_file": "truncated.warc.gz", "offset": 1782} in [
        {k: b[k] for k in ("warc_file", "offset")} for b in report["bad_records"]
    ]


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_wacz_input(tmp_path: Path, compression: int) -> None:
    wacz = tmp_path / "capture.wacz"
    with zipfile.ZipFile(wacz, "w", compression=compression) as zf:
        zf.writestr("datapackage.json", "{}")
        zf.write(FIXTURES / "pywb-style.warc.gz", "archive/data.warc.gz")
    handler = make_handler(tmp_path, wacz)
    response = fetch(handler, "https://example.org/pywb/page/")
    assert gzip.decompress(response.body).startswith(b"<html><body><h1>pywb")
    assert response.meta["newsbot_warc"]["warc_file"] == "capture.wacz#archive/data.warc.gz"


def test_folder_input_is_searched_recursively_and_indexed_once(tmp_path: Path) -> None:
    folder = tmp_path / "in" / "deep"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "warcprox-style.warc.gz", folder)
    crawler = get_crawler(Spider, {"NEWSBOT_REPLAY": str(tmp_path / "in"), "ARCHIVE_DIR": str(tmp_path / "archive")})
    http, https = build_from_crawler(WarcReplayHandler, crawler), build_from_crawler(WarcReplayHandler, crawler)
    _OPEN.extend([http, https])
    assert http.index is https.index
    response = asyncio.run(https.download_request(Request("https://example.org/warcprox/copy/")))
    assert response.meta["newsbot_warc"]["warc_file"] == "deep/warcprox-style.warc.gz"


def test_not_an_archive_path_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"replay: .*no such file or folder"):
        make_handler(tmp_path, tmp_path / "nothing-here")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match=r"no \.warc, \.warc\.gz or \.wacz file"):
        make_handler(tmp_path, empty)


def test_progress_line_on_a_terminal(tmp_path: Path) -> None:
    from newsbot.warc.progress import ReplayProgress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    crawler = get_crawler(Spider, {"NEWSBOT_REPLAY": str(FIXTURES), "ARCHIVE_DIR": str(tmp_path)})
    stream = Tty()
    progress = ReplayProgress(crawler, stream=stream)
    crawler.stats.set_value("newsbot/replay/hit", 42)
    progress.report()
    assert stream.getvalue().startswith("\rreplay: 42 records done")
    assert "pages/s" in stream.getvalue()
