"""The trialmatch HTTP API: boards submit profiles, watch jobs and read matches and reports.

`create_app(settings, publish)` builds a self-contained app (tests pass a Settings pointing at
their private Redis and their own publish function). Every endpoint except `/healthz`, the login
page and the OpenAPI description needs a board's API key; see api/auth.py. Run it with
`trialmatch serve` (cli/serve.py), which uses uvicorn's factory mode.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from api import (
    errors,
    routes_board,
    routes_docs,
    routes_ops,
    routes_profiles,
    routes_report,
    routes_results,
    routes_web,
)
from api.metrics import observe
from api.state import AppState
from matcher.adapters.queue import TaskPublisher
from matcher.adapters.store import Store
from matcher.services.submission import Publish
from matcher.settings import Settings, get_settings

DESCRIPTION = """Match pseudonymous recurrence profiles of children and adolescents with soft
tissue sarcoma to ClinicalTrials.gov trials. Authenticate with `Authorization: Bearer <key>` or
`X-API-Key: <key>`; a key sees only its own board's profiles, jobs, matches and reports (another
board's id answers 404, like a missing one).

Profile ids are assigned by the server (`p_…`, returned by `POST /v1/profiles`) and are the only
ids in URLs. A board may give its own optional `reference` in the profile (the field formerly
called `profile_id`, still accepted under that name); it is unique within the board only, is
never logged, and is refused when it looks like a date, a record number, an e-mail address or a
personal name."""


async def security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    # Profiles and reports are patient data: never cached, never framed, never sniffed.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def create_app(settings: Settings | None = None, publish: Publish | None = None) -> FastAPI:
    """Build the app. Raises ConfigError (naming the setting) when the configuration is bad."""
    settings = settings or get_settings()
    store = Store.from_settings(settings)
    celery = TaskPublisher(settings)
    app = FastAPI(
        title="trialmatch",
        version="0.1.0",
        description=DESCRIPTION,
        # Served by api/routes_docs.py from packaged assets under the app's CSP, not from a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.tm = AppState(
        settings=settings, store=store, publish=publish or celery, celery=celery
    )
    errors.install(app)
    app.middleware("http")(observe)
    app.middleware("http")(security_headers)
    routers = (
        routes_profiles,
        routes_results,
        routes_board,
        routes_report,
        routes_ops,
        routes_web,
        routes_docs,
    )
    for module in routers:
        app.include_router(module.router)
    return app
