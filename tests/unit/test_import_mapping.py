"""--map and the brand filler: what a team's files call things, and where a missing brand comes from."""
from __future__ import annotations

import pytest

from services.importer import brands as b
from services.importer.checks import fractional_order_rate, outlier_orders
from services.importer.mapping import Mapping, load


def test_a_map_names_columns_values_and_brands_whatever_their_case(tmp_path):
    path = tmp_path / "map.yml"
    path.write_text("columns:\n  tracking: {Order Value: revenue}\nplatforms: {Threads: other}\n"
                    "basis: {Fixed Fee: post}\nbrands:\n  by_product: {MB: MuscleBlaze}\n")
    m = load(path)
    assert m.columns == {"tracking.csv": {"order_value": "revenue"}}
    assert (m.platform(" threads "), m.platform("IG"), m.basis_of("fixed  fee"), m.basis_of("per_order")) == \
        ("other", "instagram", "post", "order")


@pytest.mark.parametrize("text, words", [
    ("columns: [a, b]\n", "columns must be a mapping"),
    ("columns:\n  sales: {a: b}\n", "sales is not one of influencers, posts, tracking, payouts"),
    ("brands:\n  by_caption: {a: b}\n", "by_caption is not by_product or by_campaign"),
    ("platforms: {Threads: }\n", "'Threads' must map to a name"),
    ("colums: {}\n", "expected a mapping with columns, platforms, basis and brands"),
    ("columns: {tracking: {a: b}\n", "while parsing"),
])
def test_a_malformed_map_is_an_error_that_says_what_is_wrong(tmp_path, text, words):
    path = tmp_path / "map.yml"
    path.write_text(text)
    with pytest.raises(SystemExit, match=words):
        load(path)


def test_a_brand_comes_from_the_row_then_the_map_then_the_product_then_the_campaign_then_the_caption_then_brand():
    m = Mapping(by_product={"mb": "MuscleBlaze"}, by_campaign={"hkv": "HKVitals"})
    rows = [{"product": "Whey Protein (GZ)", "brand": "Gritzo"}]
    filler = b.Brands(m, [], rows)
    assert filler.of({"brand": "Gritzo", "product": "MB Whey"}) == ("Gritzo", b.ROW)
    assert filler.of({"product": "Whey Protein (MB)", "campaign": "HKV_Glow"}) == ("MuscleBlaze", b.PRODUCT)
    assert filler.of({"product": "HKVitals Biotin"}) == ("HKVitals", b.NAMED)
    assert filler.of({"product": "whey protein gz"}) == ("Gritzo", b.LEARNED)
    assert filler.of({"product": "Omega 3", "campaign": "HKV_Glow"}) == ("HKVitals", b.CAMPAIGN)
    assert filler.of({"caption": "Morning stack #Gritzo"}) == ("Gritzo", b.CAPTION)
    assert filler.of({"product": "MBA Guide"})[0] is None  # whole words only
    assert b.Brands(m, ["Acme"], []).of({"product": "Omega 3"}) == ("Acme", b.GIVEN)
    none, why = b.Brands(m, ["A", "B"], []).of({"product": "Omega 3"})
    assert none is None and "several --brand were given" in why


def test_a_product_sold_under_two_brands_names_neither():
    filler = b.Brands(Mapping(), [], [{"product": "Shaker", "brand": "MuscleBlaze"}, {"product": "Shaker", "brand": "Gritzo"}])
    assert filler.of({"product": "Shaker"})[0] is None


def test_warnings_on_rates_that_look_like_shares_and_orders_far_beyond_the_norm():
    assert "8 %" in fractional_order_rate({"basis": "order", "rate": "0.08"})
    assert fractional_order_rate({"basis": "order", "rate": "1"}) is None
    assert fractional_order_rate({"basis": "revenue_share", "rate": "0.08"}) is None
    assert list(outlier_orders({2: 1, 3: 2, 4: 2, 5: 21, 6: 250})) == [5, 6]
    assert outlier_orders({2: 30, 3: 40, 4: 50}) == {}  # large but the file's norm
