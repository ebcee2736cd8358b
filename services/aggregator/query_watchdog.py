"""A time bound on Grafana's queries that the viewer cannot lift.

``hk_grafana``'s 10 s ``statement_timeout`` is only a role default: any session may ``SET statement_timeout = 0``
and Postgres has no way to lock a setting per role. So the aggregator, which runs all the time anyway, cancels
the role's statements that have run too long, from outside the session.

The caller needs the privileges of the role (migration 0006 makes a non-superuser owner a member of
hk_grafana): without them pg_stat_activity hides the role's state and start time, and the watchdog would
find nothing and cancel nothing, so it refuses to run rather than look like it works.
"""
from __future__ import annotations

from sqlalchemy import Connection, text

# Signalling another user's backend, and seeing its state, take the privileges of that user, or both
# pg_signal_backend and pg_read_all_stats (what a managed Postgres's admin role usually has).
ALLOWED = text("""
SELECT current_user, pg_has_role(current_user, :role, 'USAGE')
       OR (pg_has_role(current_user, 'pg_signal_backend', 'USAGE')
           AND pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'))""")

# pg_cancel_backend sits in the select list, not the WHERE clause: the planner may evaluate WHERE conditions in
# any order, and there it could signal a backend before the role or the age had been checked.
# clock_timestamp(), not now(): now() is the start of the caller's transaction, which may be old; for the same
# reason the statistics snapshot is dropped first, as pg_stat_activity is read once per transaction.
FRESH = text("SELECT pg_stat_clear_snapshot()")
OVERLONG = text("""
SELECT pg_cancel_backend(pid) FROM pg_stat_activity
WHERE usename = :role AND state = 'active' AND clock_timestamp() - query_start > make_interval(secs => :limit)""")


def cancel_overlong_queries(conn: Connection, role: str = "hk_grafana", limit_s: float = 10.0) -> int:
    """Cancel ``role``'s statements running longer than ``limit_s``; returns how many were cancelled (a backend
    that ended meanwhile is not counted). The session survives: only its current statement fails, with
    "canceling statement due to user request"."""
    user, allowed = conn.execute(ALLOWED, {"role": role}).one()
    if not allowed:
        raise PermissionError(f"{user} cannot see or cancel {role}'s queries: GRANT {role} TO {user}")
    conn.execute(FRESH)
    return sum(1 for (cancelled,) in conn.execute(OVERLONG, {"role": role, "limit": limit_s}) if cancelled)
