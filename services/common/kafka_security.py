"""Kafka TLS and SASL from the settings, in the form each of our clients wants: librdkafka (the ingest),
kafka-python (topics, import), aiokafka (the contract feed) and Faust (the workers). PLAINTEXT adds nothing."""
from __future__ import annotations

import ssl

from .settings import Settings


def _ssl_context(s: Settings) -> ssl.SSLContext | None:
    if "SSL" not in s.kafka_security_protocol:
        return None
    context = ssl.create_default_context(cafile=s.kafka_ssl_cafile)
    if s.kafka_ssl_certfile:
        context.load_cert_chain(s.kafka_ssl_certfile, s.kafka_ssl_keyfile)
    return context


def _sasl(s: Settings) -> dict:
    if "SASL" not in s.kafka_security_protocol:
        return {}
    if not (s.kafka_sasl_username and s.kafka_sasl_password):
        raise SystemExit(f"HK_KAFKA_SECURITY_PROTOCOL={s.kafka_security_protocol} needs HK_KAFKA_SASL_USERNAME "
                         "and HK_KAFKA_SASL_PASSWORD")
    return {"sasl_mechanism": s.kafka_sasl_mechanism, "sasl_plain_username": s.kafka_sasl_username,
            "sasl_plain_password": s.kafka_sasl_password.get_secret_value()}


def kafka_python(s: Settings) -> dict:
    """Keyword arguments for KafkaProducer / KafkaAdminClient."""
    if s.kafka_security_protocol == "PLAINTEXT":
        return {}
    return {"security_protocol": s.kafka_security_protocol, "ssl_context": _ssl_context(s), **_sasl(s)}


def librdkafka(s: Settings) -> dict:
    """confluent-kafka configuration entries (librdkafka's names)."""
    if s.kafka_security_protocol == "PLAINTEXT":
        return {}
    conf: dict[str, str] = {"security.protocol": s.kafka_security_protocol}
    if "SSL" in s.kafka_security_protocol:
        conf |= {k: v for k, v in (("ssl.ca.location", s.kafka_ssl_cafile), ("ssl.certificate.location", s.kafka_ssl_certfile),
                                   ("ssl.key.location", s.kafka_ssl_keyfile)) if v}
    if sasl := _sasl(s):
        conf |= {"sasl.mechanism": sasl["sasl_mechanism"], "sasl.username": sasl["sasl_plain_username"],
                 "sasl.password": sasl["sasl_plain_password"]}
    return conf


def aiokafka(s: Settings) -> dict:
    """Keyword arguments for AIOKafkaConsumer."""
    return kafka_python(s)  # aiokafka takes the same names


def faust_credentials(s: Settings):
    """``broker_credentials`` for faust.App (None for PLAINTEXT)."""
    import faust
    if s.kafka_security_protocol == "PLAINTEXT":
        return None
    if "SASL" in s.kafka_security_protocol:
        sasl = _sasl(s)
        return faust.SASLCredentials(username=sasl["sasl_plain_username"], password=sasl["sasl_plain_password"],
                                     mechanism=s.kafka_sasl_mechanism, ssl_context=_ssl_context(s))
    return faust.SSLCredentials(_ssl_context(s))
