"""``hk reattribute``: what the tables would say under other attribution settings (window, precedence,
half-life), computed from the storefront history beside the live pipeline, not in it.

It is ``hk rebuild`` with the attribution worker inside: the same bare reader (no consumer group joined,
nothing committed, so the live workers never notice), the same ``write_batch`` into an empty database of its
own, the same rollups built at the end, except that storefront events are attributed in-process by the worker's
own ``Attributor`` under the new settings, in place of the live hk.attributions records. The records go
straight into that database: a topic of their own would only be read back by this same process. Contracts and
influencers (compacted) are read first, as the rebuild does, so the index knows every contract before any order;
that is also what a live worker started today would know.
"""
from __future__ import annotations

from sqlalchemy import text

from ..aggregator.migrate import migrate
from ..aggregator.rebuild import SOURCES, Rebuilt, build_rollups, require_empty, run
from ..aggregator.batch import Calendar
from ..aggregator.records import decode_record
from ..aggregator.rolling import RollingClock
from ..attribution.attributor import Attributor
from ..attribution.contracts import ContractIndex
from ..common import topics
from ..common.db import make_engine
from ..common.events import STOREFRONT_TYPES, FieldError, InvalidEvent, decode, dumps
from ..common.settings import Settings

READ = tuple(t for t in SOURCES if t != topics.ATTRIBUTIONS) + (topics.STOREFRONT,)


def reattribute(settings: Settings, database_url: str, batch_size: int = 20_000, progress: bool | None = None) -> Rebuilt:
    """Fill the empty database at ``database_url`` from the topics, attributing under ``settings``."""
    migrate(settings.model_copy(update={"database_url": database_url}))
    engine = make_engine(database_url, pool_size=1)
    try:
        require_empty(engine)
        RollingClock(Calendar(settings.business_tz)).refresh(engine)
        contracts = ContractIndex()
        attributor = Attributor(settings, contracts, {}, {}, {})
        storefront = settings.topic(topics.STOREFRONT)

        def decoded(messages: list, settings: Settings, result: Rebuilt) -> list:
            members = []
            for m in messages:
                try:
                    if m.topic() == storefront:
                        members += [(m, record) for record in _attributed(attributor, m.value(), settings)]
                        continue
                    record = decode_record(m.topic(), m.value(), settings.currency, settings.topic_prefix)
                    if record.get("type") == "contract":
                        contracts.upsert(record)
                    members.append((m, record))
                except Exception as exc:  # noqa: BLE001 — the live workers dead-lettered it when they met it
                    result.skipped[type(exc).__name__] += 1
            return members

        result, _ = run(settings, engine, f"{settings.app_id}-reattribute", batch_size, progress, READ, decoded)
        with engine.begin() as conn:
            build_rollups(conn)
        return result
    finally:
        engine.dispose()


def _attributed(attributor: Attributor, raw: bytes | None, settings: Settings) -> list[dict]:
    """The attribution records of one storefront event, through the bytes the aggregator would read."""
    event = decode(raw, settings.currency)
    if event["type"] not in STOREFRONT_TYPES:
        raise InvalidEvent("wrong_topic", [FieldError("type", f"{event['type']} events do not belong on {topics.STOREFRONT}")])
    return [decode_record(topics.ATTRIBUTIONS, dumps(record), settings.currency) for _, record in attributor.handle(event)]


def what_if(settings: Settings, window_days: int | None, precedence: list[str] | None,
            half_life_days: float | None) -> Settings:
    """The live settings with the attribution settings asked for (validated as HK_… variables are)."""
    changes = {"attribution_window_days": window_days, "attribution_precedence": precedence,
               "attribution_half_life_days": half_life_days}
    given = {k: v for k, v in changes.items() if v is not None}
    return Settings.model_validate({**settings.model_dump(), **given})


def span(engine) -> tuple:
    """The first and last business day the database holds orders for."""
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT min(day), max(day) FROM attributed_orders")).one())

