"""The state every part of `Store` shares: the client, the key names and the scripts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import redis

from matcher.adapters.keys import Keys
from matcher.adapters.store.client import TRANSPORT_ERRORS
from matcher.adapters.store.scripts import Scripts


class StoreBase:
    """Holds no state beyond the client; the parts of `Store` (this package's modules) extend
    it."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.r = client
        self.keys = keys
        self.scripts = Scripts(client)

    def answers(self) -> bool:
        """Whether Redis answers right now (a PING within the socket timeout)."""
        try:
            return bool(self.r.ping())
        except TRANSPORT_ERRORS:
            return False

    def health(self, queue: str) -> dict[str, Any]:
        """{"ok": True, "queued_tasks": n} when Redis answers a PING and the length of the
        broker's `queue`; else {"ok": False, "error": the exception's class name}."""
        try:
            self.r.ping()
            queued = self.r.llen(self.keys.broker_prefix() + queue)
        except redis.RedisError as exc:  # any Redis failure means "not healthy", named
            return {"ok": False, "error": type(exc).__name__}
        return {"ok": True, "queued_tasks": int(queued)}

    # redis-py types every reply as `bytes | str`; the client decodes (decode_responses=True),
    # so these narrow the types once instead of casting at every call site.
    def get_str(self, key: str) -> str | None:
        return cast("str | None", self.r.get(key))

    def hgetall_str(self, key: str) -> dict[str, str]:
        return cast("dict[str, str]", self.r.hgetall(key))

    def hset_str(self, key: str, mapping: Mapping[str, str | int]) -> None:
        self.r.hset(key, mapping=dict(mapping))  # type: ignore[arg-type]  # Mapping is invariant

    def members_str(self, key: str) -> set[str]:
        return cast("set[str]", self.r.smembers(key))

    def zrange_upto(self, key: str, max_score: float) -> list[str]:
        return cast("list[str]", self.r.zrangebyscore(key, 0, max_score))
