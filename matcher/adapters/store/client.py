"""The Redis connection and the one translation of its transport errors into `StoreError`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import redis

from matcher.errors import StoreError
from matcher.settings import Settings

# What redis-py raises when Redis cannot be reached or does not answer in time. Callers outside
# the store (the task retry loop) catch these without importing the client library.
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError)


def connect(settings: Settings) -> redis.Redis:
    """A client with timeouts on every socket call: a paused Redis is an error, not a hang."""
    options: dict[str, Any] = {
        "socket_timeout": settings.redis_socket_timeout_s,
        "socket_connect_timeout": settings.redis_connect_timeout_s,
        "health_check_interval": 25,
        "decode_responses": True,
    }
    if settings.redis_dsn.startswith("rediss://"):
        # redis-py verifies certificates by default; keep it that way unless explicitly told.
        options["ssl_cert_reqs"] = "none" if settings.redis_tls_insecure else "required"
    return redis.Redis.from_url(settings.redis_dsn, **options)


@contextmanager
def redis_errors(action: str) -> Iterator[None]:
    """Turn redis-py's transport errors into our StoreError, naming what we were doing."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise StoreError(f"Redis unavailable while {action}: {type(exc).__name__}") from exc


def now() -> datetime:
    return datetime.now(UTC)
