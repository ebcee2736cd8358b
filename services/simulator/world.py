"""A storefront and social world like the seed's sample: 15 influencers in 5 categories on Instagram,
YouTube and Twitter, contracts with MuscleBlaze, HKVitals and Gritzo, and a stream of clicks, orders,
refunds and post snapshots."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

CATEGORIES = ("Fitness", "Nutrition", "Wellness", "Bodybuilding", "Yoga")
PLATFORMS = ("instagram", "youtube", "twitter")
BRANDS = {
    "MuscleBlaze": [("Whey Protein 1kg", "2499"), ("Creatine 250g", "799"), ("Mass Gainer 3kg", "3299")],
    "HKVitals": [("Fish Oil 60 caps", "649"), ("Multivitamin", "499"), ("Biotin", "399")],
    "Gritzo": [("SuperMilk Kids", "549"), ("Kids Protein Bar", "199")],
}
BASES = ("post", "order", "revenue_share")
RATES = {"post": "4000", "order": "120", "revenue_share": "0.12"}


class World:
    def __init__(self, seed: int = 7, influencers: int = 15, prefix: str = "sim") -> None:
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.seq = 0
        self.influencers: list[dict] = [{
            "type": "influencer", "influencer_id": f"{prefix}-inf-{i:03d}", "name": f"{prefix}_creator_{i}",
            "category": CATEGORIES[i % len(CATEGORIES)], "gender": self.rng.choice(["Female", "Male"]),
            "follower_count": self.rng.randint(20_000, 2_000_000), "platform": PLATFORMS[i % len(PLATFORMS)],
        } for i in range(influencers)]
        self.contracts: list[dict] = []
        for i, inf in enumerate(self.influencers):
            # like the seed's payouts: one basis and rate per influencer, for each brand it works with
            basis = BASES[i % len(BASES)]
            for brand in self.rng.sample(sorted(BRANDS), 2):
                code = f"{inf['influencer_id'].upper().replace('-', '')}{brand[:2].upper()}"
                self.contracts.append({
                    "type": "contract", "contract_id": f"{prefix}-ctr-{len(self.contracts):03d}",
                    "influencer_id": inf["influencer_id"], "brand": brand, "basis": basis, "rate": RATES[basis],
                    "valid_from": "2025-01-01T00:00:00+05:30", "valid_to": None,
                    "coupon_codes": [code], "link_codes": [code.lower()]})
        self.recent_orders: list[dict] = []
        self.posts: dict[str, dict] = {}

    def setup_events(self) -> list[dict]:
        return [*self.influencers, *self.contracts]

    def _id(self, kind: str) -> str:
        self.seq += 1
        return f"{self.prefix}-{kind}-{self.seq}"

    def next_events(self, n: int, now: datetime | None = None) -> list[dict]:
        now = now or datetime.now(timezone.utc)
        return [self._one(now) for _ in range(n)]

    def _one(self, now: datetime) -> dict:
        roll = self.rng.random()
        if roll < 0.05:
            return self._post(now)
        if roll < 0.40:
            return self._click(now)
        if roll < 0.43 and self.recent_orders:
            return self._refund(now)
        return self._order(now)

    def _customer(self) -> str:
        return f"{self.prefix}-cus-{self.rng.randint(1, 5000)}"

    def _click(self, now: datetime) -> dict:
        c = self.rng.choice(self.contracts)
        return {"type": "click", "click_id": self._id("clk"), "customer_id": self._customer(),
                "link_code": c["link_codes"][0], "clicked_at": now.isoformat(),
                "source": next(i["platform"] for i in self.influencers if i["influencer_id"] == c["influencer_id"])}

    def _order(self, now: datetime) -> dict:
        brands = self.rng.sample(sorted(BRANDS), self.rng.choice([1, 1, 1, 2]))
        lines = []
        for b in brands:
            product, price = self.rng.choice(BRANDS[b])
            qty = self.rng.choice([1, 1, 2])
            lines.append({"product": product, "brand": b, "quantity": qty, "revenue": str(Decimal(price) * qty)})
        order = {"type": "order", "order_id": self._id("ord"), "customer_id": self._customer(),
                 "placed_at": now.isoformat(), "currency": "INR", "lines": lines}
        if self.rng.random() < 0.25:
            order["coupon_code"] = self.rng.choice(self.contracts)["coupon_codes"][0]
        self.recent_orders = (self.recent_orders + [order])[-200:]
        return order

    def _refund(self, now: datetime) -> dict:
        order = self.rng.choice(self.recent_orders)
        total = sum((Decimal(ln["revenue"]) for ln in order["lines"]), Decimal(0))
        return {"type": "refund", "refund_id": self._id("ref"), "order_id": order["order_id"],
                "customer_id": order["customer_id"], "amount": str((total / 2).quantize(Decimal("0.01"))),
                "refunded_at": now.isoformat()}

    def _post(self, now: datetime) -> dict:
        if self.posts and self.rng.random() < 0.5:  # a fresher snapshot of a known post
            post = dict(self.rng.choice(list(self.posts.values())))
            post.update(reach=post["reach"] + self.rng.randint(100, 5000), likes=post["likes"] + self.rng.randint(5, 200),
                        comments=post["comments"] + self.rng.randint(0, 20), observed_at=now.isoformat())
        else:
            c = self.rng.choice(self.contracts)
            inf = next(i for i in self.influencers if i["influencer_id"] == c["influencer_id"])
            pid = self._id("post")
            post = {"type": "post", "post_id": pid, "influencer_id": inf["influencer_id"], "platform": inf["platform"],
                    "brand": c["brand"], "url": f"https://{inf['platform']}.example/p/{pid}", "caption": f"{c['brand']} stack",
                    "published_at": (now - timedelta(hours=1)).isoformat(), "reach": self.rng.randint(1000, 80000),
                    "likes": self.rng.randint(10, 3000), "comments": self.rng.randint(0, 300), "observed_at": now.isoformat()}
        self.posts[post["post_id"]] = post
        return post
