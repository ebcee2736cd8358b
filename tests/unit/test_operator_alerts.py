"""The operators' rules are generated from deploy/alerts/slos.yml and committed; every alert is complete
(severity, team, summary, description, a runbook that exists) and tested by promtool on both sides; a bad
config is refused with a message that names the mistake."""
from pathlib import Path

import pytest
import yaml

from services.alerts import operator_rules
from services.alerts.slos import CONFIG, duration, load, seconds

ROOT = Path(__file__).parents[2]
RULES = yaml.safe_load(operator_rules.OUT.read_text())
ALERTS = [r for g in RULES["groups"] for r in g["rules"] if "alert" in r]


def test_the_committed_rules_are_generated_from_the_slo_config():
    assert operator_rules.OUT.read_text() == operator_rules.render(), "run: hk alert-rules"


@pytest.mark.parametrize("rule", ALERTS, ids=lambda r: f"{r['alert']}-{r['labels'].get('burn', '')}")
def test_every_alert_says_who_what_and_how_to_recover(rule):
    assert rule["labels"]["team"] == "operators" and rule["labels"]["severity"] in {"page", "ticket"}
    assert {"summary", "description", "runbook_url"} <= set(rule["annotations"])
    runbook = ROOT / rule["annotations"]["runbook_url"]
    assert runbook.exists(), f"{runbook} is missing"
    assert rule["alert"] in runbook.read_text(), f"{runbook} does not name the alert it serves"


def test_promtool_tests_see_every_alert_fire_and_stay_quiet():
    doc = yaml.safe_load((ROOT / "tests" / "prometheus" / "operators_test.yml").read_text())
    checks = [c for t in doc["tests"] for c in t.get("alert_rule_test", [])]
    for name in {r["alert"] for r in ALERTS}:
        mine = [c for c in checks if c["alertname"] == name]
        assert any(c["exp_alerts"] for c in mine), f"{name} is never tested firing"
        assert any(not c["exp_alerts"] for c in mine), f"{name} is never tested quiet"
    burns = {(a["exp_labels"]["alertname"], a["exp_labels"]["burn"]) for c in checks for a in c["exp_alerts"]
             if "burn" in a["exp_labels"]}
    assert burns == {(f"{t}BudgetBurn", b.name) for t in operator_rules.TITLES.values() for b in load().burn_rates}


def test_the_burn_thresholds_are_the_factor_times_the_budget():
    fast = [r for r in ALERTS if r["alert"] == "FreshnessBudgetBurn" and r["labels"]["burn"] == "fast"][0]
    assert fast["expr"] == ('slo:sli_error:ratio_rate1h{slo="freshness"} > 0.144 and '
                            'slo:sli_error:ratio_rate5m{slo="freshness"} > 0.144')


def test_a_scaled_rendering_shrinks_windows_and_for_but_keeps_the_names():
    scaled = yaml.safe_load(operator_rules.render(scale=1 / 60))
    records = [r for g in scaled["groups"] for r in g["rules"] if "record" in r]
    one_hour = [r for r in records if r["record"] == "slo:sli_error:ratio_rate1h" and r["labels"]["slo"] == "freshness"]
    assert "[1m]" in one_hour[0]["expr"]
    assert {r["for"] for g in scaled["groups"] for r in g["rules"] if r.get("alert") == "ServiceDown"} == {"1s"}


def test_durations_round_trip():
    assert [seconds(d) for d in ("5s", "5m", "6h", "30d")] == [5, 300, 21600, 2592000]
    assert [duration(s) for s in (5, 300, 21600, 2592000, 90, 0.2)] == ["5s", "5m", "6h", "30d", "90s", "1s"]
    with pytest.raises(ValueError, match="not a duration"):
        seconds("1h30m")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["objectives"]["freshness"].update(threshold_seconds=4), "not a bucket bound"),
    (lambda d: d["objectives"]["ingest_availability"].update(target="1"), "between 0 and 1"),
    (lambda d: d["burn_rates"][0].update(factor=200), "can never be reached"),
    (lambda d: d["burn_rates"][0].update(short="2h"), "short < long"),
])
def test_a_bad_config_is_refused_with_what_is_wrong(tmp_path, change, message):
    doc = yaml.safe_load(CONFIG.read_text())
    change(doc)
    path = tmp_path / "slos.yml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ValueError, match=message):
        load(path)
