"""Topic names, their keys and their creation (``hk topics``)."""
from __future__ import annotations

import logging
import time

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from .kafka_security import kafka_python
from .settings import Settings

STOREFRONT = "hk.storefront"      # click, order, refund; key customer_id
POSTS = "hk.posts"                # key post_id
INFLUENCERS = "hk.influencers"    # compacted; key influencer_id
CONTRACTS = "hk.contracts"        # compacted; key contract_id
ATTRIBUTIONS = "hk.attributions"  # key influencer_id (brand for unattributed lines)
DEAD_LETTER = "hk.dead-letter"
ALERTS = "hk.alerts"

COMPACTED = {INFLUENCERS, CONTRACTS}
ALL = (STOREFRONT, POSTS, INFLUENCERS, CONTRACTS, ATTRIBUTIONS, DEAD_LETTER, ALERTS)
# What each worker's consumer group reads (its group id is <app id>-<worker>): the ingest sheds load when they fall behind.
CONSUMERS = {"attribution": (STOREFRONT,), "aggregator": (ATTRIBUTIONS, POSTS, INFLUENCERS, CONTRACTS)}

# The attribution worker's Faust tables. Their changelog topics are created here, before any worker
# starts: left to Faust, two workers starting together can see the topic missing and fail every write.
# source_offsets: per storefront partition, the next offset whose records are not yet all delivered;
# expiry: what each partition prunes on which day (services/attribution/retention.py).
ATTRIBUTION_TABLES = ("customers", "orders", "pending_refunds", "source_offsets", "expiry")


def changelog(settings: Settings, table: str) -> str:
    return f"{settings.app_id}-attribution-{table}-changelog"  # Faust's own naming: <app id>-<table>-changelog

# Which topic and which key field each event type travels with.
ROUTES = {
    "click": (STOREFRONT, "customer_id"),
    "order": (STOREFRONT, "customer_id"),
    "refund": (STOREFRONT, "customer_id"),
    "post": (POSTS, "post_id"),
    "influencer": (INFLUENCERS, "influencer_id"),
    "contract": (CONTRACTS, "contract_id"),
}

log = logging.getLogger(__name__)


def create_topics(settings: Settings, wait_s: float = 60.0) -> list[str]:
    """Create every topic that does not exist yet; wait for the broker up to ``wait_s``."""
    admin = _admin(settings, wait_s)
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(settings.topic(name), settings.partitions, 1,
                     topic_configs={"cleanup.policy": "compact"} if name in COMPACTED else {})
            for name in ALL if settings.topic(name) not in existing
        ] + [NewTopic(name, settings.partitions, 1, topic_configs={"cleanup.policy": "compact"})
             for name in (changelog(settings, t) for t in ATTRIBUTION_TABLES) if name not in existing]
        if wanted:
            try:
                admin.create_topics(wanted)
            except TopicAlreadyExistsError:  # another starter won the race
                pass
        return [t.name for t in wanted]
    finally:
        admin.close()


def _admin(settings: Settings, wait_s: float) -> KafkaAdminClient:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, client_id="hk-topics",
                                    **kafka_python(settings))
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"Kafka at {settings.kafka_bootstrap} did not answer within {wait_s:.0f}s: {exc}") from None
            log.info("waiting for Kafka at %s: %s", settings.kafka_bootstrap, exc)
            time.sleep(0.5)
