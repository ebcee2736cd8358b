"""A real Prometheus (Debian's package) for the tests: deploy/prometheus's config and rules, scraping given
loopback ports every second."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import yaml

from .ports import free_port
from .ready import start_until_ready

DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "prometheus"


class PrometheusServer:
    def __init__(self, targets: dict[str, int], alertmanager: str | None = None, alert_for: str | None = None,
                 rules: dict[str, str] | None = None) -> None:
        """``alertmanager``: host:port to send alerts to; ``alert_for``: shorten every alert's ``for:``;
        ``rules``: rule files (name → text) loaded instead of the deployed files of the same name."""
        self.targets, self.dir = targets, Path(tempfile.mkdtemp(prefix="hk-prom-"))
        self.proc: subprocess.Popen | None = None
        self.alertmanager, self.alert_for, self.rules = alertmanager, alert_for, rules or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def config(self) -> dict:
        """The deployed config with the jobs pointed at loopback ports and 1 s intervals."""
        cfg = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
        cfg["global"].update(scrape_interval="1s", evaluation_interval="1s")
        rules = self.dir / "rules"
        rules.mkdir(exist_ok=True)
        for path in (DEPLOY / "rules").glob("*.yml"):
            doc = yaml.safe_load(self.rules.get(path.name) or path.read_text())
            for rule in (r for g in doc["groups"] for r in g["rules"] if "alert" in r and self.alert_for):
                rule["for"] = self.alert_for
            (rules / path.name).write_text(yaml.safe_dump(doc))
        cfg["rule_files"] = [str(rules / "*.yml")]
        # the deployed config finds Alertmanager and the services by compose service names (Docker's DNS)
        cfg.pop("alerting", None)
        if self.alertmanager:
            cfg["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [self.alertmanager]}]}]}
        for job in cfg["scrape_configs"]:
            job.pop("dns_sd_configs", None)
            job["static_configs"] = [{"targets": [f"127.0.0.1:{self.targets[job['job_name']]}"]}]
        return cfg

    def start(self, timeout_s: float = 30) -> "PrometheusServer":
        binary = shutil.which("prometheus")
        if not binary:
            raise RuntimeError("prometheus is not installed (Debian package 'prometheus'; .ci/run installs it)")
        (self.dir / "prometheus.yml").write_text(yaml.safe_dump(self.config()))
        cmd = [binary, f"--config.file={self.dir / 'prometheus.yml'}", f"--storage.tsdb.path={self.dir / 'data'}",
               f"--web.listen-address=127.0.0.1:{self.port}"]
        self.proc = start_until_ready(cmd, self.dir / "log", f"{self.url}/-/ready", "Prometheus", timeout_s)
        return self

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
