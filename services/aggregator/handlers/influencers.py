"""Influencer profiles: the batch's influencers locked, their newest profiles upserted, and what the table knows."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import insert

from .. import tables as t

PROFILE = ("name", "category", "gender", "follower_count", "platform")


def lock(conn: Connection, ids: list[str]) -> None:
    # Serialises spend accrual per influencer across workers: a contract and an order arriving on two
    # workers at once must not both miss each other.
    if ids:
        conn.execute(text("SELECT count(pg_advisory_xact_lock(hashtext(i))) FROM "
                          "(SELECT unnest(CAST(:ids AS text[])) AS i ORDER BY 1) s"), {"ids": ids})


def profile_rows(records: list[dict], now: datetime) -> list[dict]:
    """One row per influencer, the last record of each (the topic is compacted: the last one is the truth)."""
    latest = {r["influencer_id"]: r for r in records}
    return [{"influencer_id": r["influencer_id"], "name": r["name"], "category": r["category"],
             "gender": r.get("gender"), "follower_count": r.get("follower_count"), "platform": r["platform"],
             "updated_at": now} for r in latest.values()]


def upsert(conn: Connection, records: list[dict]) -> None:
    rows = profile_rows(records, datetime.now(timezone.utc))
    if not rows:
        return
    stmt = insert(t.influencers).values(rows)
    conn.execute(stmt.on_conflict_do_update(index_elements=["influencer_id"],
                                            set_={c: stmt.excluded[c] for c in (*PROFILE, "updated_at")}))


def known(conn: Connection, ids: list[str]) -> dict[str, tuple[str, str]]:
    """influencer → (platform, category) for those the influencers table has (one read for both uses)."""
    if not ids:
        return {}
    return {i: (p, c) for i, p, c in conn.exec_driver_sql(
        "SELECT influencer_id, platform, category FROM influencers WHERE influencer_id = ANY(%(ids)s)", {"ids": ids})}
