"""Errors to HTTP: InvalidProfile 422 (naming fields), NotFound 404, ReferenceInUse 409,
StoreError 503, StoredRecordUnreadable 500 (naming the record and fields, never the stored
values)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from matcher.errors import (
    BrokerUnavailable,
    InvalidProfile,
    NotFound,
    ReferenceInUse,
    StoredRecordUnreadable,
    StoreError,
)

log = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    """The request body exceeded the limit; raised before any parsing."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"request body exceeds {limit} bytes")


def field_errors(errors: list[tuple[str, str]]) -> JSONResponse:
    detail = [{"field": field, "message": message} for field, message in errors]
    return JSONResponse({"detail": detail}, status_code=422)


async def _invalid_profile(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidProfile)
    return field_errors(exc.errors)


async def _request_validation(_: Request, exc: Exception) -> JSONResponse:
    # Query and path parameters fail in the same shape as profile fields.
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        errors.append((".".join(loc) or "request", str(err.get("msg", "invalid"))))
    return field_errors(errors)


async def _not_found(_: Request, exc: Exception) -> JSONResponse:
    # The message never says whether the id exists for another board.
    return JSONResponse({"detail": str(exc)}, status_code=404)


async def _reference_in_use(_: Request, exc: Exception) -> JSONResponse:
    # Only ever the caller's own profile: references are unique per board, so this tells a board
    # nothing about any other board.
    assert isinstance(exc, ReferenceInUse)
    return JSONResponse({"detail": str(exc), "profile_id": exc.profile_id}, status_code=409)


async def _broker(_: Request, exc: Exception) -> JSONResponse:
    log.warning("broker unavailable: %s", exc)
    return JSONResponse(
        {"detail": "the match queue is unavailable; nothing was stored, retry later"},
        status_code=503,
        headers={"Retry-After": "30"},
    )


async def _store(_: Request, exc: Exception) -> JSONResponse:
    log.warning("store unavailable: %s", exc)
    return JSONResponse(
        {"detail": f"storage unavailable, retry later ({exc})"},
        status_code=503,
        headers={"Retry-After": "30"},
    )


async def _unreadable(_: Request, exc: Exception) -> JSONResponse:
    # The message holds the record id and field paths only (see matcher/errors.py).
    log.error("%s", exc)
    return JSONResponse({"detail": str(exc)}, status_code=500)


async def _too_large(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    return JSONResponse({"detail": f"body larger than {exc.limit} bytes"}, status_code=413)


def install(app: FastAPI) -> None:
    app.add_exception_handler(InvalidProfile, _invalid_profile)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(ReferenceInUse, _reference_in_use)
    app.add_exception_handler(BrokerUnavailable, _broker)
    app.add_exception_handler(StoreError, _store)
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_exception_handler(StoredRecordUnreadable, _unreadable)
