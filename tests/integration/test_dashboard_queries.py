"""Every SQL panel of every board, expanded as Grafana expands it, run as the read-only hk_grafana role on the
data the real pipeline wrote from the seed sample: it runs, returns what its visualisation needs, and the
KPI and ranking panels show the reporting functions' figures."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from services.common.db import sqlalchemy_url
from services.dashboards.build import render
from services.dashboards.expand import targets
from services.importer.run import import_dir
from services.reports.catalog import Filters, run
from services.simulator.sample import write_sample

from .grafana import expand
from .pipeline import Pipeline, eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
END = datetime.now(timezone.utc)
START = END - timedelta(days=30)


@pytest.fixture(scope="module")
def loaded(kafka_bootstrap, postgres, tmp_path_factory):
    p = Pipeline(kafka_bootstrap, postgres, tmp_path_factory.mktemp("logs"))
    sample = tmp_path_factory.mktemp("sample")
    write_sample(sample, days=45)
    lines = sum(int(ln.split(",")[7]) for ln in (sample / "tracking.csv").read_text().splitlines()[1:])
    import_dir(p.settings, sample, progress=False)
    p.wait_for("SELECT count(*) FROM attributed_orders", [(lines,)], timeout_s=120)
    eventually(lambda: p.query("SELECT count(*) FROM spend")[0][0], lambda n: n > 0, 60, "spend accrued")
    time.sleep(1)  # the batch that carried the last facts has committed its spend as well
    reader = create_engine(make_url(sqlalchemy_url(p.settings.database_url)).set(username="hk_grafana", password="grafana-dev"))
    yield p, reader
    reader.dispose()
    p.close()


def selections(reader, board: dict) -> list[dict[str, list[str]]]:
    """All, one value, and two values of every variable, read with the variables' own queries."""
    options, multi = {}, {}
    with reader.connect() as conn:
        for v in board["templating"]["list"]:
            options[v["name"]] = [r[0] for r in conn.execute(text(v["query"]))]
            multi[v["name"]] = v.get("multi", False)
    assert all(options.values()), options
    pick = lambda chosen: {k: (chosen(v) if multi[k] else chosen(v)[:1]) for k, v in options.items()}
    return [pick(lambda v: v), pick(lambda v: v[:1]), pick(lambda v: v[-2:])]


@pytest.mark.parametrize("name", ["influencer-campaigns", "influencer-drilldown"])
def test_every_panel_query_runs_as_the_reader_and_returns_data(loaded, name):
    _, reader = loaded
    board = json.loads(render(name))
    timings = []
    for values in selections(reader, board):
        for panel, sql in targets(board):
            with reader.connect() as conn:
                started = time.perf_counter()
                result = conn.execute(text(expand(sql, START, END, values)))
                rows = result.all()
                timings.append((panel["title"], (time.perf_counter() - started) * 1000))
            if panel["type"] in ("stat", "timeseries", "barchart", "piechart"):
                assert rows, f"{name} / {panel['title']} returned nothing"
            if panel["type"] == "timeseries":
                assert list(result.keys())[0] == "time"
    slowest = {}
    for title, ms in timings:
        slowest[title] = max(ms, slowest.get(title, 0))
    print(f"\n{name}: slowest of 3 selections per panel (ms)\n" + "\n".join(f"  {t:<32} {ms:7.1f}" for t, ms in slowest.items()))


def test_the_kpi_and_ranking_panels_show_the_reporting_figures(loaded):
    p, reader = loaded
    board = json.loads(render("influencer-campaigns"))
    values = selections(reader, board)[1]  # one brand, one platform, one category
    with p.engine.connect() as conn:
        day = lambda t: conn.execute(text("SELECT business_day(:t)"), {"t": t}).scalar_one()
        # the business day, not UTC's: from 18:30 UTC the business time zone (IST) is already on the next date
        today = day(datetime.now(timezone.utc))
        f = Filters(date_from=day(START), date_to=day(END), brands=values["brand"], platforms=values["platform"],
                    categories=values["category"])
        [kpis] = [r._asdict() for r in run(conn, "kpis", f)]
        top = [(r.name or r.influencer_id, r.roas) for r in run(conn, "top_influencers", Filters(**{**f.__dict__, "limit": 10}))]
    assert today >= f.date_to
    shown = {}
    with reader.connect() as conn:
        for panel, sql in targets(board):
            rows = conn.execute(text(expand(sql, START, END, values))).all()
            shown[panel["title"]] = rows
    assert shown["Total revenue"] == [(kpis["total_revenue"],)] and kpis["total_revenue"] > Decimal(0)
    assert shown["Overall ROAS"] == [(kpis["overall_roas"],)]
    assert shown["Average engagement rate"] == [(kpis["avg_engagement_rate"],)]
    assert shown["Top influencers by ROAS"] == top
