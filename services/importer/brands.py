"""Where a row's brand comes from when the file has none: most teams' ``posts.csv`` and many tracking files have
no brand column, and name the brand inside the product (``MuscleBlaze Whey``, ``Whey Protein (MB)``) or the
campaign (``MB_SummerSale``) or a post's caption (``#HKVitals``). In order: the row's own brand; the map's
brand for its product; a known brand named in the product; the brand the same product is sold under in other
rows; the map's brand for its campaign; a known brand named in a post's caption; the one ``--brand``. The summary counts rows per source, so a filled brand is never a silent guess."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Set as AbstractSet

from .mapping import Mapping

ROW, PRODUCT, NAMED, LEARNED, CAMPAIGN, CAPTION, GIVEN = (
    "the row", "the map's products", "a brand named in the product", "the same product's brand in other rows",
    "the map's campaigns", "a brand named in the caption", "--brand")


SEED_BRANDS = ("MuscleBlaze", "HKVitals", "Gritzo")  # the old dashboard's brands: known without being named


def words(text: str) -> str:
    """`` whey protein mb `` for ``Whey Protein (MB)``: letters and digits only, spaced, to match whole words."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def named(rules: dict[str, str], text: str) -> str | None:
    """The brand of the one rule whose words appear in ``text`` (the whole text first); None if none or several."""
    spaced = words(text)
    exact = [brand for written, brand in rules.items() if words(written) == spaced]
    found = exact or list({brand for written, brand in rules.items() if words(written).strip() and words(written) in spaced})
    return found[0] if len(set(found)) == 1 else None


class Brands:
    def __init__(self, mapping: Mapping, given: list[str], tracking_rows: list[dict], known: AbstractSet[str] = frozenset()) -> None:
        self.mapping, self.given = mapping, given
        seen: dict[str, set[str]] = defaultdict(set)
        for row in tracking_rows:
            if (product := words(row.get("product") or "")).strip() and (brand := (row.get("brand") or "").strip()):
                seen[product].add(brand)
                known = {*known, brand}
        # a product sold under two brands says nothing about a third row's brand
        self.learned = {product: next(iter(b)) for product, b in seen.items() if len(b) == 1}
        names = {*SEED_BRANDS, *known, *given, *mapping.by_product.values(), *mapping.by_campaign.values()}
        self.known = {name: name for name in names}

    def of(self, row: dict) -> tuple[str, str] | tuple[None, str]:
        """(brand, where it came from), or (None, why there is none) in the same words for every such row."""
        if brand := (row.get("brand") or "").strip():
            return brand, ROW
        product, campaign = row.get("product") or "", row.get("campaign") or ""
        for rules, text, source in ((self.mapping.by_product, product, PRODUCT), (self.known, product, NAMED)):
            if text.strip() and (brand := named(rules, text)):
                return brand, source
        if brand := self.learned.get(words(product)):
            return brand, LEARNED
        if campaign.strip() and (brand := named(self.mapping.by_campaign, campaign)):
            return brand, CAMPAIGN
        if (caption := row.get("caption") or "").strip() and (brand := named({**self.known, **self.mapping.by_product}, caption)):
            return brand, CAPTION
        if len(self.given) == 1:
            return self.given[0], GIVEN
        tried = ("its product and campaign name no brand (--map brands), " if "product" in row else
                 "its caption names no known brand, " if "caption" in row else "")
        return None, (f"no brand: the row names none, {tried}and "
                      + ("several --brand were given" if self.given else "no --brand was given"))
