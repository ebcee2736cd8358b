"""Settings → the environment of a child process whose own ``Settings()`` reads back the same values: the one way
the tests, the demo and the benchmarks configure the services they start (no HK_ names spelled by hand, and no
names turned back into fields by slicing strings)."""
from __future__ import annotations

import json
from decimal import Decimal

from pydantic import SecretStr
from pydantic_settings import NoDecode

from .settings import Settings

PREFIX = Settings.model_config.get("env_prefix") or ""
ALIASES = {"database_url": "DATABASE_URL"}  # read without the prefix (deployment platforms set it so)


def child_env(settings: Settings) -> dict[str, str]:
    """HK_* (and DATABASE_URL) for every field given explicitly when ``settings`` was made; a None is left out (the
    default of every optional field)."""
    env = {}
    for name in sorted(settings.model_fields_set):
        value = getattr(settings, name)
        if value is not None:
            env[ALIASES.get(name) or f"{PREFIX}{name}".upper()] = _text(value, _comma_separated(name))
    return env


def _comma_separated(name: str) -> bool:
    return any(isinstance(m, NoDecode) or m is NoDecode for m in Settings.model_fields[name].metadata)


def _text(value: object, comma_separated: bool) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and comma_separated:
        return ",".join(_text(v, False) for v in value)
    if isinstance(value, (list, dict)):  # pydantic-settings reads a complex field's value as JSON
        return json.dumps(value, default=lambda v: str(v) if isinstance(v, Decimal) else _text(v, False))
    return str(value)
