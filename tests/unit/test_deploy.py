"""docker-compose.yml and the Dockerfile, checked without a Docker engine: the compose specification's schema and
hadolint, then what the schema cannot know — healthchecks, start order, published ports, volumes, secrets, and that
every setting the services read is set where it has no safe default, is spelled as a real setting, and is
documented in the README."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import AliasChoices

from services.common.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SERVICES = yaml.safe_load(COMPOSE.read_text())["services"]
HK = {name for name, s in SERVICES.items() if "build" in s}  # the services run from the project's image
SECRETS = ("POSTGRES_PASSWORD", "HK_API_KEYS", "HK_GRAFANA_DB_PASSWORD", "GRAFANA_ADMIN_PASSWORD")

# Settings whose default is wrong inside a container, and the services that read them. A default that is safe
# (timeouts, limits, the time zone) may be left out of compose; these may not.
NO_SAFE_DEFAULT = {
    "HK_KAFKA_BOOTSTRAP": HK,                                    # the default is loopback
    "DATABASE_URL": {"setup", "aggregator"},                     # none: migrate and the aggregator exit without it
    "HK_GRAFANA_DB_PASSWORD": {"setup"},                         # none in prod: the read-only role could not log in
    "HK_API_KEYS": {"ingest", "simulator"},                      # none in prod: the ingest refuses to start
    "HK_INGEST_HOST": {"ingest"},                                # loopback: unreachable from the host and Prometheus
    "HK_WEB_HOST": {"attribution", "aggregator"},                # loopback: Prometheus could not scrape the workers
    "HK_DATA_DIR": {"attribution", "aggregator"},                # ./<app>-data: /app is not the worker's to write
}
LISTEN_ON_ALL = ("HK_INGEST_HOST", "HK_WEB_HOST")
PORTS = {"ingest": "HK_INGEST_PORT", "attribution": "HK_ATTRIBUTION_WEB_PORT", "aggregator": "HK_AGGREGATOR_WEB_PORT"}


def setting_names() -> set[str]:
    """Every environment variable the Settings model reads: HK_<FIELD>, or the field's aliases (DATABASE_URL)."""
    names = set()
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        names |= set(alias.choices) if isinstance(alias, AliasChoices) else {f"HK_{field.upper()}"}
    return names


def readme_settings() -> set[str]:
    """The variables named in README's Configuration table; `HK_X_A` / `_B` abbreviates HK_X_B."""
    section = ROOT.joinpath("README.md").read_text().split("## Configuration (environment)", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in (line for line in section.splitlines() if line.startswith("| `")):
        first = None
        for name in re.findall(r"`([A-Z_]+)`", row.split("|")[1]):
            if name.startswith("_") and first:
                name = first.rsplit("_", 1)[0] + name
            first = first or name
            names.add(name)
    return names


def env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in (SERVICES[service].get("environment") or {}).items()}


def tool(name: str) -> str:
    """A linter from the test extra, beside this interpreter (make venv installs it)."""
    path = Path(sys.executable).parent / name
    assert path.exists(), f"{name} is not installed next to {sys.executable}: pip install -e '.[test]'"
    return str(path)


def test_the_compose_file_follows_the_compose_specification():
    out = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_hadolint_finds_nothing_in_the_dockerfile():
    out = subprocess.run([tool("hadolint"), "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr


def test_the_image_is_small_pinned_and_not_root():
    text = DOCKERFILE.read_text()
    bases = re.findall(r"^FROM (\S+)", text, re.M)
    assert bases and all(re.fullmatch(r"python:3\.11\.\d+-slim-\w+", b) for b in bases), bases
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in ("root", "0"), "the services must not run as root"
    assert "pip install -e" not in text and "--editable" not in text


def test_the_build_context_holds_everything_the_dockerfile_copies():
    allowed = {line[1:] for line in ROOT.joinpath(".dockerignore").read_text().splitlines() if line.startswith("!")}
    copied = {src for line in re.findall(r"^COPY (?!--from)(.+)$", DOCKERFILE.read_text(), re.M) for src in line.split()[:-1]}
    assert copied and copied <= allowed, copied - allowed


def test_every_long_running_service_has_a_healthcheck():
    for name, service in SERVICES.items():
        if service.get("restart") != "no":
            check = service.get("healthcheck") or {}
            assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"


def test_every_dependency_waits_for_health_or_for_the_one_shot_to_finish():
    for name, service in SERVICES.items():
        deps = service.get("depends_on") or {}
        assert isinstance(deps, dict), f"{name}: depends_on without conditions starts too early"
        for dep, how in deps.items():
            one_shot = SERVICES[dep].get("restart") == "no"
            want = "service_completed_successfully" if one_shot else "service_healthy"
            assert how.get("condition") == want, f"{name} → {dep}: {how}"


def test_the_workers_wait_for_the_migrations_and_the_topics():
    setup = SERVICES["setup"]
    assert "hk migrate" in " ".join(setup["entrypoint"]) and "hk topics" in " ".join(setup["entrypoint"])
    for name in HK - {"setup", "simulator"}:
        assert SERVICES[name]["depends_on"]["setup"]["condition"] == "service_completed_successfully", name


def test_only_grafana_and_the_ingest_are_published():
    assert {name for name, s in SERVICES.items() if s.get("ports")} == {"grafana", "ingest"}


def test_data_lives_in_named_volumes_and_workers_share_none():
    declared = set(yaml.safe_load(COMPOSE.read_text())["volumes"])
    for name, path in (("kafka", "/var/lib/kafka/data"), ("postgres", "/var/lib/postgresql/data"), ("grafana", "/var/lib/grafana")):
        mounts = {m.split(":")[1]: m.split(":")[0] for m in SERVICES[name]["volumes"] if ":" in m}
        assert mounts.get(path) in declared, f"{name} keeps {path} outside a named volume"
    for name in ("attribution", "aggregator"):  # scaled: a named volume would be one RocksDB for every replica
        service = SERVICES[name]
        assert not service.get("ports") and "container_name" not in service, name
        assert all(":" not in m for m in service.get("volumes", [])), f"{name} mounts a shared volume"
        assert env(name)["HK_DATA_DIR"] in service["volumes"], f"{name}: its data dir is not on its own volume"


@pytest.mark.parametrize("variable", sorted(NO_SAFE_DEFAULT))
def test_every_setting_without_a_safe_default_is_set_where_it_is_read(variable):
    assert variable in setting_names(), f"{variable} is no longer a setting: update this test and the compose file"
    for name in NO_SAFE_DEFAULT[variable]:
        assert env(name).get(variable), f"{name} does not set {variable}"
        if variable in LISTEN_ON_ALL:
            assert env(name)[variable] == "0.0.0.0", f"{name}: {variable} must listen beyond the container"


def test_every_variable_given_to_the_services_is_a_real_setting():
    known = setting_names()
    for name in HK:
        assert set(env(name)) <= known, f"{name} sets what no setting reads: {set(env(name)) - known}"


def test_every_setting_is_documented_in_the_readme():
    documented, known = readme_settings(), setting_names() - {"HK_DATABASE_URL"}  # the alias of DATABASE_URL
    assert known - documented == set(), "add to README's Configuration table"
    assert documented - known == set(), "README documents variables no setting reads"


def test_production_mode_and_secrets_without_defaults():
    text = COMPOSE.read_text()
    for name in HK:
        assert env(name)["HK_ENV"] == "prod", name
    for secret in SECRETS:
        uses = re.findall(r"\$\{" + secret + r"(:?[-?=+]?)", text)
        assert uses and set(uses) == {":?"}, f"{secret} must be required with ${{{secret}:?…}}, found {uses}"


def test_every_variable_compose_reads_is_in_env_example():
    example = {line.split("=", 1)[0] for line in ROOT.joinpath(".env.example").read_text().splitlines()
               if "=" in line and not line.startswith("#")}
    used = set(re.findall(r"\$\{(\w+)", COMPOSE.read_text()))
    assert used <= example, f"document in .env.example: {used - example}"


def test_grafana_is_given_every_variable_its_provisioning_reads():
    provisioning = ROOT / "deploy" / "grafana" / "provisioning"
    text = "\n".join(p.read_text() for p in provisioning.rglob("*.yaml"))
    values = "\n".join(line.split("#", 1)[0] for line in text.splitlines())  # Grafana expands values, not comments
    assert ":-" not in "".join(re.findall(r"\$\{[^}]*\}", values)), "Grafana's expansion has no ${VAR:-default}"
    wanted = set(re.findall(r"\$\{(\w+)\}", values))
    assert wanted and wanted <= set(env("grafana")), wanted - set(env("grafana"))
    mounts = " ".join(SERVICES["grafana"]["volumes"])
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning" in mounts
    assert "./deploy/grafana/dashboards:/var/lib/grafana/dashboards" in mounts


def test_prometheus_finds_every_replica_of_each_service_on_its_port():
    config = yaml.safe_load(ROOT.joinpath("deploy", "prometheus", "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name, port_variable in PORTS.items():
        (sd,) = jobs[name]["dns_sd_configs"]
        assert sd["names"] == [name] and sd["type"] == "A", sd
        # the ingest's metrics have a port of their own, which compose does not publish
        scraped = "HK_INGEST_METRICS_PORT" if name == "ingest" else port_variable
        assert str(sd["port"]) == env(name)[scraped], f"{name}: scraped on {sd['port']}"
        assert f":{env(name)[port_variable]}/healthz" in " ".join(SERVICES[name]["healthcheck"]["test"]), name
    assert not any(env("ingest")["HK_INGEST_METRICS_PORT"] in p for p in SERVICES["ingest"]["ports"])
