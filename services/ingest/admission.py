"""Which events of a request the ingest may accept: each checked as the workers will read it.

An event is accepted only if the form that goes on the topic passes the workers' own checks: what is
validated is what is counted, not the object as sent (a float 0.1 + 0.2 and a
year-9999 order were once answered 202 and then lost downstream). Large requests are checked on a
worker thread so that one huge batch cannot stall every other request on the event loop.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from ..common.events import FieldError, InvalidEvent, dumps, validate
from ..common.processable import Policy, canonical_money
from ..common.settings import Settings

SLICE_S = 0.02  # the longest the loop is held before other requests get their turn (see below)


@dataclass
class Admission:
    """The events as they go on the topics (amounts canonical), or the errors that refuse the request."""
    events: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


class Admitter:
    def __init__(self, settings: Settings) -> None:
        self.currency, self.policy, self.cap = settings.currency, Policy.of(settings), settings.max_errors_reported

    async def admit(self, events: list) -> Admission:
        result, truncated, held_since = Admission(), False, time.perf_counter()
        policy = self.policy.at_now()
        for i, event in enumerate(events):
            if len(result.errors) >= self.cap:  # a refusal lists so many errors; the rest is not read
                truncated = True
                break
            if time.perf_counter() - held_since > SLICE_S:
                await asyncio.sleep(0)
                held_since = time.perf_counter()
            try:
                result.events.append(self._as_sent(event, policy))
            except InvalidEvent as exc:
                room = self.cap - len(result.errors)
                result.errors += [e.as_dict(i) for e in exc.errors[:room]]
                truncated |= len(exc.errors) > room
        if truncated:
            result.errors.append({"index": None, "field": "", "message": f"at most {self.cap} errors are listed and "
                                  "the events after them were not checked: fix these and send again"})
        return result

    def _as_sent(self, event, policy: Policy) -> dict:
        """The event as the workers will read it: in the form it goes on the topic (amounts canonical), judged
        with the workers' own checks plus the door's policy. Judging that form, not the one sent, is what
        matters (a number that rounds past the schemas' 12 digits is refused as the text it becomes). Its bytes need not be
        parsed again: a canonical event holds only text, whole numbers, booleans and null, which JSON carries
        exactly (tests/integration/test_accepted_means_counted.py decodes them to prove it)."""
        try:
            clean = canonical_money(event, self.currency)
            dumps(clean)
        except Exception:  # noqa: BLE001 — not an event we can put in that form: validated as sent, to explain why
            validate(event, self.currency, policy, self.cap)
            raise InvalidEvent("unserializable", [FieldError("", "cannot be written as JSON")]) from None
        return validate(clean, self.currency, policy, self.cap)
