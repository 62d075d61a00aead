"""newsbot.warc.digests: the SQLite payload-digest index shared by the jobs of one ARCHIVE_DIR."""

from __future__ import annotations

import sqlite3
import threading

from newsbot.warc.digests import DigestIndex
from newsbot.warc.records import Original


def setup(tmp_path):
    (tmp_path / "job1").mkdir()
    (tmp_path / "job1" / "a.warc.gz").write_bytes(b"x")
    return DigestIndex(tmp_path / "digests.sqlite", tmp_path)


def test_first_original_wins_and_survives_reopening(tmp_path):
    index = setup(tmp_path)
    assert index.lookup("sha1:AAA") is None
    first = Original("http://a.test/", "2026-01-01T00:00:00.000001Z", "<urn:uuid:1>")
    index.add("sha1:AAA", first, "job1/a.warc.gz")
    index.add("sha1:AAA", Original("http://b.test/", "2026-01-02T00:00:00Z", "<urn:uuid:2>"), "job1/a.warc.gz")
    index.close()
    again = DigestIndex(tmp_path / "digests.sqlite", tmp_path)
    assert again.lookup("sha1:AAA") == first


def test_an_original_whose_warc_file_is_gone_is_forgotten(tmp_path):
    index = setup(tmp_path)
    index.add("sha1:AAA", Original("http://a.test/", "d", "<urn:uuid:1>"), "job2/deleted.warc.gz")
    assert index.lookup("sha1:AAA") is None
    index.add("sha1:AAA", Original("http://c.test/", "d", "<urn:uuid:3>"), "job1/a.warc.gz")
    assert index.lookup("sha1:AAA").record_id == "<urn:uuid:3>"


def test_two_crawls_can_write_at_the_same_time(tmp_path):
    setup(tmp_path).close()
    errors: list[BaseException] = []

    def crawl(name: str) -> None:
        index = DigestIndex(tmp_path / "digests.sqlite", tmp_path)
        try:
            for n in range(200):
                digest = f"sha1:{n % 150}"
                if index.lookup(digest) is None:
                    index.add(digest, Original(f"http://{name}/{n}", "d", f"<urn:{name}:{n}>"), "job1/a.warc.gz")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            index.close()

    threads = [threading.Thread(target=crawl, args=(name,)) for name in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = sqlite3.connect(tmp_path / "digests.sqlite").execute("SELECT COUNT(*) FROM payloads").fetchone()
    assert rows == (150,)


def test_payload_digest_is_sha1_base32_as_the_stdlib_makes_it():
    import base64
    import hashlib
    import os

    from newsbot.warc.records import payload_digest

    for size in (0, 1, 5, 19, 20, 21, 1000, 65_537):
        body = os.urandom(size)
        assert payload_digest(body) == "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def test_additions_are_committed_in_batches_and_at_close(tmp_path):
    import sqlite3

    from newsbot.warc import digests
    from newsbot.warc.digests import DigestIndex
    from newsbot.warc.records import Original

    (tmp_path / "job").mkdir()
    (tmp_path / "job" / "a.warc.gz").write_bytes(b"x")
    index = DigestIndex(tmp_path / "digests.sqlite", tmp_path)

    def visible() -> int:
        with sqlite3.connect(tmp_path / "digests.sqlite") as other:  # what another crawl sees
            return other.execute("SELECT COUNT(*) FROM payloads").fetchone()[0]

    for n in range(digests.BATCH_RECORDS - 1):
        index.add(f"sha1:{n}", Original("http://a.test/", "2026-01-01T00:00:00Z", f"<urn:{n}>"), "job/a.warc.gz")
    assert index.lookup("sha1:3") is not None  # this crawl sees its own additions at once
    assert visible() == 0
    index.add("sha1:last", Original("http://a.test/", "2026-01-01T00:00:00Z", "<urn:last>"), "job/a.warc.gz")
    assert visible() == digests.BATCH_RECORDS
    index.add("sha1:after", Original("http://a.test/", "2026-01-01T00:00:00Z", "<urn:after>"), "job/a.warc.gz")
    index.close()
    assert visible() == digests.BATCH_RECORDS + 1
