"""The ingest's one error type and its one handler: every refusal, the endpoints' and the framework's own (unknown
path, wrong method, a bug), answers ``{"errors": [{"index", "field", "message"}]}`` with its status, and every
answer is counted by status (hk_ingest_requests_total, the availability SLO's input)."""
from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..common.metrics import INGEST_REQUESTS


class Refused(Exception):
    """The whole request refused: one message about one field (``errors`` instead: one per event, as the
    admission check names them)."""

    def __init__(self, status: int, message: str = "", field: str = "", headers: Mapping[str, str] | None = None,
                 errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.status, self.headers = status, headers
        self.errors = errors or [{"index": None, "field": field, "message": message}]


def answer(status: int, body: dict, headers: Mapping[str, str] | None = None) -> JSONResponse:
    INGEST_REQUESTS.labels(str(status)).inc()
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """The handlers that turn every refusal into the one shape."""
    for status in ("500", "503"):  # present from the start: rate() misses the first increase of a new series
        INGEST_REQUESTS.labels(status)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> JSONResponse:
        return answer(exc.status, {"errors": exc.errors}, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # the framework's own refusals (unknown path, wrong method) in the same shape as ours
        allowed = f"; this path accepts {exc.headers['Allow']}" if exc.headers and "Allow" in exc.headers else ""
        return await refused(request, Refused(exc.status_code, f"{request.method} {request.url.path}: {exc.detail}{allowed}",
                                              headers=exc.headers))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # a bug answers 500 in the one error shape and is counted like every answer (the availability SLO);
        # Starlette logs the traceback after this reply
        return await refused(request, Refused(500, "internal error: take nothing in this request as accepted and send it again"))
