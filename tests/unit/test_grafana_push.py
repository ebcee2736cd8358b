"""hk grafana-push against a loopback stand-in for Grafana's HTTP API (no Grafana binary exists here): the
plan, the dry run that changes nothing, the upload, and a second run that finds nothing to do. The stand-in
keeps what is posted, as Grafana's /api/dashboards and /api/datasources endpoints do."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.cli import main
from services.dashboards.build import BOARDS


class GrafanaDouble(BaseHTTPRequestHandler):
    dashboards: dict = {}
    datasources: dict = {}
    writes: list = []

    def log_message(self, *args):
        pass

    def _reply(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self):
        assert self.headers["Authorization"] == "Bearer t0ken"
        kind, uid = self.path.split("/")[2], self.path.rsplit("/", 1)[1]
        store = self.dashboards if kind == "dashboards" else self.datasources
        if uid not in store:
            return self._reply(404, {"message": "not found"})
        self._reply(200, {"dashboard": store[uid], "meta": {}} if kind == "dashboards" else store[uid])

    def do_POST(self):
        body = self._body()
        self.writes.append(("POST", self.path))
        if self.path == "/api/dashboards/db":
            self.dashboards[body["dashboard"]["uid"]] = {**body["dashboard"], "id": 1, "version": 1}
        else:
            self.datasources[body["uid"]] = {k: v for k, v in body.items() if k != "secureJsonData"}
        self._reply(200, {"status": "success"})

    def do_PUT(self):
        body = self._body()
        self.writes.append(("PUT", self.path))
        self.datasources[self.path.rsplit("/", 1)[1]] = {k: v for k, v in body.items() if k != "secureJsonData"}
        self._reply(200, {"message": "updated"})


@pytest.fixture
def grafana(monkeypatch):
    GrafanaDouble.dashboards, GrafanaDouble.datasources, GrafanaDouble.writes = {}, {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), GrafanaDouble)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("GRAFANA_TOKEN", "t0ken")
    monkeypatch.setenv("HK_GRAFANA_DB_PASSWORD", "s3cret")
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_dry_run_plans_and_changes_nothing_then_push_uploads_and_a_rerun_is_a_no_op(grafana, capsys, monkeypatch):
    main(["grafana-push", "--url", grafana, "--dry-run"])
    planned = capsys.readouterr().out.splitlines()
    assert len(planned) == 2 + len(BOARDS) and all(line.startswith("would create") for line in planned)
    assert GrafanaDouble.writes == []

    main(["grafana-push", "--url", grafana])
    assert sorted(GrafanaDouble.dashboards) == sorted(["hk-campaigns", "hk-influencer", "hk-pipeline"])
    assert GrafanaDouble.datasources["hk-postgres"]["user"] == "hk_grafana"
    assert GrafanaDouble.datasources["hk-postgres"]["url"] == "postgres:5432"  # push.DEFAULTS
    capsys.readouterr()

    main(["grafana-push", "--url", grafana, "--dry-run"])
    assert all(line.startswith("unchanged") for line in capsys.readouterr().out.splitlines())

    monkeypatch.setenv("HK_GRAFANA_DB_HOST", "db.internal:5432")
    writes = len(GrafanaDouble.writes)
    main(["grafana-push", "--url", grafana])
    assert GrafanaDouble.writes[writes:] == [("PUT", "/api/datasources/uid/hk-postgres")]
    assert GrafanaDouble.datasources["hk-postgres"]["url"] == "db.internal:5432"


def test_push_needs_credentials_and_the_datasource_password(monkeypatch):
    monkeypatch.delenv("GRAFANA_TOKEN", raising=False)
    monkeypatch.delenv("GRAFANA_USER", raising=False)
    with pytest.raises(SystemExit, match="GRAFANA_TOKEN"):
        main(["grafana-push", "--url", "http://127.0.0.1:9", "--dry-run"])
    monkeypatch.setenv("GRAFANA_TOKEN", "t0ken")
    monkeypatch.delenv("HK_GRAFANA_DB_PASSWORD", raising=False)
    with pytest.raises(SystemExit, match="need HK_GRAFANA_DB_PASSWORD"):
        main(["grafana-push", "--url", "http://127.0.0.1:9", "--dry-run"])
