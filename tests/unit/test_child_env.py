"""A child process configured from typed settings reads back the same settings (services/common/child_env.py)."""
import os
from decimal import Decimal

import pytest

from services.common.child_env import child_env
from services.common.settings import Settings

GIVEN = dict(env="dev", kafka_bootstrap="127.0.0.1:39092", database_url="postgresql+psycopg://u:p@127.0.0.1:5/hk",
             topic_prefix="t1.", partitions=3, api_keys=["k1", "k2"], platforms=["instagram", "threads"],
             attribution_precedence=["coupon", "explicit"], attribution_models=False, batch_seconds=0.2,
             brand_baselines={"MB": Decimal("0.35"), "HK": Decimal("0")}, kafka_sasl_password="s3cret",
             kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_username="hk", group_instance_id="",
             shopify_include_test_orders=True, ingest_port=18080)


def test_every_kind_of_field_survives_the_trip_to_a_child_process(monkeypatch):
    parent = Settings(**GIVEN)
    env = child_env(parent)
    assert env["DATABASE_URL"] == GIVEN["database_url"] and env["HK_API_KEYS"] == "k1,k2"
    assert set(env) == {"DATABASE_URL", *(f"HK_{n.upper()}" for n in GIVEN if n != "database_url")}
    for name in list(os.environ):
        if name.startswith("HK_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    child = Settings()
    assert child.model_dump() == parent.model_dump()
    assert [k.get_secret_value() for k in child.api_keys] == ["k1", "k2"]
    assert child.kafka_sasl_password.get_secret_value() == "s3cret"


def test_only_what_was_given_goes_to_the_child():
    assert child_env(Settings(env="dev")) == {"HK_ENV": "dev"}


@pytest.mark.parametrize("bad", [{"partitions": 0}, {"platforms": ["Instagram"]}])
def test_settings_a_child_would_refuse_are_refused_in_the_parent(bad):
    with pytest.raises(ValueError):
        Settings(env="dev", **bad)
