"""Multi-row statements whose size does not grow with the batch: one array per column, ``unnest``ed by Postgres.

Why: SQLAlchemy compiles ``insert().values(rows)`` afresh for every batch, one bind parameter per cell; at
500-row batches that compilation was most of the aggregator's CPU (py-spy, bench/pipeline.py). Here the
SQL text depends only on the table, the columns and the conflict clause, so it is built once and cached,
and psycopg sends each column as one array parameter.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Connection, Integer, Numeric, Table
from sqlalchemy.dialects import postgresql

_DIALECT = postgresql.dialect()


def insert_rows(conn: Connection, table: Table, rows: list[dict], conflict: tuple[str, ...] = (),
                add: tuple[str, ...] = (), replace: tuple[str, ...] = (), returning: tuple[str, ...] = ()) -> list:
    """INSERT every row (the columns of the first), in order. With ``conflict``: on a clash, columns in
    ``add`` are added to the stored value, columns in ``replace`` overwritten, and with neither nothing
    happens. Returns the ``returning`` columns of the rows actually inserted or changed."""
    if not rows:
        return []
    columns = tuple(rows[0])
    sql = _statement(table, columns, conflict, add, replace, returning)
    params = {f"c{i}": _column(table, c, rows) for i, c in enumerate(columns)}
    result = conn.exec_driver_sql(sql, params)
    return result.all() if returning else []


@lru_cache(maxsize=64)
def _statement(table: Table, columns: tuple[str, ...], conflict: tuple[str, ...], add: tuple[str, ...],
               replace: tuple[str, ...], returning: tuple[str, ...]) -> str:
    arrays = ", ".join(f"%(c{i})s::{_array_type(table, c)}" for i, c in enumerate(columns))
    names = ", ".join(columns)
    sql = f"INSERT INTO {table.name} ({names}) SELECT * FROM unnest({arrays}) AS u({names})"
    if conflict:
        sets = [f"{c} = {table.name}.{c} + EXCLUDED.{c}" for c in add] + [f"{c} = EXCLUDED.{c}" for c in replace]
        sql += f" ON CONFLICT ({', '.join(conflict)}) " + (f"DO UPDATE SET {', '.join(sets)}" if sets else "DO NOTHING")
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    return sql


def _column(table: Table, column: str, rows: list[dict]) -> list:
    values = [row[column] for row in rows]
    kind = table.c[column].type
    if isinstance(kind, Numeric) and not isinstance(kind, Integer):
        # psycopg types a list by its elements: a money column of 0 and Decimal("1.5") must be all Decimal
        return [Decimal(v) if isinstance(v, int) else v for v in values]
    return values


def _array_type(table: Table, column: str) -> str:
    kind = table.c[column].type
    if isinstance(kind, postgresql.ARRAY):
        raise TypeError(f"{table.name}.{column} is an array: unnest would flatten it; use a plain INSERT")
    return f"{kind.compile(dialect=_DIALECT)}[]"
