"""API docs served offline by the app itself, under the same strict CSP as every other page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.app import create_app
from tests.api.browser import Browser, LiveServer, chromium_binary
from tests.api.conftest import ApiEnv

_SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_URL_ATTR = re.compile(r'(?:src|href)="([^"]+)"', re.IGNORECASE)


@pytest.mark.parametrize(
    ("page", "bundle", "marker"),
    [
        ("/docs", "/docs/assets/swagger-ui-bundle.js", "SwaggerUIBundle"),
        ("/redoc", "/docs/assets/redoc.standalone.js", "Redoc"),
    ],
)
def test_docs_pages_load_only_local_assets_under_the_page_csp(
    api_env: ApiEnv, page: str, bundle: str, marker: str
) -> None:
    """The docs page references no other host, every script carries the response's CSP nonce,
    the CSP is the strict page policy, and the bundle it loads is served by the app."""
    res = api_env.client.get(page)
    assert res.status_code == 200
    csp = res.headers["content-security-policy"]
    nonce = re.search(r"script-src 'nonce-([^']+)'", csp)
    assert nonce, csp
    assert "default-src 'none'" in csp
    assert "unsafe-eval" not in csp
    assert "http" not in csp  # no host allowed besides 'self'
    for url in _URL_ATTR.findall(res.text):
        assert url.startswith("/"), f"{page} references {url}"
    scripts = _SCRIPT.findall(res.text)
    assert scripts
    assert all(f'nonce="{nonce.group(1)}"' in attrs for attrs in scripts)
    asset = api_env.client.get(bundle)
    assert asset.status_code == 200
    assert asset.headers["content-type"].startswith("text/javascript")
    assert marker in asset.text
    assert len(asset.content) > 100_000  # the real bundle, not a placeholder


@pytest.mark.parametrize("name", ["nope.js", "..%2Fstatic%2Fswagger-ui.css", "core.py"])
def test_only_listed_assets_are_served(api_env: ApiEnv, name: str) -> None:
    """Asset names outside the fixed list answer 404; no URL path reaches the file system."""
    assert api_env.client.get(f"/docs/assets/{name}").status_code == 404


@pytest.mark.integration
def test_swagger_ui_and_redoc_render_in_chromium_without_network(
    api_env: ApiEnv, tmp_path: Path
) -> None:
    """Headless Chromium (no internet here) renders both docs pages: their scripts ran under the
    CSP, and every resource the pages asked for came from the app's own origin or was blocked by
    the CSP (ReDoc's bundle asks for its vendor's logo from a CDN; the CSP refuses it)."""
    try:
        chromium_binary()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    server = LiveServer(create_app(api_env.settings))
    browser = Browser(tmp_path / "chromium")
    browser.send(
        "Page.addScriptToEvaluateOnNewDocument",
        source="window.__blocked = []; document.addEventListener('securitypolicyviolation',"
        " (e) => window.__blocked.push(new URL(e.blockedURI).origin));",
    )
    try:
        browser.goto(server.url + "/docs")
        title = browser.wait("document.querySelector('.swagger-ui .info .title')?.textContent", 30)
        assert "trialmatch" in title
        assert browser.wait("document.querySelectorAll('.opblock').length", 30) > 3
        origins = browser.eval(
            "performance.getEntriesByType('resource').map((e) => new URL(e.name).origin)"
        )
        assert set(origins) == {server.url}
        assert browser.eval("window.__blocked") == []
        browser.goto(server.url + "/redoc")
        heading = browser.wait("document.querySelector('#redoc h1')?.textContent", 30)
        assert "trialmatch" in heading
        origins = set(
            browser.eval(
                "performance.getEntriesByType('resource').map((e) => new URL(e.name).origin)"
            )
        )
        blocked = set(browser.eval("window.__blocked"))
        assert server.url in origins
        assert origins - {server.url} <= blocked, (origins, blocked)
    except Exception:
        browser.screenshot(tmp_path / "failure.png")
        raise
    finally:
        browser.close()
        server.stop()
