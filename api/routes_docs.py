"""Interactive API docs (Swagger UI at /docs, ReDoc at /redoc) served entirely by the app.

FastAPI's own pages load their scripts from a public CDN, without integrity checks and without
a CSP, on the same origin as the cookie-authenticated page; in an air-gapped hospital they render
blank (issue 11, finding 6). Here the assets come from the `fastapi-offline` wheel (chosen over
`swagger-ui-bundle`, whose last release ships Swagger UI 4.15 from 2022 and no ReDoc:
fastapi-offline is maintained, MIT, ships current Swagger UI 5 and ReDoc 2 bundles and depends
on FastAPI only). Only its static files are used, not its page builder, whose inline scripts the
CSP would block: our pages load them with the per-response nonce under the same CSP as every
other page (api/routes_web.page_csp).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse, Response

from api.auth import State
from api.routes_web import render

router = APIRouter(include_in_schema=False)

ASSETS = Path(str(resources.files("fastapi_offline").joinpath("static")))
# Served by name from this list only: no path from the URL ever reaches the file system.
ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}


@router.get("/docs")
def swagger_ui(request: Request, state: State) -> Response:
    return render(state, "docs_swagger.html", openapi_url=request.app.openapi_url)


@router.get("/redoc")
def redoc(request: Request, state: State) -> Response:
    return render(state, "docs_redoc.html", openapi_url=request.app.openapi_url)


@router.get("/docs/assets/{name}")
def asset(name: str) -> Response:
    media_type = ASSET_TYPES.get(name)
    if media_type is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no such asset")
    # Public, versioned library code (no patient data): cacheable, unlike every API answer.
    return FileResponse(
        ASSETS / name, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
    )
