"""docs/sql/ holds the current definition of every SQL function and view, one file each, exactly as a freshly
migrated database has them (devstack/sql_catalog.py): a migration that changes one without the catalog fails here."""
import pytest

from devstack.sql_catalog import catalog, stale
from services.aggregator.migrate import migrate
from services.common.settings import Settings

pytestmark = pytest.mark.postgres


def test_the_catalog_is_every_function_and_view_as_migrated(postgres):
    url = postgres.create_database("hk_sql_catalog")
    migrate(Settings(env="dev", database_url=url))
    files = catalog(url)
    assert {"functions/ratio.sql", "functions/report_kpis.sql", "views/order_lines.sql"} <= set(files)
    assert "round(n / nullif(d, 0), 4)" in files["functions/ratio.sql"]  # the one ROAS rounding
    assert stale(files) == [], "a migration changed SQL: run python -m devstack.sql_catalog --write and commit docs/sql"
    # and the check can fail: one definition changed, one missing
    changed = {**files, "functions/ratio.sql": files["functions/ratio.sql"].replace(", 4)", ", 2)")}
    del changed["views/order_lines.sql"]
    assert stale(changed) == ["functions/ratio.sql", "views/order_lines.sql"]
