"""Post snapshots: the newest ``observed_at`` of each post wins; a newer snapshot replaces the post's reach, likes and
comments in the rollups (the old ones out, the new ones in), and a post seen for the first time may cost money."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, select

from ...common.events import timestamp
from .. import tables as t
from ..batch import Calendar, Deltas
from ..board_totals import BoardTotals
from ..bulk import insert_rows
from ..spend import Source


def changes(records: list[dict], current: dict[str, dict], calendar: Calendar, deltas: Deltas,
            outcome: Counter) -> tuple[dict[str, dict], list[Source]]:
    """The rows to write (post_id → row) and the posts new to the table, given the stored rows ``current``; the
    rollups' changes go to ``deltas``, the snapshots' fates (inserted, updated, stale) to ``outcome``."""
    current, changed, sources = dict(current), {}, []
    for r in sorted(records, key=lambda r: timestamp(r["observed_at"])):
        old = current.get(r["post_id"])
        observed = timestamp(r["observed_at"])
        if old and observed <= old["observed_at"]:
            outcome["posts.stale"] += 1  # an older or repeated snapshot: newest observed_at wins
            continue
        published = timestamp(r["published_at"])
        new = {"post_id": r["post_id"], "influencer_id": r["influencer_id"], "platform": r["platform"],
               "brand": r["brand"], "campaign": r.get("campaign"), "url": r["url"], "caption": r.get("caption"),
               "published_at": published, "day": calendar.day(published), "reach": r["reach"],
               "likes": r["likes"], "comments": r["comments"], "observed_at": observed}
        if old:
            deltas.add((old["day"], old["influencer_id"], old["brand"], old["platform"]),
                       reach=-old["reach"], likes=-old["likes"], comments=-old["comments"], posts=-1)
        else:
            sources.append(Source("post", r["post_id"], r["influencer_id"], r["brand"], r["platform"],
                                  published, new["day"]))
        deltas.add((new["day"], new["influencer_id"], new["brand"], new["platform"]),
                   reach=new["reach"], likes=new["likes"], comments=new["comments"], posts=1)
        current[r["post_id"]] = changed[r["post_id"]] = new
        outcome["posts.inserted" if not old else "posts.updated"] += 1
    return changed, sources


def write(conn: Connection, records: list[dict], calendar: Calendar, deltas: Deltas, outcome: Counter,
          totals: BoardTotals | None) -> list[Source]:
    if not records:
        return []
    ids = sorted({r["post_id"] for r in records})
    current = {row.post_id: row._asdict() for row in conn.execute(
        select(t.posts).where(t.posts.c.post_id.in_(ids)).with_for_update())}
    changed, sources = changes(records, current, calendar, deltas, outcome)
    if changed:
        cols = tuple(c for c in next(iter(changed.values())) if c != "post_id")
        ids = sorted(changed)
        if totals:  # the engagement rates as Postgres computes them: the old snapshots' out, the new ones' in
            totals.post_rates(conn, ids, -1)
        insert_rows(conn, t.posts, list(changed.values()), conflict=("post_id",), replace=cols)
        if totals:
            totals.post_rates(conn, ids, 1)
    return sources
