"""``hk grafana-push``: upload the boards and datasources to a running Grafana through its HTTP API
(grafana-client), for Grafanas not provisioned from files. ``--dry-run`` prints the plan and changes nothing."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from grafana_client import GrafanaApi
from grafana_client.client import GrafanaClientError

from .build import OUT as DASHBOARDS

DATASOURCES = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "provisioning" / "datasources" / "datasources.yaml"
COMPARED = ("name", "type", "url", "user", "jsonData", "isDefault")  # what Grafana returns; secrets it never does
# Where the datasources point when the environment does not say (the compose stack's service names). They live
# here, not in the provisioning file, because Grafana's own expansion has no ${VAR:-default}.
DEFAULTS = {"HK_GRAFANA_DB_HOST": "postgres:5432", "HK_GRAFANA_DB_NAME": "hk", "HK_GRAFANA_DB_SSLMODE": "disable",
            "HK_PROMETHEUS_URL": "http://prometheus:9090"}


@dataclass(frozen=True)
class Change:
    action: str  # create | update | unchanged
    kind: str    # dashboard | datasource
    uid: str
    title: str

    def __str__(self) -> str:
        return f"{self.action:<9} {self.kind:<10} {self.uid:<22} {self.title}"


def expand_env(text: str, env: dict[str, str]) -> str:
    """Grafana's provisioning syntax: ${VAR} and ${VAR:-default}."""
    def one(m: re.Match) -> str:
        value = env.get(m[1])
        if value is None and m[2] is None:
            raise SystemExit(f"hk grafana-push: the datasources need {m[1]} in the environment")
        return value if value is not None else m[2]
    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", one, text)


def datasources(env: dict[str, str]) -> list[dict]:
    docs = yaml.safe_load(expand_env(DATASOURCES.read_text(), {**DEFAULTS, **env}))["datasources"]
    return [{**{k: v for k, v in d.items() if k != "editable"}, "access": "proxy"} for d in docs]


def dashboards() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(DASHBOARDS.glob("*.json"))]


def _existing(fetch, uid: str) -> dict | None:
    try:
        return fetch(uid)
    except GrafanaClientError as exc:
        if getattr(exc, "status_code", None) == 404:
            return None
        raise


def plan(api: GrafanaApi, env: dict[str, str]) -> list[tuple[Change, dict]]:
    changes = []
    for ds in datasources(env):
        current = _existing(api.datasource.get_datasource_by_uid, ds["uid"])
        same = current is not None and all(current.get(k) == ds.get(k) for k in COMPARED if k in ds)
        action = "create" if current is None else "unchanged" if same else "update"
        changes.append((Change(action, "datasource", ds["uid"], ds["name"]), ds))
    for board in dashboards():
        current = _existing(api.dashboard.get_dashboard, board["uid"])
        ignore = ("id", "version")
        same = current is not None and {k: v for k, v in current["dashboard"].items() if k not in ignore} == \
            {k: v for k, v in board.items() if k not in ignore}
        action = "create" if current is None else "unchanged" if same else "update"
        changes.append((Change(action, "dashboard", board["uid"], board["title"]), board))
    return changes


def apply(api: GrafanaApi, changes: list[tuple[Change, dict]]) -> None:
    for change, body in changes:
        if change.action == "unchanged":
            continue
        if change.kind == "datasource":
            if change.action == "create":
                api.datasource.create_datasource(body)
            else:
                api.datasource.update_datasource_by_uid(change.uid, body)
        else:
            api.dashboard.update_dashboard({"dashboard": {**body, "id": None}, "overwrite": True,
                                            "message": "hk grafana-push"})


def connect(url: str) -> GrafanaApi:
    """Credentials from the environment only: GRAFANA_TOKEN, or GRAFANA_USER and GRAFANA_PASSWORD."""
    token, user, password = (os.environ.get(k) for k in ("GRAFANA_TOKEN", "GRAFANA_USER", "GRAFANA_PASSWORD"))
    credential: str | tuple[str, str]
    if token:
        credential = token
    elif user and password:
        credential = (user, password)
    else:
        raise SystemExit("hk grafana-push: set GRAFANA_TOKEN, or GRAFANA_USER and GRAFANA_PASSWORD")
    return GrafanaApi.from_url(url, credential=credential, timeout=10)
