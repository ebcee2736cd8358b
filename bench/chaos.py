"""The whole stack on its own broker and Postgres, and the faults a production run meets.

Every fault is timed from the moment it is injected until the part it hit serves again; a supervisor
restarts any worker that died on its own (as systemd or Kubernetes would) and counts it.
"""
from __future__ import annotations

import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from devstack.kafka import KafkaBroker
from devstack.postgres import EmbeddedPostgres
from devstack.stack import run_settings, start_services
from services.common.child_env import child_env

WORKERS = ("ingest", "attribution", "attribution#2", "aggregator", "aggregator#2")


@dataclass
class Fault:
    kind: str            # sigkill | rebalance | broker restart | postgres restart
    target: str
    at_s: float          # since the run started
    action_s: float = 0.0    # until the part hit was back (process restarted, server answering)
    recovery_s: float = 0.0  # until orders sent after it were counted in Postgres (bench/faults.py probes)


@dataclass
class Stack:
    partitions: int = 6
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hk-faults-")))
    faults: list[Fault] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)   # workers the supervisor found dead
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    workers: tuple[str, ...] = WORKERS
    fields: dict[str, Any] = field(default_factory=dict)  # the services' settings beyond the defaults, by name

    def start(self) -> "Stack":
        try:
            return self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> "Stack":
        self.broker = KafkaBroker(data_dir=self.work / "kafka").start()
        self.postgres = EmbeddedPostgres(self.work / "pg").start()
        run = uuid.uuid4().hex[:8]
        self.settings = run_settings(self.broker.bootstrap, self.postgres.create_database(f"hk_{run}"),
                                     app_id=f"hk-{run}", partitions=self.partitions, **self.fields)
        self.env = child_env(self.settings)  # what a process started beside the services needs
        self.procs = start_services(self.settings, self.work / "logs", self.workers)
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._supervise, daemon=True)
        self._watch.start()
        return self

    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self.procs.procs.items()}

    def metric(self, worker: str, name: str) -> float:
        text = httpx.get(f"http://127.0.0.1:{self.procs.port(worker)}/metrics", timeout=5).text
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))

    def _fault(self, kind: str, target: str, action) -> Fault:
        fault = Fault(kind, target, time.monotonic() - self.started)
        began = time.monotonic()
        with self._lock:
            action()
        fault.action_s = round(time.monotonic() - began, 2)
        self.faults.append(fault)
        return fault

    def sigkill(self, worker: str) -> Fault:
        return self._fault("sigkill", worker, lambda: (self.procs.kill(worker), self.procs.start(worker)))

    def leave(self, worker: str) -> Fault:
        """A clean leave: its partitions move to the other worker of the group."""
        return self._fault("rebalance (leave)", worker, lambda: self.procs.stop(worker))

    def join(self, worker: str) -> Fault:
        return self._fault("rebalance (join)", worker, lambda: self.procs.start(worker))

    def restart_broker(self, down_s: float = 3.0) -> Fault:
        def bounce():
            self.broker.stop()
            time.sleep(down_s)
            self.broker.start()
        return self._fault("broker restart", "kafka", bounce)

    def restart_postgres(self) -> Fault:
        return self._fault("postgres restart", "postgres", lambda: self.postgres.restart("immediate"))

    def _supervise(self) -> None:
        while not self._stop.wait(0.5):
            with self._lock:
                for name in self.procs.dead():
                    self.crashes.append(name)
                    self.procs.procs.pop(name)
                    self.procs.start(name)
                for name, proc in list(self.procs.procs.items()):  # the bench starts and stops workers meanwhile
                    try:
                        rss = psutil.Process(proc.pid).memory_info().rss / 2**20
                    except psutil.Error:
                        continue
                    self.peak_rss_mb[name] = max(self.peak_rss_mb.get(name, 0.0), round(rss, 1))

    def close(self) -> None:
        if watch := getattr(self, "_watch", None):
            self._stop.set()
            watch.join(5)
        for part, end in (("procs", "stop_all"), ("broker", "cleanup"), ("postgres", "cleanup")):
            if hasattr(self, part):
                getattr(getattr(self, part), end)()
