"""Grafana's expansion of a PostgreSQL panel query, as Grafana does it, so the tests and ``hk bench dashboard``
run exactly what Grafana would send: ``$__timeFrom()`` / ``$__timeTo()`` become quoted RFC 3339 instants and
``${var:sqlstring}`` becomes the selected values, each quoted with ' doubled, comma-separated ("All" = every
value). ``targets`` lists a rendered board's SQL queries, annotations and collapsed rows' panels included."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Iterator


def instant(t: datetime) -> str:
    return "'" + t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") + "'"


def expand(sql: str, start: datetime, end: datetime, values: dict[str, list[str]]) -> str:
    sql = sql.replace("$__timeFrom()", instant(start)).replace("$__timeTo()", instant(end))
    sql = re.sub(r"\$\{(\w+):sqlstring\}",
                 lambda m: ",".join("'" + v.replace("'", "''") + "'" for v in values[m[1]]), sql)
    if leftover := re.findall(r"\$\{?\w+", sql):
        raise ValueError(f"not expanded: {leftover}")
    return sql


def panels(board: dict) -> list[dict]:
    """Every panel of a rendered board, each collapsed row's own panels after it (Grafana queries those once the
    row is opened)."""
    return [p for top in board["panels"] for p in (top, *top.get("panels", []))]


def targets(board: dict) -> Iterator[tuple[dict, str]]:
    """(panel, raw SQL) for every SQL target of a rendered board; Prometheus targets have no rawSql."""
    for a in board.get("annotations", {}).get("list", []):
        if "target" in a and "rawSql" in a["target"]:
            yield {"title": f"annotation: {a['name']}", "type": "annotation"}, a["target"]["rawSql"]
    for panel in panels(board):
        for t in panel.get("targets", []):
            if "rawSql" in t:
                yield panel, t["rawSql"]
