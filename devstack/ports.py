"""Loopback ports: pick a free one, wait until a server listens on one."""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path


_GIVEN: set[int] = set()  # ports handed out by this process: the kernel may hand a just-released one back


def free_port() -> int:
    """A loopback port nothing listens on, never one this process was given before: two calls in a row once
    gave the broker's PLAINTEXT and CONTROLLER listeners the same port, and Kafka refused to start."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _GIVEN:
            _GIVEN.add(port)
            return port


def wait_port(port: int, timeout_s: float, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}\n{tail}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout_s:.0f}s")
