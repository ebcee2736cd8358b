"""The corpus of variant file sets, imported for real (hk import, through Kafka, the workers and Postgres): every
influencer's orders, revenue, posts and spend in the reports equal the figures worked out by hand from the files
in its figures.json; refused influencers leave nothing behind; sales no influencer drove are counted as such."""
from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from services import cli
from services.common.settings import get_settings

from .pipeline import Pipeline, eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
CENT = Decimal("0.01")
VARIANTS = Path(__file__).parents[1] / "fixtures" / "import_variants"
NAMES = sorted(p.name for p in VARIANTS.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def pipeline(kafka_bootstrap, postgres, tmp_path_factory):
    p = Pipeline(kafka_bootstrap, postgres, tmp_path_factory.mktemp("logs"))
    yield p
    p.close()


def expected() -> dict:
    out = {"influencers": {}, "absent": [], "unattributed_revenue": Decimal(0)}
    for name in NAMES:
        figures = json.loads((VARIANTS / name / "figures.json").read_text())
        assert not set(figures["influencers"]) & set(out["influencers"]), f"{name}: ids must differ across variants"
        out["influencers"].update(figures["influencers"])
        out["absent"] += figures["absent"]
        out["unattributed_revenue"] += Decimal(figures["unattributed_revenue"])
    return out


def reported(pipeline) -> dict:
    rows = pipeline.query("SELECT influencer_id, orders, revenue, posts, spend FROM report_influencers()")
    return {r[0]: {"orders": r[1], "revenue": str(r[2].quantize(CENT)), "posts": r[3],
                   "spend": str(r[4].quantize(CENT, rounding=ROUND_HALF_EVEN))} for r in rows}


def test_every_variant_imports_to_the_figures_worked_out_from_its_files(pipeline, tmp_path, monkeypatch):
    for key, value in pipeline.env.items():
        monkeypatch.setenv(key, value)
    want = expected()
    for name in NAMES:
        monkeypatch.chdir(VARIANTS / name)
        get_settings.cache_clear()
        args = [a for a in (VARIANTS / name / "args.txt").read_text().split("\n") if a]
        try:
            cli.main(["import", "--no-progress", "--report", str(tmp_path / name), *args])
        except SystemExit as exit_:  # a variant with bad rows exits 1 after sending everything else
            assert exit_.code == 1, f"{name}: {exit_.code}"
    get_settings.cache_clear()

    def settled(got: dict) -> bool:
        return all(iid in got and all(v is None or got[iid][k] == v for k, v in figures.items())
                   for iid, figures in want["influencers"].items())
    got = eventually(lambda: reported(pipeline), settled, 180, "every variant's figures in report_influencers")
    assert {iid: {k: got[iid][k] for k, v in f.items() if v is not None} for iid, f in want["influencers"].items()} == \
        {iid: {k: v for k, v in f.items() if v is not None} for iid, f in want["influencers"].items()}
    assert not set(want["absent"]) & set(got)
    for table in ("influencers", "posts", "contracts", "attributed_orders"):
        assert pipeline.query(f"SELECT count(*) FROM {table} WHERE influencer_id = ANY(:ids)", ids=want["absent"]) == [(0,)]
    [(unattributed,)] = pipeline.query("SELECT coalesce(sum(revenue), 0) FROM attributed_orders WHERE influencer_id IS NULL")
    assert unattributed == want["unattributed_revenue"]
