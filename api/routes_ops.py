"""Operations: /healthz (no auth, for probes) and /metrics (Prometheus text, needs a key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from api.auth import Board, State

router = APIRouter(tags=["operations"])


def _check_redis(state: State) -> dict[str, Any]:
    return state.store.health("trialmatch")


def _check_broker(state: State) -> dict[str, Any]:
    """Open a kombu connection the way publishing does (transport options, timeouts)."""
    try:
        with state.celery.app().connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=3)
            conn.default_channel.client.ping()
    except Exception as exc:  # any transport failure means "not reachable"
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


@router.get("/healthz", responses={503: {}})
def healthz(state: State) -> JSONResponse:
    """200 when Redis answers and the broker accepts a connection; else 503 naming what failed."""
    checks = {"redis": _check_redis(state), "broker": _check_broker(state)}
    ok = all(c["ok"] for c in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(board: Board) -> Response:
    """Prometheus text of this API process (workers export their own metrics separately)."""
    del board
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
