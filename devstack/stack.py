"""The one way the tests, the demo and the benchmarks bring up the services: typed settings for a run (its own
ports; its own topics, consumer groups and database when it shares a broker and a server with other runs), the
database migrated and the topics created, then the services started as child processes configured from those same
settings (services/common/child_env.py), so a child reads exactly what the harness holds."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from services.aggregator.migrate import migrate
from services.common.child_env import child_env
from services.common.settings import Settings
from services.common.topics import create_topics

from .ports import free_port
from .services import ServiceProcesses


def run_settings(bootstrap: str, database_url: str, *, shared_broker: bool = False, **fields: Any) -> Settings:
    """Dev-mode settings on free ports; ``shared_broker``: topics and consumer groups of this run only (a prefix and
    an app id of its own). ``fields``: any other setting, by its Settings name."""
    run = uuid.uuid4().hex[:8]
    own: dict[str, Any] = {"topic_prefix": f"t{run}.", "app_id": f"hk-{run}"} if shared_broker else {}
    return Settings(**{"env": "dev", "kafka_bootstrap": bootstrap, "database_url": database_url,
                       "ingest_port": free_port(), "ingest_metrics_port": free_port(),
                       "attribution_web_port": free_port(), "aggregator_web_port": free_port(), **own, **fields})


def start_services(settings: Settings, log_dir: Path, names: Iterable[str]) -> ServiceProcesses:
    """Migrate, create the topics, start ``names`` (ingest, attribution, aggregator, attribution#2, …) configured by
    ``settings``."""
    migrate(settings)
    create_topics(settings)
    procs = ServiceProcesses(child_env(settings), log_dir)
    try:
        for name in names:
            procs.start(name)
    except BaseException:
        procs.stop_all()
        raise
    return procs
