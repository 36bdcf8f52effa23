"""Web-page sign-in: a login form that cannot be posted cross-site, and server-side sessions.

Login CSRF (issue 11, finding 1): without a check, a page on another site could post its own
board's key to /login and sign the coordinator's browser into *that* board. Two checks, each
enough on its own in a current browser:
- the request's Origin (or, when a browser sends none, its Referer) must be this site;
- the form carries a random token that must equal the form cookie the browser got with the
  form (double submit: HttpOnly, SameSite=Strict, path /login, so a cross-site post carries no
  cookie, and another site can neither read the token nor set the cookie). The cookie is
  dropped once the login succeeds. Nothing is stored for it: an unauthenticated GET /login
  writes nothing to Redis (which runs with noeviction), so the login page cannot be used to
  fill it.

The session cookie holds a random session id, never the API key: Redis keeps the sha256 of the
id with the board and key id, for `SESSION_TTL_S`. Logout deletes it; revoking the API key ends
every session opened with it (checked on each request).
"""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlsplit

from fastapi import Request

from matcher.adapters.store import Store
from matcher.services.boards import ApiKey

SESSION_COOKIE = "tm_session"
FORM_COOKIE = "tm_login"
SESSION_TTL_S = 12 * 3600
FORM_TTL_S = 15 * 60


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def same_origin(request: Request, public_origin: str | None) -> bool:
    """True when the browser says the request comes from this site (Origin, else Referer).

    Behind a TLS proxy the app sees http while the browser says https, so without a configured
    public origin only the host[:port] is compared (the proxy must pass the Host header on).
    """
    claimed = request.headers.get("origin")
    if claimed is None or claimed == "null":
        referer = request.headers.get("referer")
        if not referer:
            return False
        parts = urlsplit(referer)
        claimed = f"{parts.scheme}://{parts.netloc}"
    if public_origin is not None:
        return claimed.rstrip("/") == public_origin
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(claimed).netloc == host


def issue_form() -> str:
    """A fresh form token: the hidden field's value and the form cookie's, both."""
    return secrets.token_urlsafe(32)


def form_is_valid(token: str, cookie: str | None) -> bool:
    """The posted token is the one this browser's form cookie holds."""
    if not token or not cookie or len(token) > 100:
        return False
    return secrets.compare_digest(token.encode(), cookie.encode())


def start(store: Store, key: ApiKey) -> str:
    """A new session for the key's board; returns the session id for the cookie."""
    session_id = secrets.token_urlsafe(32)
    store.put_session(_digest(session_id), key.board_id, key.key_id, SESSION_TTL_S)
    return session_id


def board_of_session(store: Store, session_id: str) -> str | None:
    if not session_id or len(session_id) > 100:
        return None
    return store.session_board(_digest(session_id))


def end(store: Store, session_id: str | None) -> None:
    if session_id and len(session_id) <= 100:
        store.end_session(_digest(session_id))
