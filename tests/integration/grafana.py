"""Grafana's expansion of a PostgreSQL panel query; it lives in the product (services/dashboards/expand.py)
so that ``hk bench dashboard`` times exactly what the tests run."""
from services.dashboards.expand import expand, instant, targets

__all__ = ["expand", "instant", "targets"]
