"""The current definition of every SQL function and view, one file each (docs/sql/), as a migrated database holds it.

The migrations are the history: a function changed by a later migration is written again there (since 0008 as an
edit of the earlier text, services/aggregator/migration_text.py), so its definition today is spread over several
files. docs/sql/ is the one place to read it, generated from PostgreSQL's own pg_get_functiondef / pg_get_viewdef,
and a test fails when a migration changes a definition without the catalog being written again
(``python -m devstack.sql_catalog --write``), so a review shows each change to a function as a diff of its file.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import text

from services.aggregator.migrate import migrate
from services.common.db import make_engine
from services.common.settings import Settings

OUT = Path(__file__).resolve().parents[1] / "docs" / "sql"
# our own objects: the public schema, less what extensions installed there
FUNCTIONS = text("""SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
                    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
                      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
                    ORDER BY 1, 2""")
VIEWS = text("""SELECT c.relname, CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END,
                       pg_get_viewdef(c.oid, true)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm') ORDER BY 1""")


def catalog(database_url: str) -> dict[str, str]:
    """Relative path → the definition, for every function and view of a migrated database."""
    files: dict[str, str] = {}
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            functions = conn.execute(FUNCTIONS).all()
            names = [name for name, _, _ in functions]
            for name, args, body in functions:
                # an overloaded name gets its argument types in the file name
                stem = name if names.count(name) == 1 else f"{name}({args.replace(' ', '')})"
                files[f"functions/{stem}.sql"] = body.strip() + "\n"
            for name, kind, body in conn.execute(VIEWS):
                files[f"views/{name}.sql"] = f"CREATE {kind} {name} AS\n{body.rstrip().rstrip(';')};\n"
    finally:
        engine.dispose()
    return files


def stale(files: dict[str, str], out: Path = OUT) -> list[str]:
    """What differs between ``files`` and the catalog in ``out``: changed, missing and extra files."""
    have = {str(p.relative_to(out)): p.read_text() for p in out.rglob("*.sql")} if out.exists() else {}
    return sorted(k for k in files.keys() | have.keys() if files.get(k) != have.get(k))


def write(files: dict[str, str], out: Path = OUT) -> None:
    shutil.rmtree(out, ignore_errors=True)
    for relative, body in files.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(body)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.sql_catalog", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUT} (default: say what is out of date)")
    args = parser.parse_args()
    from .postgres import EmbeddedPostgres
    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="hk-sql-catalog-"))).start()
    try:
        url = server.create_database("hk_sql_catalog")
        migrate(Settings(env="dev", database_url=url))
        files = catalog(url)
    finally:
        server.cleanup()
    if args.write:
        write(files)
        print(f"{len(files)} definitions written to {OUT}")
    elif out_of_date := stale(files):
        raise SystemExit(f"docs/sql is out of date ({', '.join(out_of_date[:5])}…); run python -m devstack.sql_catalog --write")
    else:
        print("docs/sql is up to date")


if __name__ == "__main__":
    main()
