"""A real Alertmanager (Debian's prometheus-alertmanager) for the tests: deploy/alertmanager's config with the
webhooks pointed at a loopback listener (each keeps its path, so a listener tells the receivers apart), e-mail at a closed loopback port (tests talk only to loopback), and
the grouping timers shortened so a test does not wait minutes."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .ports import free_port
from .ready import start_until_ready

DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "alertmanager"
BINARY = "prometheus-alertmanager"


class AlertmanagerServer:
    def __init__(self, webhook_base: str, group_wait: str = "1s", group_interval: str = "2s") -> None:
        self.webhook_base, self.group_wait, self.group_interval = webhook_base, group_wait, group_interval
        self.dir = Path(tempfile.mkdtemp(prefix="hk-am-"))
        self.proc: subprocess.Popen | None = None
        self.port, self.cluster_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def config(self) -> dict:
        cfg = yaml.safe_load((DEPLOY / "alertmanager.yml").read_text())
        cfg["global"]["smtp_smarthost"] = f"127.0.0.1:{free_port()}"  # nothing listens: e-mail fails locally
        cfg["global"].pop("smtp_auth_password_file", None)
        cfg["templates"] = [str(DEPLOY / t) for t in cfg["templates"]]
        cfg["route"].update(group_wait=self.group_wait, group_interval=self.group_interval)
        for receiver in cfg["receivers"]:
            for hook in receiver.get("webhook_configs", []):
                hook["url"] = self.webhook_base.rstrip("/") + urlsplit(hook["url"]).path
        return cfg

    def start(self, timeout_s: float = 30) -> "AlertmanagerServer":
        binary = shutil.which(BINARY)
        if not binary:
            raise RuntimeError(f"{BINARY} is not installed (Debian package; .ci/run installs it)")
        (self.dir / "alertmanager.yml").write_text(yaml.safe_dump(self.config()))
        cmd = [binary, f"--config.file={self.dir / 'alertmanager.yml'}", f"--storage.path={self.dir / 'data'}",
               f"--web.listen-address=127.0.0.1:{self.port}", f"--cluster.listen-address=127.0.0.1:{self.cluster_port}"]
        self.proc = start_until_ready(cmd, self.dir / "log", f"{self.url}/-/ready", "Alertmanager", timeout_s)
        return self

    def cleanup(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)
