"""Who is calling: an API key in `Authorization: Bearer`, `X-API-Key`, or the web page's session.

A key belongs to one board; handlers get the board id and must scope every read to it. The web
page's cookie holds a server-side session id (api/sessions.py), never the key, in an HttpOnly,
SameSite=Strict cookie: page scripts (and anything injected into a page) cannot read it, and
other sites cannot make the browser send it. As defence in depth, a state-changing request
authenticated *only* by the cookie must also carry the `X-TM-CSRF` header, which a cross-site
form cannot set (and we enable no CORS).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from api.sessions import SESSION_COOKIE, board_of_session
from api.state import AppState, app_state
from matcher.services.boards import authenticate

CSRF_HEADER = "X-TM-CSRF"
_SAFE = {"GET", "HEAD", "OPTIONS"}
_UNAUTHORIZED = HTTPException(
    status.HTTP_401_UNAUTHORIZED,
    detail="missing or invalid API key",
    headers={"WWW-Authenticate": "Bearer"},
)


def presented_token(request: Request) -> tuple[str | None, bool]:
    """(token, came_from_cookie). Headers win over the cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    api_key = request.headers.get("x-api-key", "").strip()
    if api_key:
        return api_key, False
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else (None, False)


def board_of(request: Request, state: AppState) -> str | None:
    token, from_cookie = presented_token(request)
    if token is None or len(token) > 200:
        return None
    if from_cookie:
        if request.method not in _SAFE and request.headers.get(CSRF_HEADER) != "1":
            return None
        return board_of_session(state.store, token)
    return authenticate(state.store, token)


def require_board(request: Request, state: Annotated[AppState, Depends(app_state)]) -> str:
    """Dependency: the caller's board id, or 401."""
    board = board_of(request, state)
    if board is None:
        raise _UNAUTHORIZED
    request.state.board_id = board
    return board


Board = Annotated[str, Depends(require_board)]
State = Annotated[AppState, Depends(app_state)]
