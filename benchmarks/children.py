"""Child processes of the benchmark: measured runs (pinned to one core) and the test server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROXY_VARS = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY")
#: measured runs use core 0, the server core 1 (this machine has 2)
RUN_CPU = 0
SERVER_CPU = 1


def _pin(cpu: int):  # type: ignore[no-untyped-def]
    def pin() -> None:
        if cpu < (os.cpu_count() or 1):
            os.sched_setaffinity(0, {cpu})

    return pin


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def run_child(spec: dict[str, Any], log: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``benchmarks.runner`` with ``spec``; its result plus the child's rusage under ``proc``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "benchmarks.runner", json.dumps(spec)]
    t0 = time.perf_counter()
    load0 = os.getloadavg()[0]
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(env), stdout=subprocess.PIPE, stderr=err, preexec_fn=_pin(RUN_CPU))
        out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
        _, status, ru = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.stdout:
            proc.stdout.close()
    wall = time.perf_counter() - t0
    result: dict[str, Any] = {}
    for line in out.splitlines():
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line[len("BENCH_RESULT ") :])
    result["proc"] = {
        "rc": proc.returncode,
        "wall_s": wall,
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "maxrss_mb": ru.ru_maxrss / 1024,
        # preemptions and the load average say how much other work shared the machine
        "involuntary_switches": ru.ru_nivcsw,
        "voluntary_switches": ru.ru_nvcsw,
        "loadavg_1m": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "log": str(log.relative_to(ROOT)) if log.is_relative_to(ROOT) else str(log),
    }
    if proc.returncode != 0 or "proc" not in result or len(result) == 1:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        result["proc"]["error_tail"] = tail
    return result


class Server:
    """``python -m tests.server`` on a snapshot, port 0, pinned to the other core."""

    def __init__(self, snapshot: Path, log: Path) -> None:
        self.snapshot = snapshot
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.rusage: dict[str, float] = {}

    @staticmethod
    def available() -> str | None:
        """None when tests/server.py exists, else the reason it cannot run."""
        return None if (ROOT / "tests" / "server.py").exists() else "tests/server.py does not exist yet"

    def __enter__(self) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._err = open(self.log, "wb")
        cmd = [sys.executable, "-m", "tests.server", "--snapshot", str(self.snapshot), "--port", "0"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(None), stdout=subprocess.PIPE, stderr=self._err, preexec_fn=_pin(SERVER_CPU))
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode().strip()
        if not line.startswith("http://"):
            self.__exit__()
            raise RuntimeError(f"test server did not print its URL (got {line!r}); see {self.log}")
        self.url = line.split()[0]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            _, _, ru = os.wait4(self.proc.pid, 0)
            self.proc.returncode = 0
            self.rusage = {"cpu_s": ru.ru_utime + ru.ru_stime, "maxrss_mb": ru.ru_maxrss / 1024}
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        self._err.close()

    def proxy_env(self) -> dict[str, str]:
        return {"http_proxy": self.url, "https_proxy": self.url}
