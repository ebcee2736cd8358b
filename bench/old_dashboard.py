"""Baseline B of ``hk bench dashboard``: the previous product, a Streamlit app that read four CSVs with pandas and
recomputed every section on each refresh (see shared/seed/healthkart-dashboard-README.md). The same facts are
exported in the seed's CSV shapes and the seed's metrics recomputed over the board's 30 days."""
from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PIP = ".venv/bin/pip install -e '.[embedded,test,bench]'"

# The seed's four files, from the reporting tables (tracking.csv: one row per order line, revenue net of refunds).
EXPORTS = {
    "influencers": "SELECT influencer_id AS id, name, category, gender, follower_count, platform FROM influencers",
    "posts": "SELECT influencer_id, platform, day AS date, url, caption, reach, likes, comments, brand FROM posts",
    "tracking": "SELECT platform AS source, contract_id AS campaign, influencer_id, customer_id AS user_id, product, "
                "brand, day AS date, counts_order::int AS orders, revenue - refunded AS revenue FROM attributed_orders",
    "payouts": "SELECT influencer_id, basis, rate, orders, total_payout FROM payouts",
}


def require_pandas() -> None:
    try:
        import pandas  # noqa: F401  (an optional extra: only this benchmark needs it)
    except ImportError:
        raise SystemExit(f"hk bench dashboard times the old pandas dashboard and needs the bench extra: {PIP}") from None


def export(engine, directory: Path) -> None:
    with engine.raw_connection() as dbapi:
        cur = dbapi.driver_connection.cursor()
        for name, sql in EXPORTS.items():
            with open(directory / f"{name}.csv", "wb") as f, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
                for block in copy:
                    f.write(block)


def read(directory: Path) -> dict:
    import pandas as pd
    return {"influencers": pd.read_csv(directory / "influencers.csv"),
            "posts": pd.read_csv(directory / "posts.csv", parse_dates=["date"]),
            "tracking": pd.read_csv(directory / "tracking.csv", parse_dates=["date"]),
            "payouts": pd.read_csv(directory / "payouts.csv")}


def metrics(d: dict, start: date) -> dict:
    """The seed's sections, as its pandas code computed them (float64 money: the old product's arithmetic, timed
    here, never reported as a figure)."""
    import pandas as pd
    t = d["tracking"][d["tracking"]["date"] >= pd.Timestamp(start)]
    p = d["posts"][d["posts"]["date"] >= pd.Timestamp(start)].copy()
    inf = d["influencers"].set_index("id")
    payout = d["payouts"].groupby("influencer_id")[["total_payout", "orders"]].sum()
    p["engagement_rate"] = (p["likes"] + p["comments"]) / p["reach"] * 100
    engagement = p.groupby("influencer_id")[["reach", "likes", "comments"]].sum()
    per_inf = (t.groupby("influencer_id").agg(revenue=("revenue", "sum"), orders=("orders", "sum"))
               .join(payout["total_payout"]).join(inf).join(engagement))
    per_inf["roas"] = per_inf["revenue"] / per_inf["total_payout"]
    per_inf["incremental_roas"] = per_inf["revenue"] * 0.8 / per_inf["total_payout"]
    per_inf["engagement_rate"] = (per_inf["likes"] + per_inf["comments"]) / per_inf["reach"] * 100
    by_category = per_inf.groupby("category")[["revenue", "total_payout", "orders"]].sum()
    by_category["roas"] = by_category["revenue"] / by_category["total_payout"]
    return {
        "kpis": (t["revenue"].sum(), t["revenue"].sum() / payout["total_payout"].sum(), p["reach"].sum(),
                 p["engagement_rate"].mean()),
        "brand": t.groupby("brand").agg(revenue=("revenue", "sum"), orders=("orders", "sum"))
                  .join(p.groupby("brand")[["reach", "likes", "comments"]].sum()),
        "platform": t.groupby("source")["revenue"].sum(),
        "category": by_category,
        "daily": t.groupby("date")["revenue"].sum().sort_index(),
        "top": per_inf.nlargest(10, "roas"),
        "underperforming": per_inf[(per_inf["roas"] < 2) & (per_inf["total_payout"] >= 1000)].sort_values("roas"),
        "posts": p.sort_values("date", ascending=False).head(500),
        "payouts": d["payouts"].merge(d["influencers"], left_on="influencer_id", right_on="id", how="left"),
    }


def time_old_dashboard(engine, lines: int, repeat: int = 3) -> dict:
    """Read the four CSVs once (the app cached them), then the recomputation every refresh repeats."""
    with tempfile.TemporaryDirectory(prefix="hk-old-dashboard-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        export(engine, directory)
        export_s = time.perf_counter() - started
        size_mb = sum(f.stat().st_size for f in directory.iterdir()) / 1e6
        started = time.perf_counter()
        frames = read(directory)
        read_s = time.perf_counter() - started
    start = date.today() - timedelta(days=30)
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        metrics(frames, start)
        runs.append(time.perf_counter() - started)
    metrics_s = statistics.median(runs)
    print(f"\nold dashboard: {lines:,} tracking rows, {size_mb:,.0f} MB of CSV (exported in {export_s:.0f}s)", flush=True)
    return {"read_s": round(read_s, 2), "metrics_s": round(metrics_s, 2), "total_s": read_s + metrics_s,
            "csv_mb": round(size_mb)}
