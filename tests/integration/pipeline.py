"""A whole pipeline for one test module: own topics (prefix), own consumer groups, own database."""
from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from devstack.services import SERVICES
from devstack.stack import run_settings, start_services
from services.common.child_env import child_env
from services.common.db import make_engine


class Pipeline:
    def __init__(self, bootstrap: str, postgres, log_dir: Path, partitions: int = 3, **fields: Any) -> None:
        """``fields``: settings of this pipeline's services beyond the defaults, by their Settings names."""
        database_url = postgres.create_database(f"hk_{uuid.uuid4().hex[:8]}")
        self.settings = run_settings(bootstrap, database_url, shared_broker=True, partitions=partitions,
                                     batch_seconds=0.2, **fields)
        self.env = child_env(self.settings)  # for a test that starts more processes like these
        self.engine = make_engine(database_url)
        self.services = start_services(self.settings, log_dir, SERVICES)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.settings.ingest_port}",
                                 headers={"Authorization": "Bearer dev-key"}, timeout=30)

    def metrics_targets(self) -> dict[str, int]:
        """Each service's /metrics port, by Prometheus job name."""
        return {s: self.services.metrics_port(s) for s in ("ingest", "attribution", "aggregator")}

    def post(self, events: list[dict]) -> httpx.Response:
        return self.http.post("/v1/events", json=events)

    def query(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def wait_for(self, sql: str, expected, timeout_s: float = 60.0, **params):
        """Poll until the query returns ``expected``; fail with the last value seen."""
        return eventually(lambda: self.query(sql, **params), lambda rows: rows == expected, timeout_s,
                          f"{sql}\nexpected {expected!r}")

    def close(self) -> None:
        self.http.close()
        self.services.stop_all()
        self.engine.dispose()


def eventually(read, ok, timeout_s: float = 60.0, what: str = ""):
    """Call ``read`` until ``ok(value)``; return the value, or fail with the last one seen."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = read()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout_s:.0f}s: {what}\nlast seen {value!r}")
        time.sleep(0.1)


def metric(pipeline: Pipeline, process: str, name: str, **labels) -> float:
    text = httpx.get(f"http://127.0.0.1:{pipeline.services.metrics_port(process)}/metrics").text
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = rf"^{re.escape(name)}\{{{re.escape(want)}\}} (\S+)$" if labels else rf"^{re.escape(name)} (\S+)$"
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else 0.0
