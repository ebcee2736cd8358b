"""counted, what the sink counts from attributed records: every order line once, less every refund line once."""
from decimal import Decimal


def counted(records: list) -> Decimal:
    """What the sink counts: every order line once, minus every refund line once (natural keys)."""
    lines = {(r["order_id"], r["line_no"]): Decimal(r["revenue"]) for _, r in records if r["kind"] == "order_line"}
    taken = {(r["refund_id"], r["line_no"]): Decimal(r["amount"]) for _, r in records if r["kind"] == "refund_line"}
    return sum(lines.values(), Decimal(0)) - sum(taken.values(), Decimal(0))
