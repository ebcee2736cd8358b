"""The ROAS-drop detector: every guard, both firing paths, hysteresis, per-brand overrides, resolution."""
from decimal import Decimal as D
from pathlib import Path

import pytest

from services.alerts.detector import Window, evaluate
from services.alerts.thresholds import Thresholds, load

T = Thresholds(poor_roas=D("2.0"), drop_fraction=D("0.40"), min_spend=D(5000), min_orders=10,
               resolve_roas=D("2.2"), resolve_drop_fraction=D("0.25"))
HEALTHY_BEFORE = Window(D(20000), D(5000), 40, D(4))


def w(roas: str, spend: int = 5000, orders: int = 10) -> Window:
    return Window(D(roas) * spend, D(spend), orders, D(roas))


def test_fires_below_the_poor_threshold_and_not_at_it():
    assert evaluate(w("1.9999"), w("2.1"), False, T).action == "fire"
    assert evaluate(w("2.0"), w("2.1"), False, T).action == "none"


def test_fires_on_a_drop_of_the_configured_fraction_even_above_the_threshold():
    assert evaluate(w("2.4"), HEALTHY_BEFORE, False, T).action == "fire"      # 4 → 2.4 is a 40 % drop
    assert evaluate(w("2.4004"), HEALTHY_BEFORE, False, T).action == "none"   # 39.99 %
    assert "fell 40%" in evaluate(w("2.4"), HEALTHY_BEFORE, False, T).reason


@pytest.mark.parametrize("spend, orders", [(4999, 10), (5000, 9)])
def test_tiny_campaigns_never_fire(spend, orders):
    assert evaluate(w("0.5", spend, orders), HEALTHY_BEFORE, False, T).action == "none"


def test_no_previous_week_means_only_the_threshold_path():
    assert evaluate(w("2.1"), Window(D(0), D(0), 0, None), False, T).action == "none"
    assert evaluate(w("1.5"), Window(D(0), D(0), 0, None), False, T).action == "fire"


def test_hysteresis_noise_around_the_threshold_does_not_flap():
    firing, actions = False, []
    for roas in ["1.9", "2.05", "1.98", "2.15", "2.0", "2.19", "2.2"]:
        v = evaluate(w(roas), w("2.3"), firing, T)
        actions.append(v.action)
        firing = firing if v.action == "none" else v.action == "fire"
    assert actions == ["fire", "none", "none", "none", "none", "none", "resolve"]


def test_resolution_needs_the_drop_to_have_healed_too():
    assert evaluate(w("2.5"), HEALTHY_BEFORE, True, T).action == "none"      # 37.5 % below last week still
    assert evaluate(w("3.0"), HEALTHY_BEFORE, True, T).action == "none"      # 4 → 3 is still a 25 % drop
    assert evaluate(w("3.0004"), HEALTHY_BEFORE, True, T).action == "resolve"  # 24.99 %


def test_a_campaign_without_spend_resolves():
    assert evaluate(Window(D(0), D(0), 0, None), HEALTHY_BEFORE, True, T).action == "resolve"


def test_per_brand_overrides_and_bad_configs(tmp_path: Path):
    config = load()
    assert config.for_brand("Gritzo").min_spend == D(3000) and config.for_brand("Gritzo").poor_roas == D("2.0")
    assert config.for_brand("MuscleBlaze") == config.defaults
    assert evaluate(w("1.5", 3000), HEALTHY_BEFORE, False, config.for_brand("Gritzo")).action == "fire"
    assert evaluate(w("1.5", 3000), HEALTHY_BEFORE, False, config.for_brand("HKVitals")).action == "none"
    bad = tmp_path / "t.yml"
    bad.write_text("defaults: {poor_roas: 2, drop_fraction: 0.4, min_spend: 1, min_orders: 1, resolve_roas: 1.5, "
                   "resolve_drop_fraction: 0.2}\n")
    with pytest.raises(ValueError, match="hysteresis"):
        load(bad)
    bad.write_text(bad.read_text().replace("resolve_roas: 1.5", "resolve_roas: 2.5") + "brands: {X: {poor: 1}}\n")
    with pytest.raises(ValueError, match="unknown threshold"):
        load(bad)


def test_the_committed_alert_rules_are_generated_from_the_thresholds():
    from services.alerts.rules import OUT, render
    assert OUT.read_text() == render(), "run: hk alert-rules"
    assert "at least 3000 spend" in render() and "brand!~\"Gritzo\"" in render()


def test_the_grafana_alerting_file_is_generated_and_points_at_provisioned_datasources():
    import yaml
    from services.alerts.rules import FOR, GRAFANA_OUT, render_grafana
    from tests.unit.grafana_datasources import PROVISIONING
    assert GRAFANA_OUT.read_text() == render_grafana(), "run: hk alert-rules"
    [group] = yaml.safe_load(GRAFANA_OUT.read_text())["groups"]
    [rule] = group["rules"]
    uids = {d["uid"] for d in yaml.safe_load(PROVISIONING.read_text())["datasources"]} | {"__expr__"}
    assert rule["condition"] in {d["refId"] for d in rule["data"]} and {d["datasourceUid"] for d in rule["data"]} <= uids
    assert rule["for"] == FOR and rule["labels"]["team"] == "marketing" and rule["annotations"]["runbook_url"]
