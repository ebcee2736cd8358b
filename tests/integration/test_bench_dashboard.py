"""``hk bench dashboard`` at a small size: it loads, times every SQL query of every board as the reader, finds
the raw GROUP BY baseline giving the same rows, and times the old pandas dashboard (its own embedded Postgres)."""
import json

import pytest

from bench.dashboard import CONFIGS, run
from services.dashboards.build import BOARDS, render
from services.dashboards.expand import targets

pytestmark = pytest.mark.postgres


def test_every_panel_gets_a_figure_and_the_raw_baseline_agrees():
    figures = run(lines=20_000, influencers=500, days=400, repeat=2)
    for config in CONFIGS:
        prefix = f"dashboard.0.02M.{config}"
        for name in BOARDS:
            panels = [panel["title"] for panel, _ in targets(json.loads(render(name)))]
            if not panels:
                continue  # the pipeline board is Prometheus only
            assert figures[f"{prefix}.board.{name}.ms"]["value"] > 0
            for title in panels:
                figure = [v for k, v in figures.items() if k.startswith(f"{prefix}.{name}.") and v.get("title") == title]
                assert len(figure) == 1 and figure[0]["value"] > 0 and figure[0]["baseline"] > 0, (name, title)
    checked = figures["dashboard.0.02M.raw_equal_panels"]["panels"]
    for config in CONFIGS:  # the rollups' and the windows' panels agree with the raw GROUP BY in every configuration
        for panel in ("Total revenue", "Top influencers by ROAS", "Brand performance", "Payout summary", "Payout optimization"):
            assert f"dashboard.0.02M.{config} influencer-campaigns / {panel}" in checked
    assert "dashboard.0.02M.30d_all influencer-drilldown / Rolling windows" in checked
    assert figures["dashboard.0.02M.pandas_refresh_s"]["value"] > 0
