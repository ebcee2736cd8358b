"""The operators' service levels from deploy/alerts/slos.yml: objectives, burn-rate tiers and plain-alert
thresholds, typed and checked, so a typo fails `hk alert-rules` rather than a rule at 3 a.m."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from ..common.metrics import FRESHNESS_SECONDS

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "alerts" / "slos.yml"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(duration: str) -> int:
    """A Prometheus duration of one unit ("5m", "6h", "30d") in seconds."""
    m = re.fullmatch(r"(\d+)([smhd])", str(duration))
    if not m:
        raise ValueError(f"{duration!r} is not a duration like 30s, 5m, 6h or 30d")
    return int(m[1]) * _UNITS[m[2]]


def duration(total: float) -> str:
    """Seconds back to the shortest exact Prometheus duration (at least 1 s)."""
    total = max(int(round(total)), 1)
    for unit in ("d", "h", "m"):
        if total % _UNITS[unit] == 0:
            return f"{total // _UNITS[unit]}{unit}"
    return f"{total}s"


@dataclass(frozen=True)
class BurnRate:
    name: str
    factor: Decimal
    long: int       # seconds
    short: int
    for_: int
    severity: str


@dataclass(frozen=True)
class Slos:
    period: int
    freshness_target: Decimal
    freshness_seconds: float
    availability_target: Decimal
    burn_rates: tuple[BurnRate, ...]
    alerts: dict

    def budget(self, slo: str) -> Decimal:
        return 1 - (self.freshness_target if slo == "freshness" else self.availability_target)

    def windows(self) -> list[int]:
        """Every window an SLI's error ratio is recorded over: the tiers' windows and the period."""
        return sorted({w for b in self.burn_rates for w in (b.long, b.short)} | {self.period})


def load(path: Path = CONFIG) -> Slos:
    doc = yaml.safe_load(path.read_text())
    objectives, alerts = doc["objectives"], dict(doc["alerts"])
    fresh, avail = objectives["freshness"], objectives["ingest_availability"]
    tiers = tuple(BurnRate(b["name"], Decimal(str(b["factor"])), seconds(b["long"]), seconds(b["short"]),
                           seconds(b["for"]), b["severity"]) for b in doc["burn_rates"])
    slos = Slos(seconds(doc["period"]), Decimal(str(fresh["target"])), float(fresh["threshold_seconds"]),
                Decimal(str(avail["target"])), tiers, alerts)
    for name in ("freshness", "ingest_availability"):
        budget = slos.budget(name)
        if not 0 < budget < 1:
            raise ValueError(f"{name}: target must be between 0 and 1, exclusive")
        for b in tiers:
            if b.factor * budget >= 1:
                raise ValueError(f"{name}: burn rate {b.factor} × budget {budget} can never be reached (≥ 100 % errors)")
            if not b.short < b.long <= slos.period:
                raise ValueError(f"burn rate {b.name}: needs short < long <= period")
    if slos.freshness_seconds not in FRESHNESS_SECONDS._upper_bounds:
        raise ValueError(f"freshness threshold_seconds {slos.freshness_seconds:g} is not a bucket bound of "
                         f"hk_event_freshness_seconds {FRESHNESS_SECONDS._upper_bounds[:-1]}")
    for key in (k for k in alerts if k.endswith(("_for", "_window"))):
        alerts[key] = seconds(alerts[key])
    return slos
