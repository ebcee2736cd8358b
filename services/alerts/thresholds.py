"""ROAS alert thresholds from deploy/alerts/thresholds.yml: defaults and per-brand overrides, as decimals."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal
from pathlib import Path

import yaml

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "alerts" / "thresholds.yml"


@dataclass(frozen=True)
class Thresholds:
    poor_roas: Decimal
    drop_fraction: Decimal
    min_spend: Decimal
    min_orders: int
    resolve_roas: Decimal
    resolve_drop_fraction: Decimal

    def __post_init__(self) -> None:
        if self.resolve_roas < self.poor_roas or self.resolve_drop_fraction > self.drop_fraction:
            raise ValueError("hysteresis must be outside the firing band: resolve_roas ≥ poor_roas and "
                             "resolve_drop_fraction ≤ drop_fraction")
        if not 0 < self.drop_fraction <= 1:
            raise ValueError(f"drop_fraction must be in (0, 1], got {self.drop_fraction}")


def _typed(values: dict) -> dict:
    known = {f.name: f.type for f in fields(Thresholds)}
    unknown = set(values) - set(known)
    if unknown:
        raise ValueError(f"unknown threshold(s): {', '.join(sorted(unknown))}; known: {', '.join(known)}")
    return {k: int(v) if known[k] == "int" else Decimal(str(v)) for k, v in values.items()}


@dataclass(frozen=True)
class AlertConfig:
    defaults: Thresholds
    brands: dict[str, Thresholds]

    def for_brand(self, brand: str) -> Thresholds:
        return self.brands.get(brand, self.defaults)


def load(path: Path = CONFIG) -> AlertConfig:
    doc = yaml.safe_load(path.read_text())
    defaults = Thresholds(**_typed(doc["defaults"]))
    brands = {b: replace(defaults, **_typed(o or {})) for b, o in (doc.get("brands") or {}).items()}
    return AlertConfig(defaults, brands)
