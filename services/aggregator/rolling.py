"""Rolling windows kept current: each batch adds its daily deltas to the 7- and 30-day sums in its own
transaction, and ``refresh_rolling()`` (SQL) rebuilds the sums when the business day turns.

Locking: a batch holds ``rolling_state`` FOR SHARE while it adds; the rebuild takes it FOR UPDATE, so it
waits for every batch in flight and sees all of them, and no batch adds to windows of a day already gone.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import Connection, Engine, text
from sqlalchemy.dialects.postgresql import insert

from . import tables as t
from .batch import Calendar, Deltas

WindowKey = tuple[int, str, str]  # window_days, influencer_id, brand


def window_deltas(deltas: Deltas, as_of: date, windows: list[int]) -> dict[WindowKey, dict]:
    """The part of the daily deltas that falls inside each window ending ``as_of``."""
    sums: dict[WindowKey, dict] = defaultdict(lambda: defaultdict(int))
    for (day, influencer, brand, _platform), measures in deltas.rows.items():
        for n in windows:
            if as_of - timedelta(days=n) < day <= as_of:
                row = sums[(n, influencer, brand)]
                for name, value in measures.items():
                    row[name] += value
    return sums


def apply_rolling(conn: Connection, deltas: Deltas) -> None:
    if not deltas.rows:
        return
    as_of, windows = conn.execute(text("SELECT as_of, rolling_windows() FROM rolling_state FOR SHARE")).one()
    sums = window_deltas(deltas, as_of, windows)
    if not sums:
        return
    rows = [{"window_days": k[0], "influencer_id": k[1], "brand": k[2],
             **{m: v.get(m, 0) for m in t.DAILY_MEASURES}} for k, v in sorted(sums.items())]
    stmt = insert(t.rolling_sums).values(rows)
    r = t.rolling_sums.c
    conn.execute(stmt.on_conflict_do_update(index_elements=["window_days", "influencer_id", "brand"],
                                            set_={m: r[m] + stmt.excluded[m] for m in t.DAILY_MEASURES}))


class RollingClock:
    """Calls ``refresh_rolling()`` once per business day (the SQL checks again under its lock)."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.as_of: date | None = None

    def due(self, today: date | None = None) -> bool:
        return self.as_of != (today or self.calendar.today())

    def refresh(self, engine: Engine) -> date:
        with engine.begin() as conn:
            self.as_of = conn.execute(text("SELECT refresh_rolling()")).scalar_one()
        return self.as_of
