"""The boards as Grafana would load them: generated JSON committed, ids unique, datasources provisioned,
every variable defined, every panel titled, described and with a unit."""
import json
import re

import pytest
import yaml

from services.dashboards.build import BOARDS, OUT, render, stale
from services.dashboards.expand import panels

from .grafana_datasources import PROVISIONING

BUILTIN = {"__all", "__timeFrom", "__timeTo", "__timeFilter", "__value", "__url_time_range", "__interval"}


def test_the_committed_json_is_what_the_code_generates():
    assert stale() == [], "run: hk dashboards"


@pytest.mark.parametrize("name", BOARDS)
def test_a_board_grafana_can_load(name):
    board = json.loads((OUT / f"{name}.json").read_text())
    every = panels(board)  # collapsed rows' panels too
    assert len({p["id"] for p in every}) == len(every)
    uids = {d["uid"] for d in yaml.safe_load(PROVISIONING.read_text())["datasources"]}
    defined = {v["name"] for v in board.get("templating", {}).get("list", [])}
    for v in board.get("templating", {}).get("list", []):
        assert v["datasource"]["uid"] in uids
    for a in board.get("annotations", {}).get("list", []):
        assert a["datasource"]["uid"] in uids and a["target"]["datasource"]["uid"] in uids, a["name"]
        assert set(re.findall(r"\$\{?(\w+)", a["target"]["rawSql"])) - BUILTIN <= defined, a["name"]
    for p in every:
        if p["type"] == "row":
            continue
        assert p["title"] and p.get("description"), p
        assert p["fieldConfig"]["defaults"].get("unit"), p["title"]
        for t in p["targets"]:
            assert t["datasource"]["uid"] in uids, p["title"]
            used = set(re.findall(r"\$\{?(\w+)", t.get("rawSql") or t["expr"]))
            assert used - BUILTIN <= defined, (p["title"], used - BUILTIN - defined)


def test_the_campaign_board_has_every_section_of_the_old_dashboard():
    titles = {p["title"] for p in panels(json.loads(render("influencer-campaigns")))}
    assert {"Total revenue", "Overall ROAS", "Total reach", "Average engagement rate", "Top influencers by ROAS",
            "Revenue by platform", "Daily revenue trend", "Brand performance", "Top performers",
            "Underperforming influencers", "Category analysis", "Posts analytics", "Revenue tracking",
            "Payout summary", "Active alerts"} <= titles


def test_the_model_panels_sit_in_collapsed_rows_queried_only_when_opened():
    for name, titles in (("influencer-campaigns", {"Revenue credited under ${model}", "Who starts, who closes",
                                                   "Influencers under ${model}", "Models side by side"}),
                         ("influencer-drilldown", {"Credit under each model"})):
        rows = [p for p in json.loads(render(name))["panels"] if p["type"] == "row" and p.get("collapsed")]
        assert titles <= {p["title"] for row in rows for p in row["panels"]}, name
