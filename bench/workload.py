"""A generated storefront + social workload whose every figure is known in advance.

The expected tables are computed here from the events alone, by rules written out again in plain
Python (DESIGN.md's attribution and spend rules), not by calling the pipeline's code. Orders are
attributed explicitly or by coupon, so the answer does not depend on arrival order; events are
shuffled, up to 40 days late, and 10 % are sent twice, as a retrying storefront would.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

IST = timezone(timedelta(hours=5, minutes=30))
BRANDS = ("MuscleBlaze", "HKVitals", "Gritzo")
PLATFORMS = ("instagram", "youtube", "twitter")
BASES = ("order", "revenue_share", "post")
FIGURES = ("orders", "revenue", "spend", "posts", "reach", "likes", "comments")


@dataclass
class Workload:
    setup: list[dict]                  # influencers and contracts, sent before the storm
    events: list[dict]                 # orders, refunds and post snapshots in send order, duplicates included
    unique: list[dict] = field(default_factory=list)


def generate(n_events: int, seed: int = 7, now: datetime | None = None, run: str = "w") -> Workload:
    rnd, now = random.Random(seed), (now or datetime.now(IST)).astimezone(IST)
    n_inf = max(12, n_events // 800)
    setup, contracts = [], {}
    for i in range(n_inf):
        iid, platform = f"{run}-i{i}", PLATFORMS[i % 3]
        setup.append({"type": "influencer", "influencer_id": iid, "name": f"creator {i}", "category": "Fitness",
                      "platform": platform})
        for b, brand in enumerate(BRANDS):
            basis = BASES[(i + b) % 3]
            rate = {"order": str(rnd.randint(20, 200)), "revenue_share": rnd.choice(("0.05", "0.1", "0.15")),
                    "post": str(rnd.randint(500, 5000))}[basis]
            c = {"type": "contract", "contract_id": f"{iid}-{brand}", "influencer_id": iid, "brand": brand,
                 "basis": basis, "rate": rate, "valid_from": "2020-01-01T00:00:00+05:30",
                 "coupon_codes": [f"{iid}{brand}".upper().replace("-", "")], "link_codes": []}
            setup.append(c)
            contracts[(iid, brand)] = c
    unique: list[dict] = []
    ago = lambda: timedelta(days=rnd.choice((rnd.randint(0, 6),) * 16 + (rnd.randint(7, 29),) * 3 + (rnd.randint(30, 40),)),
                            seconds=rnd.randint(0, 86399))
    while len(unique) < n_events:
        roll = rnd.random()
        idx = rnd.randrange(n_inf)
        iid = f"{run}-i{idx}"
        if roll < 0.1:  # a post with one to three snapshots, each later and larger
            pid, brand = f"{run}-p{len(unique)}", rnd.choice(BRANDS)
            published = now - ago() - timedelta(minutes=1)
            reach = rnd.randint(100, 50_000)
            for s in range(rnd.randint(1, 3)):
                observed = min(published + timedelta(hours=6 * (s + 1)), now - timedelta(seconds=3 - s))
                unique.append({"type": "post", "post_id": pid, "influencer_id": iid, "platform": PLATFORMS[idx % 3],
                               "brand": brand, "url": f"https://example.com/{pid}", "published_at": published.isoformat(),
                               "observed_at": observed.isoformat(),
                               "reach": reach * (s + 1), "likes": reach // 20 * (s + 1), "comments": reach // 200 * (s + 1)})
            continue
        oid, placed = f"{run}-o{len(unique)}", now - ago() - timedelta(minutes=1)
        brands = rnd.sample(BRANDS, rnd.choice((1, 1, 2, 3)))
        lines = [{"product": f"{b} item", "brand": b, "quantity": rnd.randint(1, 3),
                  "revenue": str(Decimal(rnd.randint(100, 900_000)) / 100)} for b in brands]
        order = {"type": "order", "order_id": oid, "customer_id": f"{run}-c{rnd.randrange(5000)}",
                 "placed_at": placed.isoformat(), "currency": "INR", "lines": lines}
        if roll < 0.55:
            order["influencer_id"] = iid
        elif roll < 0.9:
            order["coupon_code"] = rnd.choice(contracts[(iid, brands[0])]["coupon_codes"]).lower()
        unique.append(order)
        if rnd.random() < 0.08:  # refunds: part of a one-line order, or the whole of a larger one
            total = sum(Decimal(ln["revenue"]) for ln in lines)
            amount = (total * Decimal(rnd.randint(1, 100)) / 100).quantize(Decimal("0.01")) if len(lines) == 1 else total
            refunded = min(placed + timedelta(days=rnd.randint(0, 3), seconds=rnd.randint(0, 9999)), now)
            unique.append({"type": "refund", "refund_id": f"{oid}-r", "order_id": oid, "customer_id": order["customer_id"],
                           "amount": str(amount), "refunded_at": refunded.isoformat()})
    events = list(unique)
    events += [rnd.choice(unique) for _ in range(len(unique) // 10)]  # storefront retries
    rnd.shuffle(events)
    return Workload(setup, events, unique)


def _day(ts: str) -> date:
    return datetime.fromisoformat(ts).astimezone(IST).date()


@dataclass
class Expected:
    daily: dict[tuple, dict]           # (day, influencer, brand, platform) → figures
    payouts: dict[str, Decimal]        # contract_id → total payout
    order_lines: int
    refund_lines: int

    def posts(self) -> tuple[int, int]:
        """How many posts, and their latest snapshots' total reach."""
        return (sum(f["posts"] for f in self.daily.values()), sum(f["reach"] for f in self.daily.values()))

    def rolling(self, today: date, windows=(7, 30)) -> dict[tuple, dict]:
        """(window, influencer, brand) → figures, the days in (today − window, today]."""
        out: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
        for (day, iid, brand, _), figures in self.daily.items():
            for w in windows:
                if today - timedelta(days=w) < day <= today:
                    for k, v in figures.items():
                        out[(w, iid, brand)][k] += v
        return dict(out)


def expect(w: Workload) -> Expected:
    influencers = {e["influencer_id"]: e for e in w.setup if e["type"] == "influencer"}
    contracts = {(c["influencer_id"], c["brand"]): c for c in w.setup if c["type"] == "contract"}
    coupons = {code: c["influencer_id"] for c in contracts.values() for code in c["coupon_codes"]}
    daily: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    payouts = {c["contract_id"]: Decimal(0) for c in contracts.values()}
    orders, snapshots, refund_lines, order_lines = {}, {}, 0, 0

    def add(day, iid, brand, spend=Decimal(0), **figures):
        row = daily[(day, iid, brand, influencers[iid]["platform"])]
        row["spend"] += spend
        for k, v in figures.items():
            row[k] += v
        payouts[contracts[(iid, brand)]["contract_id"]] += spend

    for e in w.unique:
        if e["type"] == "order":
            order_lines += len(e["lines"])
            iid = e.get("influencer_id") or coupons.get((e.get("coupon_code") or "").upper())
            orders[e["order_id"]] = (iid, e)
            if iid is None:
                continue
            day = _day(e["placed_at"])
            for brand in {ln["brand"] for ln in e["lines"]}:
                c = contracts[(iid, brand)]
                revenue = sum(Decimal(ln["revenue"]) for ln in e["lines"] if ln["brand"] == brand)
                spend = {"order": Decimal(c["rate"]), "revenue_share": Decimal(c["rate"]) * revenue}.get(c["basis"], Decimal(0))
                add(day, iid, brand, spend, orders=1, revenue=revenue)
        elif e["type"] == "post":
            if e["post_id"] not in snapshots or e["observed_at"] > snapshots[e["post_id"]]["observed_at"]:
                snapshots[e["post_id"]] = e
    for e in w.unique:
        if e["type"] != "refund":
            continue
        iid, order = orders[e["order_id"]]
        refund_lines += len(order["lines"])
        if iid is None:
            continue
        # a one-line order's refund is its amount; a larger order's refund is the whole order
        for line in order["lines"]:
            part = Decimal(e["amount"]) if len(order["lines"]) == 1 else Decimal(line["revenue"])
            c = contracts[(iid, line["brand"])]
            spend = -Decimal(c["rate"]) * part if c["basis"] == "revenue_share" else Decimal(0)
            add(_day(e["refunded_at"]), iid, line["brand"], spend, revenue=-part)
    for p in snapshots.values():
        c = contracts[(p["influencer_id"], p["brand"])]
        spend = Decimal(c["rate"]) if c["basis"] == "post" else Decimal(0)
        add(_day(p["published_at"]), p["influencer_id"], p["brand"], spend, posts=1, reach=p["reach"],
            likes=p["likes"], comments=p["comments"])
    return Expected(dict(daily), payouts, order_lines, refund_lines)
