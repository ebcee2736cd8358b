"""Apache Kafka 4.x (KRaft, one node) from Maven Central jars, for the tests and the demo.

The classpath comes from ``deploy/kafka/pom.xml`` through Maven; the broker's data lives in a temp dir.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from .ports import free_port, wait_port

REPO = Path(__file__).resolve().parents[1]
POM = REPO / "deploy" / "kafka" / "pom.xml"
LOG4J = REPO / "deploy" / "kafka" / "log4j2.yaml"
CACHE = Path(os.environ.get("HK_CACHE_DIR", Path.home() / ".cache" / "hk"))


def classpath() -> Path:
    """Download the broker's jars once (Maven's own cache makes later runs offline)."""
    libs = CACHE / f"kafka-libs-{_pom_version()}"
    if not (libs / ".complete").exists():
        if not shutil.which("mvn"):
            raise RuntimeError("Maven (mvn) is needed to fetch Apache Kafka from Maven Central")
        subprocess.run(["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
                        f"-DoutputDirectory={libs}"], check=True)
        (libs / ".complete").touch()
    return libs


def _pom_version() -> str:
    text = POM.read_text()
    return text.split("<kafka.version>")[1].split("</kafka.version>")[0]


# Test-only credentials of the SASL listener (a throwaway broker on loopback).
SASL_USER, SASL_PASSWORD = "hk", "hk-test-secret"


class KafkaBroker:
    def __init__(self, port: int | None = None, data_dir: Path | None = None) -> None:
        self.port = port or free_port()
        self.controller_port = free_port()
        self.sasl_port = free_port()  # a second listener with SASL/PLAIN, for the security tests
        self.dir = Path(data_dir or tempfile.mkdtemp(prefix="hk-kafka-"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def sasl_bootstrap(self) -> str:
        return f"127.0.0.1:{self.sasl_port}"

    def _java(self, main: str, *args: str) -> list[str]:
        return ["java", "-Xms256m", "-Xmx768m", f"-Dlog4j2.configurationFile={LOG4J}",
                f"-Dkafka.logs.dir={self.dir / 'logs'}", "-cp", f"{classpath()}/*", main, *args]

    def start(self, timeout_s: float = 90.0) -> "KafkaBroker":
        props = self.dir / "server.properties"
        if not props.exists():
            props.write_text("\n".join([
                "process.roles=broker,controller", "node.id=1",
                f"controller.quorum.bootstrap.servers=127.0.0.1:{self.controller_port}",
                f"listeners=PLAINTEXT://127.0.0.1:{self.port},SASL_PLAINTEXT://127.0.0.1:{self.sasl_port},"
                f"CONTROLLER://127.0.0.1:{self.controller_port}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port},SASL_PLAINTEXT://127.0.0.1:{self.sasl_port}",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "sasl.enabled.mechanisms=PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain."
                f'PlainLoginModule required user_{SASL_USER}="{SASL_PASSWORD}";',
                "controller.listener.names=CONTROLLER", "inter.broker.listener.name=PLAINTEXT",
                f"log.dirs={self.dir / 'data'}", "num.partitions=6",
                "offsets.topic.replication.factor=1", "offsets.topic.num.partitions=6",
                "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1", "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0", "auto.create.topics.enable=true", ""]))
            subprocess.run(self._java("kafka.tools.StorageTool", "format", "--standalone", "-t", str(uuid.uuid4()),
                                      "-c", str(props)), check=True, stdout=subprocess.DEVNULL)
        log = open(self.dir / "broker.out", "ab")
        self.proc = subprocess.Popen(self._java("kafka.Kafka", str(props)), stdout=log, stderr=subprocess.STDOUT)
        wait_port(self.port, timeout_s, self.proc, self.dir / "broker.out")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
