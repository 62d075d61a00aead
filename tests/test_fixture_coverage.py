"""The bundled coverage store (archive/fixtures/coverage-t1-t2, built by ``python -m tests.coverage_fixture``):
``newsbot coverage`` reports the t1 -> t2 changes from it offline, as the README's demo shows, and reading it
leaves the checkout as it was."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema

import newsbot.coverage
from tests.coverage_fixture import EXPECTED, SEED, TARGET, ids_by_kind
from tests.crawl_helpers import REPO_ROOT

SCHEMA = json.loads((REPO_ROOT / "newsbot" / "coverage" / "report.schema.json").read_text(encoding="utf-8"))


def test_bundled_coverage_store_reports_the_snapshots_changes(tmp_path) -> None:
    assert newsbot.coverage.__file__.startswith(str(REPO_ROOT))
    before = sorted(p.name for p in TARGET.parent.iterdir())
    html = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "newsbot", "coverage", str(TARGET.parent.relative_to(REPO_ROOT)),
                           "--json", "-", "--html", str(html)],
                          cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(report)
    (root,) = report["roots"]
    assert root["url"] == SEED
    assert ids_by_kind(root) == EXPECTED
    assert "826034" in html.read_text(encoding="utf-8")
    assert sorted(p.name for p in TARGET.parent.iterdir()) == before == ["newsbot.sqlite"]  # no -wal/-shm left
