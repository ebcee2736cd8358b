"""One typed settings object, read from the environment (prefix ``HK_``; ``DATABASE_URL`` too)."""
from __future__ import annotations

import hashlib
import re
import socket
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .processable import DEFAULT_PLATFORMS, PLATFORM

# Only ever accepted when HK_ENV=dev: the demo and the tests use it, production must set its own keys.
DEV_API_KEY = "dev-key"
DEV_GRAFANA_DB_PASSWORD = "grafana-dev"


RULES = ("explicit", "coupon", "click", "last_click")  # the attribution rules (services/attribution/rules.py)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HK_", extra="ignore")

    env: Literal["dev", "prod"] = "prod"
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: str | None = Field(None, description="CA bundle for the brokers' certificates (default: system CAs)")
    kafka_ssl_certfile: str | None = Field(None, description="client certificate, for mutual TLS")
    kafka_ssl_keyfile: str | None = None
    topic_prefix: str = Field("", description="prepended to every topic name (isolates test runs)")
    partitions: int = Field(6, ge=1)
    database_url: str | None = Field(None, validation_alias=AliasChoices("DATABASE_URL", "HK_DATABASE_URL"))

    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list, description="comma-separated bearer keys")
    api_key_hashes: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated sha256:<hex> of bearer keys (hk hash-key), so no key is stored")
    ingest_host: str = "127.0.0.1"
    ingest_port: int = 8080
    ingest_metrics_port: int = Field(9108, description="the ingest's /metrics, on a port of its own (HK_WEB_HOST) that is "
                                     "not published: the public port serves no metrics")
    max_body_bytes: int = 1_048_576
    max_batch_events: int = 1000
    produce_timeout_s: float = 10.0
    rate_limit_events_s: float = Field(50_000, ge=0, description="events per second per API key (0: no limit)")
    rate_limit_burst: int = Field(100_000, ge=1, description="events a key may send at once above the rate")
    ingest_max_lag: int = Field(1_000_000, ge=0, description="events the workers may fall behind before the ingest "
                                "answers 503 (0: never); Postgres or a worker being slow shows up here first")
    ingest_max_inflight: int = Field(64, ge=1, description="requests waiting on Kafka at once; more get 503 at once")
    lag_check_seconds: float = Field(2.0, gt=0, description="how often the ingest reads the workers' consumer lag")
    shopify_webhook_secret: SecretStr | None = Field(None, description="enables POST /v1/webhooks/shopify/orders")
    shopify_include_test_orders: bool = Field(False, description="count Shopify orders marked test: true (off: they "
                                              "are acknowledged and dropped)")
    max_order_lines: int = Field(200, ge=1, le=1000, description="lines one order may have (the schema's ceiling is 1000)")
    max_errors_reported: int = Field(100, ge=1, description="field errors listed in one refusal; the rest are counted")
    earliest_event_time: datetime = Field(datetime(2000, 1, 1, tzinfo=timezone.utc),
                                          description="events timed before this are refused (422 naming the field)")
    max_future_seconds: float = Field(86_400, ge=0, description="how far past now an event's time may be (clock skew)")

    platforms: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_PLATFORMS),
        description="comma-separated platforms influencers and posts may name (lower case); others get a 422")
    currency: str = "INR"
    business_tz: str = "Asia/Kolkata"
    attribution_window_days: int = Field(7, ge=0)
    click_retention_days: int = Field(30, ge=1, description="how long an explicitly named click_id stays known")
    max_clicks_per_customer: int = Field(50, ge=1)
    attribution_precedence: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["explicit", "coupon", "click", "last_click"],
        description="comma-separated order in which the rules are tried (a rule left out is never used)")
    attribution_models: bool = Field(True, description="send each order's touchpoints and the multi-touch models' "
                                     "credits with its records (off: the rules only; hk bench attribution measures the cost)")
    attribution_half_life_days: float = Field(7, gt=0, description="the time_decay model's half-life: a touch this "
                                              "long before the order counts half as much as one at its moment")
    refund_horizon_days: int = Field(120, ge=1, description="how long an order's attribution state is kept for its "
                                     "refunds and edits; past it the state is pruned and a late refund dead-lettered")

    # Reporting (hk migrate writes these to app_config / brand_config, where the SQL reads them)
    incremental_baseline: Decimal = Field(Decimal("0.2"), ge=0, le=1,
                                          description="share of attributed sales that would have happened anyway")
    brand_baselines: dict[str, Annotated[Decimal, Field(ge=0, le=1)]] = Field(
        default_factory=dict, description='per-brand baselines as JSON, e.g. {"Gritzo": "0.3"}')
    grafana_db_password: SecretStr | None = Field(None, description="password of the read-only hk_grafana role")
    underperforming_min_spend: Decimal = Field(Decimal("1000"), ge=0,
                                               description="spend below which a poor ROAS is not listed as underperforming")

    web_host: str = Field("127.0.0.1", description="where the Faust workers' /metrics and /healthz, and the ingest's /metrics, listen; 0.0.0.0 in a "
                          "container, so that Prometheus can scrape every replica")
    attribution_web_port: int = 6066
    aggregator_web_port: int = 6067
    group_instance_id: str | None = Field(
        None, description="a stable id of this worker process in its consumer group (static membership, KIP-345): a "
        "restarted worker takes its partitions back at once instead of after the 60 s session timeout; 'hostname' "
        "uses the host's name, one per container. Unset: dynamic membership")
    log_level: str = Field("WARNING", description="the Faust workers' log level (DEBUG, INFO, WARNING, ERROR)")
    business_metrics_seconds: float = Field(15.0, gt=0, description="how often the aggregator refreshes the ROAS "
                                             "gauges and open alerts it exports, and checks the rolling windows' day")
    roas_gauge_limit: int = Field(500, ge=0, description="influencers exported as hk_influencer_roas_7d series")
    batch_size: int = Field(500, ge=1)
    batch_seconds: float = Field(0.1, gt=0)  # the longest a record waits for its batch to fill: freshness
    app_id: str = "hk"
    data_dir: str | None = Field(None, description="where the Faust workers keep local table files (default ./<app>-data)")
    table_store: Literal["rocksdb://", "memory://"] = Field(
        "rocksdb://", description="where attribution keeps its tables: RocksDB on disk (memory stays bounded as order state "
                                 "grows; a restarted worker reads its partitions back from disk) or memory (rebuilt from the changelog)")

    @model_validator(mode="before")
    @classmethod
    def _split_keys(cls, data: dict) -> dict:
        for name in ("api_keys", "api_key_hashes", "platforms", "attribution_precedence"):
            value = data.get(name) if isinstance(data, dict) else None
            if isinstance(value, str):
                data[name] = [k.strip() for k in value.split(",") if k.strip()]
        for h in data.get("api_key_hashes") or [] if isinstance(data, dict) else []:
            if not re.fullmatch(r"sha256:[0-9a-f]{64}", h):
                raise ValueError(f"HK_API_KEY_HASHES entries look like sha256:<64 hex digits> (hk hash-key makes one); got {h[:12]}…")
        for p in data.get("platforms") or [] if isinstance(data, dict) else []:
            if not PLATFORM.fullmatch(p):
                raise ValueError(f"HK_PLATFORMS entries are lower-case names (letters, digits, _; at most 32); got {p[:40]!r}")
        rules = data.get("attribution_precedence") if isinstance(data, dict) else None
        if rules is not None and (not rules or len(set(rules)) != len(rules) or set(rules) - set(RULES)):
            raise ValueError(f"HK_ATTRIBUTION_PRECEDENCE is some of {', '.join(RULES)}, each at most once; got {rules}")
        return data

    def effective_group_instance_id(self) -> str | None:
        return socket.gethostname() if self.group_instance_id == "hostname" else self.group_instance_id or None

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def require_database_url(self) -> str:
        if not self.database_url:
            raise SystemExit("DATABASE_URL is not set: point it at PostgreSQL (postgresql+psycopg://…)")
        return self.database_url

    def effective_grafana_password(self) -> str | None:
        """The read-only role's password; without one the role cannot log in (a dev default in dev mode)."""
        if self.grafana_db_password:
            return self.grafana_db_password.get_secret_value()
        return DEV_GRAFANA_DB_PASSWORD if self.env == "dev" else None

    def api_key_digests(self) -> list[bytes]:
        """What the ingest keeps to check a bearer key: SHA-256 digests only, never the keys."""
        digests = [bytes.fromhex(h.split(":", 1)[1]) for h in self.api_key_hashes]
        if not digests or self.api_keys:
            digests += [hashlib.sha256(k.encode()).digest() for k in self.effective_api_keys()]
        return digests

    def effective_api_keys(self) -> list[str]:
        keys = [k.get_secret_value() for k in self.api_keys]
        if keys:
            return keys
        if self.env == "dev":
            return [DEV_API_KEY]
        raise SystemExit("HK_API_KEYS / HK_API_KEY_HASHES are not set: give the ingest at least one API key "
                         "(or HK_ENV=dev for the dev key)")


@lru_cache
def get_settings() -> Settings:
    return Settings()
