"""Who may call: tumor boards' API keys (matcher/services/boards.py decides) and web-page sessions
(api/sessions.py). Keys are stored only as digests; sessions always carry a TTL."""

from __future__ import annotations

from typing import cast

from matcher.adapters.store.base import StoreBase
from matcher.adapters.store.client import redis_errors


class AccessStore(StoreBase):
    # --- API keys: {prefix}auth:key:{id} hash, auth:digest:{digest} -> id, auth:keys set ----
    def put_api_key(self, key_id: str, board_id: str, digest: str, label: str, at: str) -> None:
        """Store a key record and its two indexes in one transaction."""
        with redis_errors("creating an API key"):
            pipe = self.r.pipeline(transaction=True)
            pipe.hset(
                self.keys.auth_key(key_id),
                mapping={
                    "key_id": key_id,
                    "board_id": board_id,
                    "digest": digest,
                    "label": label,
                    "created_at": at,
                },
            )
            pipe.set(self.keys.auth_digest(digest), key_id)
            pipe.sadd(self.keys.auth_keys(), key_id)
            pipe.execute()

    def delete_api_key(self, key_id: str) -> bool:
        """Delete the key and its indexes at once; False when no such key exists."""
        with redis_errors("revoking an API key"):
            hashed = cast("str | None", self.r.hget(self.keys.auth_key(key_id), "digest"))
            if hashed is None:
                return False
            pipe = self.r.pipeline(transaction=True)
            pipe.delete(self.keys.auth_key(key_id), self.keys.auth_digest(hashed))
            pipe.srem(self.keys.auth_keys(), key_id)
            pipe.execute()
        return True

    def api_key_by_digest(self, digest: str) -> dict[str, str] | None:
        """The key record whose digest index entry is `digest` (None when unknown)."""
        with redis_errors("checking an API key"):
            key_id = self.get_str(self.keys.auth_digest(digest))
            if key_id is None:
                return None
            record = self.hgetall_str(self.keys.auth_key(key_id))
        # The index names the key: its id wins over a (stale) field of the record.
        return {**record, "key_id": key_id} if record else None

    def api_key_records(self) -> list[dict[str, str]]:
        """Every stored key record (unordered; records gone meanwhile are left out)."""
        with redis_errors("listing API keys"):
            ids = sorted(self.members_str(self.keys.auth_keys()))
            pipe = self.r.pipeline(transaction=False)
            for key_id in ids:
                pipe.hgetall(self.keys.auth_key(key_id))
            records = cast("list[dict[str, str]]", pipe.execute())
        return [r for r in records if r]

    # --- web-page sessions: keyed and valued by digests, always with a TTL -------------------
    def put_session(self, session_digest: str, board_id: str, key_id: str, ttl_s: int) -> None:
        with redis_errors("starting a session"):
            pipe = self.r.pipeline(transaction=True)
            key = self.keys.session(session_digest)
            pipe.hset(key, mapping={"board_id": board_id, "key_id": key_id})
            pipe.expire(key, ttl_s)
            pipe.execute()

    def session_board(self, session_digest: str) -> str | None:
        """The session's board while the session lives and its API key is not revoked."""
        with redis_errors("checking a session"):
            record = self.hgetall_str(self.keys.session(session_digest))
            if not record or not self.r.exists(self.keys.auth_key(record.get("key_id", ""))):
                return None
        return record.get("board_id") or None

    def end_session(self, session_digest: str) -> None:
        with redis_errors("ending a session"):
            self.r.delete(self.keys.session(session_digest))
