"""deploy/alertmanager on the real Alertmanager tools: the config and templates load, routes send a
marketing warning to both the webhook and e-mail receivers, grouped by brand, and the operators' alerts to
their own receiver only; a down service inhibits its own lag alert and nothing else."""
import subprocess
from pathlib import Path

import pytest

AM = Path(__file__).parents[2] / "deploy" / "alertmanager"
pytestmark = pytest.mark.prometheus


def amtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["amtool", *args], capture_output=True, text=True, cwd=AM)


def test_amtool_accepts_the_config_and_its_templates():
    out = amtool("check-config", "alertmanager.yml")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 templates" in out.stdout and "3 receivers" in out.stdout


@pytest.mark.parametrize("labels, receivers", [
    (["team=marketing", "severity=warning", "brand=Gritzo", "alertname=InfluencerRoasDropped"],
     "marketing-webhook,marketing-email"),
    (["team=marketing", "severity=info", "brand=Gritzo"], "marketing-webhook"),
    (["team=operators", "severity=page", "alertname=ServiceDown", "service=aggregator"], "operators-webhook"),
    (["team=operators", "severity=ticket", "alertname=DeadLettersHigh"], "operators-webhook"),
    (["alertname=SomethingUnlabelled"], "operators-webhook"),
])
def test_routes(labels, receivers):
    out = amtool("config", "routes", "test", "--config.file=alertmanager.yml", f"--verify.receivers={receivers}", *labels)
    assert out.returncode == 0, out.stdout + out.stderr


def test_alerts_are_grouped_by_brand_on_every_route():
    import yaml
    route = yaml.safe_load((AM / "alertmanager.yml").read_text())["route"]
    assert route["group_by"] == ["alertname", "brand"]
    marketing = [r for r in route["routes"] if any("marketing" in m for m in r["matchers"])]
    assert marketing and all("group_by" not in r for r in marketing)  # they inherit the brand grouping


def test_a_down_service_inhibits_only_its_own_lag_alert():
    import yaml
    [rule] = yaml.safe_load((AM / "alertmanager.yml").read_text())["inhibit_rules"]
    assert rule == {"source_matchers": ['alertname="ServiceDown"'], "target_matchers": ['alertname="ConsumerLagGrowing"'],
                    "equal": ["service"]}
