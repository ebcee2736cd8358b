"""Dead-letter records (schemas/dead-letter.v1.json): what was wrong, where it came from, and the raw bytes to replay it."""
from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone
from typing import Any

from .events import InvalidEvent, dumps
from .metrics import DEAD_LETTERS


MAX_RAW_BYTES = 256 * 1024


def record(service: str, error: InvalidEvent | Exception, *, topic: str, partition: int | None,
           offset: int | None, key: bytes | None, value: bytes | None) -> bytes:
    reason = error.reason if isinstance(error, InvalidEvent) else f"processing_error:{type(error).__name__}"
    DEAD_LETTERS.labels(service, reason).inc()
    body: dict[str, Any] = {
        "service": service,
        "reason": reason,
        "errors": _errors(error),
        "source": {"topic": topic, "partition": partition, "offset": offset},
        "key_b64": base64.b64encode(key).decode() if key is not None else None,
        # A dead letter must fit on the topic: a huge value is kept as its first bytes, its size and its digest
        # (the whole of it stays at the source offset above, for as long as that topic retains it).
        "value_b64": base64.b64encode(value[:MAX_RAW_BYTES]).decode() if value is not None else None,
        "value_truncated": value is not None and len(value) > MAX_RAW_BYTES,
        "value_size": len(value) if value is not None else None,
        "value_sha256": hashlib.sha256(value).hexdigest() if value is not None else None,
        "failed_at": datetime.now(timezone.utc).isoformat(),
    }
    return dumps(body)


def _errors(error: InvalidEvent | Exception) -> list[dict[str, Any]]:
    """At least one error, each with words (the contract's): a bare KeyError() or InvalidEvent(…, []) has none."""
    if isinstance(error, InvalidEvent) and error.errors:
        return [e.as_dict() for e in error.errors]
    return [{"field": "", "message": str(error) or repr(error)}]
