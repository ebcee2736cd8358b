"""ORDER, the schema's valid coupon-order example (order.v1) the ingest unit tests post."""
import json

from services.common.events import SCHEMA_DIR

ORDER = json.loads((SCHEMA_DIR / "examples/order.v1/valid/coupon-order.json").read_text())
