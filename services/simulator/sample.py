"""``hk sample``: the seed's sample data as its four CSV files (influencers, posts, tracking, payouts), from the
same World the live simulator streams: 15 influencers in 5 categories, 200+ posts on Instagram, YouTube and
Twitter, 3 brands. payouts.csv carries the totals the seed would show, computed here from the rows."""
from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from ..importer.rows import COLUMNS
from .world import BRANDS, World

TITLE = {"instagram": "Instagram", "youtube": "YouTube", "twitter": "Twitter"}


def sample_tables(days: int = 90, end: date | None = None, seed: int = 7, tz: str = "Asia/Kolkata") -> dict[str, list[dict]]:
    world, rng = World(seed=seed), random.Random(seed)
    end = end or datetime.now(ZoneInfo(tz)).date()
    deals: dict[str, dict] = {}  # influencer id → its basis, rate and brands
    for c in world.contracts:
        deals.setdefault(c["influencer_id"], {"basis": c["basis"], "rate": Decimal(c["rate"]), "brands": []})["brands"].append(c["brand"])
    influencers = [{"id": i["influencer_id"], "name": i["name"], "category": i["category"], "gender": i["gender"],
                    "follower_count": i["follower_count"], "platform": TITLE[i["platform"]]} for i in world.influencers]
    posts, tracking = [], []
    for inf in world.influencers:
        iid, deal = inf["influencer_id"], deals[inf["influencer_id"]]
        for n in range(rng.randint(13, 17)):
            reach = rng.randint(1_000, 80_000)
            rate = rng.uniform(0.005, 0.06)  # engagement between 0.5 % and 6 %
            likes = int(reach * rate * 0.9)
            posts.append({"influencer_id": iid, "platform": TITLE[inf["platform"]],
                          "date": (end - timedelta(days=rng.randrange(days))).isoformat(),
                          "url": f"https://{inf['platform']}.example/{iid}/{n}", "caption": f"{rng.choice(deal['brands'])} routine",
                          "reach": reach, "likes": likes, "comments": int(reach * rate) - likes, "brand": rng.choice(deal["brands"])})
        for d in range(days):
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                brand = rng.choice(deal["brands"])
                product, price = rng.choice(BRANDS[brand])
                orders = rng.choice([1] * 9 + [2])
                tracking.append({"source": TITLE[inf["platform"]], "campaign": f"{brand}_{(end - timedelta(days=d)):%Y%m}",
                                 "influencer_id": iid, "user_id": rng.randint(1, 5000), "product": product, "brand": brand,
                                 "date": (end - timedelta(days=d)).isoformat(), "orders": orders,
                                 "revenue": str(Decimal(price) * orders)})
    payouts = []
    for iid, deal in deals.items():
        mine = [t for t in tracking if t["influencer_id"] == iid]
        orders = sum(t["orders"] for t in mine)
        units = {"post": sum(p["influencer_id"] == iid for p in posts), "order": orders,
                 "revenue_share": sum(Decimal(t["revenue"]) for t in mine)}[deal["basis"]]
        payouts.append({"influencer_id": iid, "basis": deal["basis"], "rate": str(deal["rate"]), "orders": orders,
                        "total_payout": str(deal["rate"] * units)})
    return {"influencers.csv": influencers, "posts.csv": posts, "tracking.csv": tracking, "payouts.csv": payouts}


def write_sample(directory: Path, **kwargs) -> dict[str, int]:
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, rows in sample_tables(**kwargs).items():
        with (directory / name).open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS[name], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        counts[name] = len(rows)
    return counts
