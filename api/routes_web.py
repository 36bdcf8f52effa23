"""The coordinators' page: log in with the board's API key, paste a profile, watch it match.

The key is kept in an HttpOnly, SameSite=Strict cookie (see api/auth.py for why not
sessionStorage). The page talks to the same JSON API with `fetch`; no form-data parser is needed
(the login form's urlencoded body is parsed here with the standard library).
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.auth import COOKIE, CSRF_HEADER, State, board_of
from api.errors import BodyTooLarge
from api.routes_profiles import read_limited
from api.state import AppState, example_profile
from matcher.boards import authenticate

router = APIRouter(include_in_schema=False)

COOKIE_MAX_AGE_S = 12 * 3600


def page_csp(nonce: str) -> str:
    return (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


def _render(state: AppState, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    html = state.templates.get_template(name).render(nonce=nonce, **context)
    return HTMLResponse(
        html, status_code=status_code, headers={"Content-Security-Policy": page_csp(nonce)}
    )


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login")
def login_page(request: Request, state: State) -> Response:
    if board_of(request, state) is not None:
        return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    return _render(state, "login.html", error=None)


@router.post("/login")
async def login(request: Request, state: State) -> Response:
    try:
        body = await read_limited(request, limit=4096)
    except BodyTooLarge:
        return _render(state, "login.html", 413, error="Request too large.")
    token = (parse_qs(body.decode("utf-8", "replace")).get("key") or [""])[0].strip()
    board = await run_in_threadpool(authenticate, state.store, token) if token else None
    if board is None:
        return _render(state, "login.html", 401, error="This API key is not valid.")
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE, token, max_age=COOKIE_MAX_AGE_S, httponly=True, samesite="strict", path="/",
        secure=request.url.scheme == "https" or state.settings.environment == "production",
    )  # fmt: skip
    return response


@router.post("/logout")
def logout() -> Response:
    response = _to_login()
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/")
def home(request: Request, state: State) -> Response:
    board = board_of(request, state)
    if board is None:
        return _to_login()
    return _render(
        state, "index.html", board=board, example=example_profile(), csrf_header=CSRF_HEADER
    )
