"""PROVISIONING, the path of the Grafana datasources file the deploy provisions."""
from pathlib import Path

PROVISIONING = Path(__file__).parents[2] / "deploy" / "grafana" / "provisioning" / "datasources" / "datasources.yaml"
