"""``hk import --map FILE``: what a team's files call things, in YAML, for what the built-in aliases do not
cover. Every section is optional::

    columns:                 # per table: the header as written → the column it is
      tracking: {"Order Value": revenue, "Creator": influencer_id}
    platforms: {Insta: instagram, "Meta": facebook}      # value as written → platform
    basis: {"Fixed fee": post, Commission: revenue_share} # value as written → payout basis
    brands:
      by_product: {MB: MuscleBlaze, "Kids Nutrition": Gritzo}  # a product, or words in it, → its brand
      by_campaign: {HKV: HKVitals}                             # a campaign, or words in it, → its brand

Values are matched whatever their case and spacing, like headers; brand rules match the whole value or whole
words in it (``MB`` matches ``MB Whey`` and ``Whey Protein (MB)``, not ``MBA``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

TABLES = ("influencers", "posts", "tracking", "payouts")
# Synonyms seen in teams' files; a map adds to them (and wins where both name a value).
PLATFORM_SYNONYMS = {"ig": "instagram", "insta": "instagram", "yt": "youtube", "x": "twitter", "x_(twitter)": "twitter",
                     "fb": "facebook", "meta": "facebook", "tik_tok": "tiktok", "linked_in": "linkedin", "snap": "snapchat"}
BASIS_SYNONYMS = {"per_post": "post", "post_based": "post", "fixed": "post", "per_order": "order", "order_based": "order",
                  "cpa": "order", "revenue": "revenue_share", "commission": "revenue_share", "rev_share": "revenue_share",
                  "percentage": "revenue_share"}


def key(text: str | int) -> str:
    """A header or value as compared: lower case, runs of spaces as one underscore."""
    return "_".join(str(text).strip().lower().split())


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # table file name → {written key: column}
    platforms: dict[str, str] = field(default_factory=lambda: dict(PLATFORM_SYNONYMS))
    basis: dict[str, str] = field(default_factory=lambda: dict(BASIS_SYNONYMS))
    by_product: dict[str, str] = field(default_factory=dict)  # product key → brand as written in the map
    by_campaign: dict[str, str] = field(default_factory=dict)

    def platform(self, value: str) -> str:
        return self.platforms.get(key(value), key(value))

    def basis_of(self, value: str) -> str:
        return self.basis.get(key(value), key(value))


def load(path: Path | None) -> Mapping:
    """The map in ``path`` (none: the built-in synonyms only); a malformed map is an error naming what is wrong."""
    if path is None:
        return Mapping()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SystemExit(f"hk import: --map {path}: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"columns", "platforms", "basis", "brands"}:
        raise SystemExit(f"hk import: --map {path}: expected a mapping with columns, platforms, basis and brands; "
                         f"got {sorted(data) if isinstance(data, dict) else type(data).__name__}")
    columns = _section(path, data, "columns")
    if unknown := set(columns) - set(TABLES):
        raise SystemExit(f"hk import: --map {path}: columns: {', '.join(sorted(unknown))} is not one of {', '.join(TABLES)}")
    brands = _section(path, data, "brands")
    if unknown := set(brands) - {"by_product", "by_campaign"}:
        raise SystemExit(f"hk import: --map {path}: brands: {', '.join(sorted(unknown))} is not by_product or by_campaign")
    return Mapping(
        columns={f"{t}.csv": _pairs(path, f"columns.{t}", m, value_key=True) for t, m in columns.items()},
        platforms={**PLATFORM_SYNONYMS, **_pairs(path, "platforms", _section(path, data, "platforms"), value_key=True)},
        basis={**BASIS_SYNONYMS, **_pairs(path, "basis", _section(path, data, "basis"), value_key=True)},
        by_product=_pairs(path, "brands.by_product", _section(path, brands, "by_product")),
        by_campaign=_pairs(path, "brands.by_campaign", _section(path, brands, "by_campaign")))


def _section(path: Path, data: dict, name: str) -> dict:
    value = data.get(name) or {}
    if not isinstance(value, dict):
        raise SystemExit(f"hk import: --map {path}: {name} must be a mapping (written: value), got {type(value).__name__}")
    return value


def _pairs(path: Path, name: str, section: dict, value_key: bool = False) -> dict[str, str]:
    """``written: meaning`` with the written side as a key; the meaning too where it names one of ours."""
    out = {}
    for written, meaning in section.items():
        if not isinstance(meaning, (str, int)) or not str(meaning).strip():
            raise SystemExit(f"hk import: --map {path}: {name}: {written!r} must map to a name, got {meaning!r}")
        out[key(written)] = key(meaning) if value_key else str(meaning).strip()
    return out
