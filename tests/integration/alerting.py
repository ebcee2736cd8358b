"""The alerting half of a real stack for one test module: a webhook listener, the real Alertmanager posting
to it, a Pipeline, and the real Prometheus scraping the pipeline's services and alerting to that Alertmanager."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

from devstack.alertmanager import AlertmanagerServer
from devstack.prometheus import PrometheusServer

from .pipeline import Pipeline
from .webhook import Webhook


@contextmanager
def alerting_stack(bootstrap: str, postgres, log_dir: Path, fields: dict[str, Any], **prometheus):
    """Yields (pipeline, webhook, alertmanager, prometheus); ``fields``: the pipeline's settings; ``prometheus``: PrometheusServer's options
    (``alert_for``, ``rules``)."""
    hook = Webhook()
    am = AlertmanagerServer(hook.url).start()
    p = Pipeline(bootstrap, postgres, log_dir, **fields)
    prom = PrometheusServer(p.metrics_targets(), alertmanager=f"127.0.0.1:{am.port}", **prometheus).start()
    try:
        yield p, hook, am, prom
    finally:
        prom.cleanup()
        p.close()
        am.cleanup()
        hook.close()
