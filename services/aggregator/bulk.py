"""Multi-row statements whose text does not grow with the batch: the rows travel as one JSON parameter,
turned back into rows of the table's type by Postgres (``json_populate_recordset``).

Why: SQLAlchemy compiles ``insert().values(rows)`` afresh for every batch, one bind parameter per cell (once
most of the aggregator's CPU); one array parameter per column fixed that, but psycopg then spent a quarter
of a batch's time dumping the arrays element by element (``hk bench aggregator``, cProfile). orjson writes
the whole batch in one call, and Postgres parses it in C with each column's own input function: a money
string such as "12.3400" becomes NUMERIC exactly, never a float. The SQL text depends only on the table, the
columns and the conflict clause, so it is built once, cached, and prepared by psycopg after a few uses.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table

from ..common.events import dumps


def insert_rows(conn: Connection, table: Table, rows: list[dict], conflict: tuple[str, ...] = (),
                add: tuple[str, ...] = (), replace: tuple[str, ...] = (), returning: tuple[str, ...] = ()) -> Sequence[Any]:
    """INSERT every row (the columns of the first), in order. With ``conflict``: on a clash, columns in
    ``add`` are added to the stored value, columns in ``replace`` overwritten, and with neither nothing
    happens. Returns the ``returning`` columns of the rows actually inserted or changed."""
    if not rows:
        return []
    sql = insert_statement(table, tuple(rows[0]), conflict, add, replace, returning)
    result = conn.exec_driver_sql(sql, {"rows": dumps(rows).decode()})
    return result.all() if returning else []


@lru_cache(maxsize=64)
def insert_statement(table: Table, columns: tuple[str, ...], conflict: tuple[str, ...], add: tuple[str, ...],
               replace: tuple[str, ...], returning: tuple[str, ...]) -> str:
    for column in columns:
        table.c[column]  # a KeyError names a column the table does not have, before Postgres ignores it
    names = ", ".join(columns)
    # WITH ORDINALITY … ORDER BY: rows are inserted in the order given (lock order, RETURNING order)
    sql = (f"INSERT INTO {table.name} ({names}) SELECT {names} FROM "
           f"json_populate_recordset(NULL::{table.name}, %(rows)s::json) WITH ORDINALITY AS u ORDER BY u.ordinality")
    if conflict:
        sets = [f"{c} = {table.name}.{c} + EXCLUDED.{c}" for c in add] + [f"{c} = EXCLUDED.{c}" for c in replace]
        sql += f" ON CONFLICT ({', '.join(conflict)}) " + (f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING")
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    return sql
