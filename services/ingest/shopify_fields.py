"""Typed readers of a Shopify payload: each names the field it refuses, so that a 400 says what to fix (and no
TypeError becomes a 500). Shopify's money comes from the shop's currency (``shop_money``) wherever both are sent."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import cast

from ..common.processable import is_utf8

SHOPIFY_ID = re.compile(r"[A-Za-z0-9._:@/-]{1,48}")  # room for our prefixes ("shopify-cancel-") within the schemas' 64
MAX_AMOUNT = Decimal(10) ** 12  # the schemas' ceiling on money
MAX_QUANTITY = 2_147_483_647  # the order schema's ceiling on a line's quantity


class ShopifyPayloadError(ValueError):
    """The payload is not a Shopify order we can read; the message names the field."""


def _bad(path: str, expected: str, value: object) -> ShopifyPayloadError:
    if isinstance(value, (dict, list, type(None))):
        shown = "an object" if isinstance(value, dict) else "a list" if value is not None else "nothing"
    else:  # a string quoted, a number as JSON writes it (1E+999999, NaN comes as nan), true/false lower-case
        shown = repr(value[:40]) if isinstance(value, str) else str(value).lower()[:40]
    return ShopifyPayloadError(f"{path}: expected {expected}, got {shown}")


def _obj(value: object, path: str, required: bool = False) -> dict:
    if isinstance(value, dict) or (value is None and not required):
        return value or {}
    raise _bad(path, "an object", value)


def _items(value: object, path: str, required: bool = False) -> list:
    if isinstance(value, list) or (value is None and not required):
        return value or []
    raise _bad(path, "a list", value)


def _text(value: object, path: str) -> str | None:
    """A string, "" read as absent. A lone surrogate (JSON "\\ud800") is refused here rather than in Kafka's encoder."""
    if value is None or (isinstance(value, str) and (value.isascii() or is_utf8(value))):
        return value or None
    raise _bad(path, "UTF-8 text", value)



def _flag(value: object, path: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    raise _bad(path, "true or false", value)


def _identifier(value: object, path: str) -> str:
    as_text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(as_text, str) and SHOPIFY_ID.fullmatch(as_text):
        return as_text
    raise _bad(path, "a Shopify id (a number, or up to 48 of A-Z a-z 0-9 . _ : @ / -)", value)


def _whole_number(value: object, path: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_QUANTITY:
        return value
    raise _bad(path, f"a whole number from 0 to {MAX_QUANTITY}", value)


def _money(value: object, path: str) -> Decimal:
    amount = None
    if isinstance(value, (str, int, float, Decimal)) and not isinstance(value, bool):
        try:
            amount = Decimal(str(value))
        except ArithmeticError:  # decimal.InvalidOperation: not a number at all
            pass
    if amount is None or not amount.is_finite() or not 0 <= amount < MAX_AMOUNT:  # NaN, Infinity, 1e999999, -5
        raise _bad(path, "an amount from 0 to 10^12", value)
    exponent = cast(int, amount.as_tuple().exponent)  # an int for every finite amount ("n", "N", "F" are NaN, Infinity)
    return amount.quantize(Decimal("0.0001")) if exponent < -4 else amount


def _shop_money(source: object, key: str, path: str) -> Decimal:
    """``<key>_set.shop_money.amount`` where Shopify sends both currencies, else ``<key>`` (older payloads)."""
    source = _obj(source, path, required=True)
    money_set = _obj(source.get(f"{key}_set"), f"{path}.{key}_set")
    if not money_set:
        return _money(source.get(key), f"{path}.{key}")
    shop = _obj(money_set.get("shop_money"), f"{path}.{key}_set.shop_money", required=True)
    return _money(shop.get("amount"), f"{path}.{key}_set.shop_money.amount")


def _amount_text(amount: Decimal, path: str) -> str:
    if amount >= MAX_AMOUNT:
        raise ShopifyPayloadError(f"{path}: an amount of {amount} is over the schemas' ceiling of 10^12")
    return format(amount.copy_abs(), "f")  # never "1E+3" or "-0"


def _first_time(source: dict, keys: tuple[str, ...], prefix: str) -> str:
    for key in keys:
        if when := _text(source.get(key), prefix + key):
            return when
    raise ShopifyPayloadError(f"{prefix}{keys[0]}: expected a timestamp (or {', '.join(keys[1:])}), got nothing")
