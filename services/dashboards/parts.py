"""Pieces every board shares: datasources, the SQL query type the SDK lacks, the filter variables and the
seed's colour classes."""
from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.models import dashboard as m

from ..attribution.models import MODELS

POSTGRES = m.DataSourceRef(type_val="grafana-postgresql-datasource", uid="hk-postgres")
PROMETHEUS = m.DataSourceRef(type_val="prometheus", uid="hk-prometheus")
CURRENCY = "currencyINR"
RATIO = "suffix:×"
DRILLDOWN_UID = "hk-influencer"

VARIABLE_ARRAY = "ARRAY[${%s:sqlstring}]::text[]"


def filters(brands: str = VARIABLE_ARRAY % "brand", platforms: str = VARIABLE_ARRAY % "platform",
            categories: str = VARIABLE_ARRAY % "category") -> str:
    """The report functions' common filters: Grafana's time range as business days, and by default the three
    variables (multi-value; "All" expands to every value, so each array is the selection)."""
    return ("p_from => business_day($__timeFrom()), p_to => business_day($__timeTo()), "
            f"p_brands => {brands}, p_platforms => {platforms}, p_categories => {categories}")


FILTERS = filters()


class SqlQuery(cogvariants.Dataquery):
    """A raw-SQL target of Grafana's PostgreSQL datasource (the SDK has no builder for it)."""

    def __init__(self, sql: str, fmt: str = "table", ref_id: str = "A") -> None:
        self.sql, self.fmt, self.ref_id = sql, fmt, ref_id

    def to_json(self) -> dict[str, object]:
        return {"refId": self.ref_id, "datasource": POSTGRES.to_json(), "editorMode": "code", "format": self.fmt,
                "rawQuery": True, "rawSql": self.sql}


class Sql(cogbuilder.Builder[SqlQuery]):
    def __init__(self, sql: str, fmt: str = "table") -> None:
        self._internal = SqlQuery(" ".join(sql.split()), fmt)

    def build(self) -> SqlQuery:
        return self._internal


def distinct_values(column: str, source: str, indexed: bool) -> str:
    """The values of a column. Postgres has no loose index scan, so DISTINCT over a big rollup reads every row;
    on an indexed column a recursive query jumps from one value to the next instead, one index probe each."""
    if not indexed:
        return f"SELECT DISTINCT {column} FROM {source} WHERE {column} IS NOT NULL ORDER BY 1"
    return (f"WITH RECURSIVE v AS (SELECT min({column}) AS x FROM {source} UNION ALL "
            f"SELECT (SELECT min({column}) FROM {source} WHERE {column} > v.x) FROM v WHERE v.x IS NOT NULL) "
            f"SELECT x AS {column} FROM v WHERE x IS NOT NULL ORDER BY 1")


def filter_variable(name: str, label: str, column: str, source: str, indexed: bool = False) -> db.QueryVariable:
    return (db.QueryVariable(name).label(label).datasource(POSTGRES)
            .query(distinct_values(column, source, indexed))
            .multi(True).include_all(True).refresh(m.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .current(m.VariableOption(selected=True, text=["All"], value=["$__all"])))


def model_variable() -> db.QueryVariable:
    """The attribution model the model panels show (docs/reporting.md, "Attribution models"); rules by default."""
    values = ", ".join(f"'{m}'" for m in MODELS)
    return (db.QueryVariable("model").label("Attribution model").datasource(POSTGRES)
            .query(f"SELECT m AS model FROM unnest(ARRAY[{values}]) WITH ORDINALITY AS u(m, n) ORDER BY n")
            .refresh(m.VariableRefresh.ON_DASHBOARD_LOAD).current(m.VariableOption(selected=True, text="rules", value="rules")))


# influencer_daily_brand and influencer_daily_platform (migration 0005) index the two rollup columns
FILTER_VARIABLES = [filter_variable("brand", "Brand", "brand", "influencer_daily", indexed=True),
                    filter_variable("platform", "Platform", "platform", "influencer_daily", indexed=True),
                    filter_variable("category", "Category", "category", "influencers")]


def steps(*pairs: tuple[float | None, str]) -> db.ThresholdsConfig:
    return db.ThresholdsConfig().mode(m.ThresholdsMode.ABSOLUTE).steps([m.Threshold(v, c) for v, c in pairs])


# The seed's classes. Figures are rounded to 4 places, so "> 3" starts at 3.0001 and 3.0000 stays average.
ROAS_CLASSES = steps((None, "red"), (2, "yellow"), (3.0001, "green"))
ENGAGEMENT_CLASSES = steps((None, "red"), (1, "yellow"), (3.0001, "green"))
COLORED_CELL = m.DynamicConfigValue("custom.cellOptions", {"type": "color-text"})


def classed(table, column: str, classes: db.ThresholdsConfig):
    """Colour a table column by the seed's classes."""
    return table.override_by_name(column, [m.DynamicConfigValue("thresholds", classes.build()), COLORED_CELL])


def money_columns(table, *columns: str):
    for c in columns:
        table = table.override_by_name(c, [m.DynamicConfigValue("unit", CURRENCY)])
    return table


def drilldown_link(table, column: str = "influencer_id"):
    link = {"title": "Open ${__value.raw}", "url": f"/d/{DRILLDOWN_UID}?var-influencer=${{__value.raw}}&${{__url_time_range}}"}
    return table.override_by_name(column, [m.DynamicConfigValue("links", [link])])


def alert_annotation(scope: str) -> dict:
    """ROAS alerts from roas_alerts as a region from firing to resolution (the SDK's annotation target has no
    raw-SQL form, so this is the JSON Grafana stores)."""
    sql = ("SELECT fired_at AS time, coalesce(resolved_at, now()) AS timeend, 'ROAS alert: ' || influencer_id || "
           "' on ' || brand || ' - ' || reason AS text, 'roas-alert,' || brand AS tags FROM roas_alerts "
           f"WHERE fired_at <= $__timeTo() AND coalesce(resolved_at, now()) >= $__timeFrom() AND {scope}")
    return {"name": "ROAS alerts", "datasource": POSTGRES.to_json(), "enable": True, "hide": False,
            "iconColor": "red", "target": SqlQuery(sql).to_json()}
