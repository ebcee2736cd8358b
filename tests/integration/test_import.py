"""The seed's sample, as CSV files, imported through Kafka into the running pipeline: every figure the views
show equals what this test computes from the files itself; a bad row is reported and dead-lettered;
importing the same files again changes nothing."""
from __future__ import annotations

import base64
from collections import defaultdict
from decimal import Decimal

import pytest

from services.importer.run import import_dir
from services.simulator.sample import write_sample

from .pipeline import Pipeline, eventually
from .pipeline import metric
from .topic_reader import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


@pytest.fixture(scope="module")
def pipeline(kafka_bootstrap, postgres, tmp_path_factory):
    p = Pipeline(kafka_bootstrap, postgres, tmp_path_factory.mktemp("logs"))
    yield p
    p.close()


def expected_from_files(directory) -> dict:
    """Per influencer: orders, revenue, posts, reach, likes, comments, payout — straight from the CSV rows."""
    import csv
    read = lambda name: list(csv.DictReader((directory / name).open()))
    out = defaultdict(lambda: [0, Decimal(0), 0, 0, 0, 0, Decimal(0)])
    for t in read("tracking.csv"):
        if t["revenue"] == "abc":
            continue
        out[t["influencer_id"]][0] += int(t["orders"])
        out[t["influencer_id"]][1] += Decimal(t["revenue"])
    for p in read("posts.csv"):
        row = out[p["influencer_id"]]
        row[2] += 1
        row[3] += int(p["reach"])
        row[4] += int(p["likes"])
        row[5] += int(p["comments"])
    for pay in read("payouts.csv"):
        out[pay["influencer_id"]][6] = Decimal(pay["total_payout"])
    return {k: tuple(v) for k, v in out.items()}


FIGURES = """SELECT i.influencer_id, i.orders, i.revenue, i.posts, i.reach, i.likes, i.comments, p.total
             FROM report_influencers() i JOIN (SELECT influencer_id, sum(total_payout) AS total FROM report_payouts()
                                              GROUP BY 1) p USING (influencer_id)"""


def figures(pipeline) -> dict:
    return {r[0]: tuple(Decimal(v).normalize() if isinstance(v, Decimal) else v for v in r[1:])
            for r in pipeline.query(FIGURES)}


def test_the_seed_sample_round_trips_through_kafka_and_a_reimport_changes_nothing(pipeline, tmp_path):
    counts = write_sample(tmp_path, days=30)
    assert counts["influencers.csv"] == 15 and counts["posts.csv"] >= 200 and counts["payouts.csv"] == 15
    with (tmp_path / "tracking.csv").open("a") as f:
        f.write("Instagram,camp,sim-inf-001,9,Whey,MuscleBlaze,2026-01-01,1,abc\n")
    bad_line = counts["tracking.csv"] + 2
    expected = {k: tuple(v.normalize() if isinstance(v, Decimal) else v for v in row)
                for k, row in expected_from_files(tmp_path).items()}

    outcome = import_dir(pipeline.settings, tmp_path, progress=False)
    assert outcome.bad == [f"tracking.csv:{bad_line}: revenue: 'abc' is not a decimal amount"]
    eventually(lambda: figures(pipeline), lambda got: got == expected, 120, "views equal the CSV figures")
    [(total,)] = pipeline.query("SELECT total_revenue FROM report_kpis()")
    assert total == sum(row[1] for row in expected.values())

    dead = [d for d in read_topic(pipeline.settings.kafka_bootstrap, pipeline.settings.topic("hk.dead-letter"), expect=1)
            if d["service"] == "import"]
    assert [(d["reason"], d["source"]) for d in dead] == [
        ("invalid_csv_row", {"topic": "file:tracking.csv", "partition": None, "offset": bad_line})]
    assert base64.b64decode(dead[0]["value_b64"]).decode().endswith(",1,abc")

    lines = pipeline.query("SELECT count(*) FROM attributed_orders")[0][0]
    duplicates = metric(pipeline, "aggregator", "hk_aggregator_facts_total", table="attributed_orders", outcome="duplicate")
    again = import_dir(pipeline.settings, tmp_path, progress=False)
    assert again.events == outcome.events
    eventually(lambda: metric(pipeline, "aggregator", "hk_aggregator_facts_total", table="attributed_orders", outcome="duplicate"),
               lambda n: n >= duplicates + lines, 120, f"the {lines} re-imported order lines are seen as duplicates")
    assert figures(pipeline) == expected
    assert pipeline.query("SELECT count(*) FROM attributed_orders")[0][0] == lines
