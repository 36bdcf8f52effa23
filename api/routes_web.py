"""The coordinators' page: log in with the board's API key, paste a profile, watch it match.

Signing in exchanges the key for a server-side session (api/sessions.py: a login form that
cannot be posted cross-site; the cookie holds a session id, never the key). The page talks to the
same JSON API with `fetch`; no form-data parser is needed (the login form's urlencoded body is
parsed here with the standard library).
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api import sessions
from api.auth import CSRF_HEADER, State, board_of
from api.errors import BodyTooLarge
from api.routes_profiles import read_limited
from api.state import AppState, example_profile
from matcher.services.boards import authenticate_key

router = APIRouter(include_in_schema=False)


def page_csp(nonce: str) -> str:
    """The one CSP of every HTML page (the API docs included): scripts only with this nonce."""
    return (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'"
    )


def render(state: AppState, name: str, status_code: int = 200, **context: object) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    html = state.templates.get_template(name).render(nonce=nonce, **context)
    return HTMLResponse(
        html,
        status_code=status_code,
        # same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a form
        # POST, and the login's same-origin check needs the real origin. Nothing goes off-site.
        headers={"Content-Security-Policy": page_csp(nonce), "Referrer-Policy": "same-origin"},
    )


def _cookie_secure(request: Request, state: AppState) -> bool:
    return request.url.scheme == "https" or state.settings.environment == "production"


def _login_form(
    request: Request, state: AppState, status_code: int = 200, error: str | None = None
) -> Response:
    """The login page with a fresh form token, also set as the form cookie (double submit)."""
    token = sessions.issue_form()
    response = render(state, "login.html", status_code, error=error, form_token=token)
    response.set_cookie(
        sessions.FORM_COOKIE, token, max_age=sessions.FORM_TTL_S, httponly=True,
        samesite="strict", path="/login", secure=_cookie_secure(request, state),
    )  # fmt: skip
    return response


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login")
def login_page(request: Request, state: State) -> Response:
    if board_of(request, state) is not None:
        return RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    return _login_form(request, state)


@router.post("/login")
async def login(request: Request, state: State) -> Response:
    if not sessions.same_origin(request, state.settings.public_origin):
        # A cross-site form post (login CSRF): refused before the body is even read.
        return _login_form(request, state, 403, "Sign-in refused: the form was not from this site.")
    try:
        body = await read_limited(request, limit=4096)
    except BodyTooLarge:
        return _login_form(request, state, 413, "Request too large.")
    fields = parse_qs(body.decode("utf-8", "replace"))
    token = (fields.get("key") or [""])[0].strip()
    form_token = (fields.get("form_token") or [""])[0]
    if not sessions.form_is_valid(form_token, request.cookies.get(sessions.FORM_COOKIE)):
        return _login_form(request, state, 403, "The sign-in form expired; please sign in again.")
    key = await run_in_threadpool(authenticate_key, state.store, token) if token else None
    if key is None:
        return _login_form(request, state, 401, "This API key is not valid.")
    session_id = await run_in_threadpool(sessions.start, state.store, key)
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        sessions.SESSION_COOKIE, session_id, max_age=sessions.SESSION_TTL_S, httponly=True,
        samesite="strict", path="/", secure=_cookie_secure(request, state),
    )  # fmt: skip
    response.delete_cookie(sessions.FORM_COOKIE, path="/login", httponly=True, samesite="strict")
    return response


@router.post("/logout")
def logout(request: Request, state: State) -> Response:
    """End the session server-side (the cookie alone is not the credential) and drop the cookie.

    Cross-site posts are ignored, so another site cannot sign the coordinator out either.
    """
    if sessions.same_origin(request, state.settings.public_origin):
        sessions.end(state.store, request.cookies.get(sessions.SESSION_COOKIE))
    response = _to_login()
    response.delete_cookie(sessions.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/")
def home(request: Request, state: State) -> Response:
    board = board_of(request, state)
    if board is None:
        return _to_login()
    return render(
        state, "index.html", board=board, example=example_profile(), csrf_header=CSRF_HEADER
    )
