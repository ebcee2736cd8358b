"""Which daily deltas fall inside the 7- and 30-day windows ending on a given day, and on which rows."""
from datetime import date, timedelta
from decimal import Decimal as D

from services.aggregator.batch import Deltas
from services.aggregator.rolling import ALL, window_deltas

AS_OF = date(2026, 3, 31)


def test_a_window_of_n_days_holds_as_of_and_the_n_minus_1_days_before_it():
    deltas = Deltas()
    for back, revenue in [(0, "1"), (6, "10"), (7, "100"), (29, "1000"), (30, "10000"), (-1, "100000")]:
        deltas.add((AS_OF - timedelta(days=back), "A", "Gritzo", "instagram"), revenue=D(revenue), orders=1)
    deltas.add((AS_OF, "A", "HKVitals", "youtube"), spend=D("5"))
    deltas.add((AS_OF, "A", "HKVitals", "twitter"), spend=D("7"))  # platforms fold into one brand row
    deltas.add((AS_OF, "B", "HKVitals", "youtube"), revenue=D("20"))
    sums = {k: dict(v) for k, v in window_deltas(deltas, AS_OF, [7, 30], {"Gritzo": D("0.5")}, D("0.2")).items()}
    gritzo7 = {"revenue": D("11"), "incremental_revenue": D("5.5"), "orders": 2}
    gritzo30 = {"revenue": D("1111"), "incremental_revenue": D("555.5"), "orders": 4}
    assert sums == {
        (7, "A", "Gritzo"): gritzo7, (30, "A", "Gritzo"): gritzo30,
        (7, "A", "HKVitals"): {"spend": D("12")}, (30, "A", "HKVitals"): {"spend": D("12")},
        (7, "A", ALL): {**gritzo7, "spend": D("12")}, (30, "A", ALL): {**gritzo30, "spend": D("12")},
        (7, ALL, "Gritzo"): gritzo7, (30, ALL, "Gritzo"): gritzo30,
        (7, "B", "HKVitals"): {"revenue": D("20"), "incremental_revenue": D("16.0")},
        (30, "B", "HKVitals"): {"revenue": D("20"), "incremental_revenue": D("16.0")},
        (7, "B", ALL): {"revenue": D("20"), "incremental_revenue": D("16.0")},
        (30, "B", ALL): {"revenue": D("20"), "incremental_revenue": D("16.0")},
        (7, ALL, "HKVitals"): {"spend": D("12"), "revenue": D("20"), "incremental_revenue": D("16.0")},
        (30, ALL, "HKVitals"): {"spend": D("12"), "revenue": D("20"), "incremental_revenue": D("16.0")},
    }
