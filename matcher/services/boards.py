"""API keys of tumor boards: issued once in plaintext, stored only as a SHA-256 digest.

A key is `tm_<key_id>_<secret>`: `key_id` (12 hex digits) names the key in listings and
revocation without revealing it; `secret` is 256 bits from `secrets`, so a plain SHA-256 is
enough (no password stretching needed for a high-entropy token). Redis holds, under the prefix:

    {prefix}auth:key:{key_id}      hash: key_id, board_id, digest, label, created_at
    {prefix}auth:digest:{digest}   string: key_id (lookup by digest, never by plaintext)
    {prefix}auth:keys              set of every key_id (for listing)

Every request authenticates against Redis (no cache), so a revocation takes effect at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from matcher.adapters.store import Store
from matcher.errors import NotFound

BOARD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TOKEN = re.compile(r"^tm_([0-9a-f]{12})_[A-Za-z0-9_-]{20,100}$")


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    board_id: str
    label: str
    created_at: str


@dataclass(frozen=True)
class IssuedKey:
    """A freshly created key. `token` is the only copy of the plaintext: show it once."""

    key_id: str
    board_id: str
    token: str


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_key(store: Store, board_id: str, label: str = "") -> IssuedKey:
    """Issue a new key for `board_id`; raises ValueError for a malformed board name."""
    if not BOARD_ID.match(board_id):
        raise ValueError("board must be 1-64 letters, digits, '.', '_' or '-'")
    key_id = secrets.token_hex(6)
    token = f"tm_{key_id}_{secrets.token_urlsafe(32)}"
    hashed = digest(token)
    store.put_api_key(key_id, board_id, hashed, label[:80], datetime.now(UTC).isoformat())
    return IssuedKey(key_id=key_id, board_id=board_id, token=token)


def revoke_key(store: Store, key_id: str) -> None:
    """Delete a key at once; raises NotFound for an unknown key id."""
    if not store.delete_api_key(key_id):
        raise NotFound(f"API key {key_id} not found")


def authenticate(store: Store, token: str) -> str | None:
    """The board a presented token belongs to, or None (unknown, malformed or revoked)."""
    found = authenticate_key(store, token)
    return found.board_id if found is not None else None


def authenticate_key(store: Store, token: str) -> ApiKey | None:
    """The API key a presented token is, or None (unknown, malformed or revoked)."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    hashed = digest(token)
    record = store.api_key_by_digest(hashed)
    if record is None:
        return None
    key_id = record.get("key_id", "")
    stored = record.get("digest", "")
    # The digest lookup already matched; the constant-time compare guards a stale index entry.
    if not secrets.compare_digest(stored, hashed) or key_id != match.group(1):
        return None
    if not record.get("board_id"):
        return None
    return ApiKey(key_id, record["board_id"], record.get("label", ""), record.get("created_at", ""))


def list_keys(store: Store, board_id: str | None = None) -> list[ApiKey]:
    """Every key (of one board when given), oldest first; never the secret or its digest."""
    keys = [
        ApiKey(r["key_id"], r["board_id"], r.get("label", ""), r.get("created_at", ""))
        for r in store.api_key_records()
        if (board_id is None or r.get("board_id") == board_id)
    ]
    return sorted(keys, key=lambda k: (k.created_at, k.key_id))
