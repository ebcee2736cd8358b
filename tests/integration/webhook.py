"""A webhook listener on loopback for the real Alertmanager: every notification, with when it arrived and
the receiver's path (the marketers' and the operators' receivers post to different paths)."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Webhook:
    def __init__(self) -> None:
        self.received: list[tuple[float, str, dict]] = []  # (time.monotonic(), path, body)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.received.append((time.monotonic(), self.path, body))
                self.send_response(200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def alerts(self, path: str, status: str | None = None, after: float = 0.0, **labels: str) -> list[tuple[float, dict]]:
        """(arrival, alert) for each alert posted to ``path`` after ``after`` with that status and labels."""
        return [(t, a) for t, p, body in list(self.received) if p == path and t >= after for a in body["alerts"]
                if (status is None or a["status"] == status) and all(a["labels"].get(k) == v for k, v in labels.items())]

    def close(self) -> None:
        self.server.shutdown()
