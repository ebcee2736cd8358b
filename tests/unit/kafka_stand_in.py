"""_Producer, the KafkaProducer stand-in the importer unit tests patch in: it keeps what was sent."""


class _Producer:
    """Stands in for Kafka: keeps what was sent."""
    sent: list[tuple[str, bytes, bytes]] = []

    def __init__(self, **_):
        _Producer.sent = []

    def send(self, topic, key, value):
        self.sent.append((topic, key, value))
        return self

    def get(self, timeout):
        return None

    def flush(self):
        pass

    def close(self, timeout):
        pass
