"""Start a server binary and wait until its ready endpoint answers 200 (Prometheus and Alertmanager alike)."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx


def start_until_ready(cmd: list[str], log: Path, ready_url: str, name: str, timeout_s: float = 30) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}; see {log}")
        try:
            if httpx.get(ready_url, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"{name} did not become ready within {timeout_s:.0f}s; see {log}")
