"""``scrapy verify`` / ``newsbot verify``: clean archives pass, each kind of damage is one line with file and offset."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsbot.warc.verify import verify

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "warc"
BROKEN = FIXTURES / "broken"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", ["wget-seed.warc.gz", "pywb-style.warc.gz", "warcprox-style.warc.gz",
                                  "browsertrix-style.warc.gz"])
def test_clean_archives_pass(name: str) -> None:
    report = verify(FIXTURES / name)
    assert report.ok, report.problems
    assert report.records > 0 and report.digests_checked > 0


@pytest.mark.parametrize(
    ("name", "offset", "message"),
    [
        ("truncated.warc.gz", 1782, "truncated record"),
        ("bad-gzip-member.warc.gz", 593, "corrupt gzip member"),
        ("bad-digest.warc", 1700, "payload digest failed"),
        ("not-a-warc.warc", 0, "not a WARC record"),
    ],
)
def test_scrapy_verify_names_file_and_offset(name: str, offset: int, message: str) -> None:
    proc = run("-m", "scrapy", "verify", str(BROKEN / name))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("verify: error:")]
    assert any(f"{name}: byte {offset}: " in line and message in line for line in lines), proc.stderr
    assert "Traceback" not in proc.stderr


def test_good_records_of_a_damaged_file_are_still_counted() -> None:
    report = verify(BROKEN / "bad-gzip-member.warc.gz")
    assert report.records == 3  # 4 records, the second one unreadable


def test_newsbot_verify_clean_file_exits_0() -> None:
    proc = run("-m", "newsbot", "verify", str(FIXTURES / "pywb-style.warc.gz"))
    assert proc.returncode == 0, proc.stderr
    assert "OK: 1 WARC file(s), 4 records readable" in proc.stdout


def test_missing_path_exits_2() -> None:
    proc = run("-m", "scrapy", "verify", "no/such/archive")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "verify: error: no/such/archive: no such file or folder"


def test_job_folder_items_must_point_at_records(tmp_path: Path) -> None:
    job = tmp_path / "job"
    job.mkdir()
    shutil.copy(FIXTURES / "pywb-style.warc.gz", job)
    with open(job / "pywb-style.warc.gz", "rb") as fh:
        good_id = next(r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(fh) if r.rec_type == "response")
    items = [{"url": "https://example.org/pywb/page/", "warc_record_id": good_id},
             {"url": "https://example.org/other/", "warc_record_id": "<urn:uuid:00000000-0000-0000-0000-000000000000>"},
             {"url": "https://example.org/none/"}]
    (job / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    report = verify(job)
    assert report.items == 3
    assert len(report.problems) == 2
    assert "https://example.org/other/" in report.problems[0] and "is in no WARC file" in report.problems[0]
    assert "https://example.org/none/ has no warc_record_id" in report.problems[1]
