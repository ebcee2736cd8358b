"""The platform a fact is booked under: the aggregator's decision (the attribution record only reports what the
click or the order's utm_source named; schemas/attribution.v1.json)."""
from __future__ import annotations

from collections.abc import Mapping

UNKNOWN_PLATFORM = "unknown"  # an influencer the influencers table does not have yet


def booked_platform(named: str | None, influencer_id: str | None, platforms: Mapping[str, str]) -> str:
    """The platform the evidence named, else the influencer's own, else ``unknown``."""
    return named or platforms.get(influencer_id or "", UNKNOWN_PLATFORM)
