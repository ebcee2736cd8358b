"""Which daily deltas fall inside the 7- and 30-day windows ending on a given day."""
from datetime import date, timedelta
from decimal import Decimal

from services.aggregator.batch import Deltas
from services.aggregator.rolling import window_deltas

AS_OF = date(2026, 3, 31)


def test_a_window_of_n_days_holds_as_of_and_the_n_minus_1_days_before_it():
    deltas = Deltas()
    for back, revenue in [(0, "1"), (6, "10"), (7, "100"), (29, "1000"), (30, "10000"), (-1, "100000")]:
        deltas.add((AS_OF - timedelta(days=back), "A", "Gritzo", "instagram"), revenue=Decimal(revenue), orders=1)
    deltas.add((AS_OF, "A", "HKVitals", "youtube"), spend=Decimal("5"))
    deltas.add((AS_OF, "A", "HKVitals", "twitter"), spend=Decimal("7"))  # platforms fold into one brand row
    sums = {k: dict(v) for k, v in window_deltas(deltas, AS_OF, [7, 30]).items()}
    assert sums == {
        (7, "A", "Gritzo"): {"revenue": Decimal("11"), "orders": 2},
        (30, "A", "Gritzo"): {"revenue": Decimal("1111"), "orders": 4},
        (7, "A", "HKVitals"): {"spend": Decimal("12")},
        (30, "A", "HKVitals"): {"spend": Decimal("12")},
    }
