"""``hk dashboards``: render every board to deploy/grafana/dashboards/<uid>.json (``--check`` compares)."""
from __future__ import annotations

import json
from pathlib import Path

from grafana_foundation_sdk.cog.encoder import JSONEncoder

from . import campaigns, drilldown, pipeline
from .expand import panels

BOARDS = {"influencer-campaigns": campaigns.build, "influencer-drilldown": drilldown.build,
          "pipeline-health": pipeline.build}
ANNOTATIONS = {"influencer-campaigns": campaigns.ANNOTATIONS, "influencer-drilldown": drilldown.ANNOTATIONS}
OUT = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "dashboards"


def render(name: str) -> str:
    board = json.loads(json.dumps(BOARDS[name]().build(), cls=JSONEncoder))
    board.setdefault("annotations", {}).setdefault("list", []).extend(ANNOTATIONS.get(name, []))
    for n, panel in enumerate(panels(board), start=1):  # stable ids: Grafana links and state refer to them
        panel["id"] = n
    return json.dumps(board, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_all(directory: Path = OUT) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in BOARDS:
        path = directory / f"{name}.json"
        path.write_text(render(name), encoding="utf-8")
        paths.append(path)
    return paths


def stale(directory: Path = OUT) -> list[str]:
    """Boards whose committed JSON is not what the code generates."""
    return [name for name in BOARDS
            if not (directory / f"{name}.json").exists() or (directory / f"{name}.json").read_text(encoding="utf-8") != render(name)]
