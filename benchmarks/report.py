"""The machine's description, the results table, the target checks and results.json."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.children import ROOT


@dataclass
class Row:
    name: str
    status: str = "ok"  # ok | pending | error | incomplete
    pages: int | None = None
    pages_per_s: float | None = None  # over wall time
    pages_per_cpu_s: float | None = None  # pages per CPU-second: the rate on one dedicated core
    cpu_ms_per_page: float | None = None
    peak_rss_mb: float | None = None
    startup_cpu_s: float | None = None  # crawls: CPU before spider_opened and after spider_closed
    note: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Target:
    name: str
    verdict: str  # PASS | FAIL | PENDING
    measured: str


def machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""

    return {
        "cpu_model": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "versions": {d: version(d) for d in ("scrapy", "twisted", "lxml", "parsel", "warcio", "trafilatura", "fastwarc")},
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _fmt(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def table(rows: list[Row]) -> str:
    head = ["measurement", "pages", "pages/s (wall)", "pages/CPU-s", "CPU ms/page", "start-up CPU s", "peak RSS MB", "status", "notes"]
    lines = [head]
    for r in rows:
        lines.append([r.name, _fmt(r.pages), _fmt(r.pages_per_s), _fmt(r.pages_per_cpu_s), _fmt(r.cpu_ms_per_page, 2), _fmt(r.startup_cpu_s, 2), _fmt(r.peak_rss_mb), r.status, r.note])
    return _markdown(lines)


def targets_table(targets: list[Target]) -> str:
    return _markdown([["target", "verdict", "measured"]] + [[t.name, t.verdict, t.measured] for t in targets])


def _markdown(lines: list[list[str]]) -> str:
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(lines[0]))]
    out = []
    for k, line in enumerate(lines):
        out.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths)) + " |")
        if k == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def write(path: Path, md_path: Path, *, machine_info: dict[str, Any], args: dict[str, Any], archive: dict[str, Any], rows: list[Row], targets: list[Target], elapsed_s: float) -> None:
    data = {
        "machine": machine_info,
        "args": args,
        "archive": archive,
        "elapsed_s": round(elapsed_s, 1),
        "rows": [asdict(r) for r in rows],
        "targets": [asdict(t) for t in targets],
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    m = machine_info
    header = (
        f"Latest run: {m['date']}, commit {m['git_commit']}{' (dirty)' if m['git_dirty'] else ''}; "
        f"{m['cpu_model']}, {m['cores']} cores, {m['ram_gb']} GB RAM, Python {m['python']}, "
        f"Scrapy {m['versions']['scrapy']}, lxml {m['versions']['lxml']}, warcio {m['versions']['warcio']}; "
        f"`python -m benchmarks {' '.join(args.get('argv', []))}`, {archive.get('pages')} pages "
        f"(avg {archive.get('avg_page_bytes')} B of HTML), {round(elapsed_s)} s in all."
    )
    md_path.write_text(f"{header}\n\n{table(rows)}\n\n{targets_table(targets)}\n", encoding="utf-8")
