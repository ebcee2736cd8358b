"""RecordingProducer, the ingest's event producer replaced at its boundary: it keeps what was sent, or fails as Kafka would."""
from services.ingest.producer import BrokerUnavailable


class RecordingProducer:
    def __init__(self, fail: bool = False):
        self.sent, self.fail = [], fail

    async def send_all(self, events):
        if self.fail:
            raise BrokerUnavailable("Kafka did not acknowledge")
        self.sent.extend(events)

    def close(self):
        pass
