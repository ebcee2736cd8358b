"""Run the three services as child processes (``hk ingest|attribution|aggregator``), for the demo and tests.

A process is named by its service, plus ``#N`` for extra workers of the same service: ``attribution#2``
joins the same consumer group on its own web port and data directory, so the partitions are shared.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from .ports import free_port, wait_port

SERVICES = ("ingest", "attribution", "aggregator")
STATIC_MEMBERS = {"attribution", "aggregator"}  # workers that keep a group.instance.id (HK_GROUP_INSTANCE_ID)
PORT_VARS = {"ingest": "HK_INGEST_PORT", "attribution": "HK_ATTRIBUTION_WEB_PORT", "aggregator": "HK_AGGREGATOR_WEB_PORT"}


class ServiceProcesses:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, **env}
        self.env.setdefault("HK_INGEST_METRICS_PORT", str(free_port()))
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports: dict[str, int] = {}
        log_dir.mkdir(parents=True, exist_ok=True)

    def metrics_port(self, name: str) -> int:
        """Where Prometheus scrapes ``name``: the workers serve /metrics on their web port, the ingest on its own."""
        return int(self.env["HK_INGEST_METRICS_PORT"]) if name.partition("#")[0] == "ingest" else self.port(name)

    def port(self, name: str) -> int:
        service, _, instance = name.partition("#")
        if not instance:
            return int(self.env[PORT_VARS[service]])
        return self.ports.setdefault(name, free_port())

    def start(self, name: str, wait_s: float = 60.0) -> subprocess.Popen:
        service = name.partition("#")[0]
        slug = name.replace("#", "-")
        log = self.log_dir / f"{slug}.log"
        env = {**self.env, PORT_VARS[service]: str(self.port(name)), "HK_DATA_DIR": str(self.log_dir / f"{slug}-data")}
        if service in STATIC_MEMBERS and "HK_GROUP_INSTANCE_ID" not in self.env:  # the same id at every restart: its partitions come back without a rebalance
            env["HK_GROUP_INSTANCE_ID"] = slug
        proc = subprocess.Popen([sys.executable, "-m", "services.cli", service], env=env,
                                stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        wait_port(self.port(name), wait_s, proc, log)
        return proc

    def start_all(self) -> None:
        for name in SERVICES:
            self.start(name)

    def dead(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is not None]

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown hooks, no final commit — the crash the exactly-once scheme must survive."""
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self, name: str, timeout_s: float = 30.0) -> None:
        """SIGTERM: a worker leaving the group cleanly (a rebalance hands its partitions over)."""
        proc = self.procs.pop(name)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop_all(self) -> None:
        for proc in list(self.procs.values()):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()
