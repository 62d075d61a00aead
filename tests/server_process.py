"""The parent side of the test server: start ``python -m tests.server`` as a subprocess and read its log.

As in Scrapy's tests/mockserver (``BaseMockServer``): the child listens on port 0 and prints its URL as
the first stdout line; the parent reads that line, so ports never collide.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SITE_HOST = "arabic.rt.com"


def read_log(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The request records a server wrote to its --log file."""
    p = Path(path)
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- running it in a subprocess (tests) ----------------------------------------------------------------


@dataclass
class RunningServer:
    """A server started with :func:`start` (a subprocess): its URL, proxy URL and request log."""

    url: str
    log_path: Path
    process: subprocess.Popen[str]

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def proxy(self) -> str:
        return self.url

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """Logged requests, from the ``since``-th on (a :meth:`mark` taken before a crawl)."""
        return read_log(self.log_path)[since:]

    def mark(self) -> int:
        return len(read_log(self.log_path))

    def fetched_paths(self, host: str = SITE_HOST, since: int = 0) -> list[str]:
        """Decoded paths (with ``?query`` when there was one) of GET/HEAD requests to ``host``, in order."""
        return [r["path"] + (f"?{r['query']}" if r["query"] else "") for r in self.requests(since)
                if r["method"] in ("GET", "HEAD") and r["host"] == host]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(snapshot: str | os.PathLike[str], log_path: str | os.PathLike[str], *args: str) -> RunningServer:
    """Start ``python -m tests.server`` on port 0 and wait for its URL line."""
    root = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "tests.server", "--snapshot", str(snapshot), "--port", "0",
           "--log", str(log_path), *args]
    process = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("http://127.0.0.1:"):
        process.kill()
        raise RuntimeError(f"test server did not start ({' '.join(cmd)}): {line!r}")
    return RunningServer(url=line, log_path=Path(log_path), process=process)
