# The two commands of the README. Each makes its own virtualenv and starts the servers it needs.
PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test lint venv clean

demo: $(STAMP)  ## the whole pipeline with a storefront simulator, on embedded servers (Ctrl-C stops)
	$(VENV)/bin/hk demo $(ARGS)

test: $(STAMP)  ## unit and integration tests on real Apache Kafka 4.x and PostgreSQL
	$(VENV)/bin/pytest tests $(ARGS)

lint: $(STAMP)  ## ruff over the code, the dev tools and the tests; mypy over services/ and devstack/ (pyproject.toml)
	$(VENV)/bin/ruff check services devstack bench tests
	$(VENV)/bin/mypy

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev,test]'
	@# the development tools (bench/, devstack/) are not in the package: the checkout goes on the venv's path
	echo "$(CURDIR)" > "$$($(VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/hk-dev-tools.pth"
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
