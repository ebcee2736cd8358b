"""Column names as teams write them: case, spaces and common aliases do not matter (``ID``, ``influencer_id``
and ``Influencer ID`` all name the influencers table's ``id``). Columns that name nothing the table reads are
reported, never dropped in silence. The aliases are listed in docs/reporting.md."""
from __future__ import annotations

from .mapping import key
from .rows import COLUMNS

ALIASES = {
    "influencers.csv": {"influencer_id": "id", "influencer": "id", "influencer_name": "name", "followers": "follower_count",
                        "follower": "follower_count", "followers_count": "follower_count"},
    "posts.csv": {"influencer": "influencer_id", "post_url": "url", "link": "url", "post_date": "date",
                  "posted_at": "date", "published_at": "date", "text": "caption",
                  "brand_mentioned": "brand"},
    "tracking.csv": {"influencer": "influencer_id", "utm_source": "source", "utm_campaign": "campaign",
                     "customer_id": "user_id", "user": "user_id", "order_date": "date", "transaction_date": "date", "order_count": "orders",
                     "product_name": "product", "amount": "revenue", "order_value": "revenue", "sales": "revenue"},
    "payouts.csv": {"influencer": "influencer_id", "payout_basis": "basis", "payout_rate": "rate", "payout": "total_payout",
                    "total": "total_payout", "payout_amount": "total_payout", "total_orders_by_influencer": "orders", "total_orders": "orders",
                    "payout_type": "basis"},
}


def normalised(table: str, header: list[str], mapped: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """The header as the seed's column names (what cannot be mapped keeps its lower-cased name), and the columns,
    as written, that the table does not read. ``mapped`` (from --map) comes first; a built-in alias yields to
    the seed's own name where both are present."""
    keys = [key(h) for h in header]
    aliases = ALIASES[table]
    names = [mapped[k] if mapped and k in mapped else
             k if k in COLUMNS[table] or aliases.get(k) in keys else aliases.get(k, k) for k in keys]
    return names, [h.strip() for h, name in zip(header, names, strict=True) if name not in COLUMNS[table]]
