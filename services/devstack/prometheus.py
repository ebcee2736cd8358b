"""A real Prometheus (Debian's package) for the tests: deploy/prometheus's config and rules, scraping given
loopback ports every second."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import yaml

from .ports import free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


class PrometheusServer:
    def __init__(self, targets: dict[str, int]) -> None:
        self.targets, self.dir, self.proc = targets, Path(tempfile.mkdtemp(prefix="hk-prom-")), None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def config(self) -> dict:
        """The deployed config with the jobs pointed at loopback ports and 1 s intervals."""
        cfg = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
        cfg["global"].update(scrape_interval="1s", evaluation_interval="1s")
        cfg["rule_files"] = [str(DEPLOY / r) for r in cfg["rule_files"]]
        for job in cfg["scrape_configs"]:
            job["static_configs"] = [{"targets": [f"127.0.0.1:{self.targets[job['job_name']]}"]}]
        return cfg

    def start(self, timeout_s: float = 30) -> "PrometheusServer":
        binary = shutil.which("prometheus")
        if not binary:
            raise RuntimeError("prometheus is not installed (Debian package 'prometheus'; .ci/run installs it)")
        (self.dir / "prometheus.yml").write_text(yaml.safe_dump(self.config()))
        self.proc = subprocess.Popen(
            [binary, f"--config.file={self.dir / 'prometheus.yml'}", f"--storage.tsdb.path={self.dir / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=(self.dir / "log").open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"Prometheus did not become ready; see {self.dir / 'log'}")

    def query(self, expr: str) -> list[dict]:
        body = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10).json()
        if body["status"] != "success":
            raise AssertionError(f"{expr}: {body}")
        return body["data"]["result"]

    def cleanup(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)
