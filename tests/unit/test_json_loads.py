"""``loads`` takes orjson's fast path only when the answer is the standard library's: money stays exact."""
import json
from decimal import Decimal

import pytest

from services.common.events import _number, loads

CASES = [
    b'{"revenue":"1234.50","line_no":0,"counts_order":true,"influencer_id":null}',  # our records: no float at all
    b'{"revenue":1234.50}',                       # a float: Decimal("1234.50"), never 1234.5 through a double
    b'{"lines":[{"revenue":0.1},{"quantity":27.0}]}',  # nested floats; 27.0 is the integer 27
    b'{"amount":1e400}',                          # beyond a double
    b'{"n":123456789012345678901234567890}',      # beyond 64 bits: orjson refuses, the standard library reads it
    b'[NaN, Infinity]',                           # not JSON, but what the standard library always accepted
    '{"name":"caf\u00e9"}'.encode("utf-16"),      # UTF-16 with a BOM
    b'{"a":"\\ud800"}',                           # a lone surrogate escape
]


@pytest.mark.parametrize("raw", CASES)
def test_loads_answers_as_the_standard_library_with_decimals(raw):
    want = json.loads(raw, parse_float=_number)
    got = loads(raw)
    assert repr(got) == repr(want)  # repr: Decimal('1234.50') is not Decimal('1234.5'), NaN is not equal to itself


def test_money_sent_as_a_float_keeps_its_decimal_text():
    assert loads(b'{"revenue":0.30000000000000004}')["revenue"] == Decimal("0.30000000000000004")
    assert str(loads(b'{"revenue":19.90}')["revenue"]) == "19.90"


def test_too_deep_is_a_value_error():
    with pytest.raises(ValueError):
        loads(b"[" * 100_000)
