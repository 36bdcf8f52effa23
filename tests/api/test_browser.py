"""The coordinators' page in a real headless Chromium (scripts/ensure_chromium.sh installs it)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from api.app import create_app
from matcher import boards
from tests.api.browser import Browser, LiveServer, dump_dom
from tests.api.conftest import ApiEnv
from tests.integration.conftest import Stack, stack  # noqa: F401  (module-scoped fixture)
from tests.support.tooling import require

ENGINE_LANDED = importlib.util.find_spec("matcher.eligibility.engine") is not None
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", autouse=True)
def _chromium() -> None:
    """Skip for a developer without root and without chromium; fail in CI or as root."""
    missing = None if shutil.which("chromium") else "chromium is not installed"
    require(missing, "scripts/ensure_chromium.sh")


def test_login_page_renders_in_chromium(api_env: ApiEnv, tmp_path: Path) -> None:
    """Chromium, sent to / without a key by uvicorn, ends on the rendered login form."""
    server = LiveServer(api_env.app)
    try:
        dom = dump_dom(server.url + "/", tmp_path / "chromium")
    finally:
        server.stop()
    assert 'id="login-form"' in dom
    assert 'name="key"' in dom


@pytest.mark.skipif(not ENGINE_LANDED, reason="matcher.eligibility.engine has not landed yet")
def test_submit_through_the_page_and_see_matches(stack: Stack, tmp_path: Path) -> None:  # noqa: F811
    """Log in, submit the prefilled example, watch the job reach done and a match get listed."""
    from tests.api.browser import submit_through_the_page

    app = create_app(stack.settings, publish=stack.publish)
    token = boards.create_key(stack.store, "board-web").token
    server = LiveServer(app)
    browser = Browser(tmp_path / "chromium")
    try:
        items = submit_through_the_page(browser, server.url, token, "TB-browser-1")
        assert items
        assert any("NCT" in text for text in items)
        # The report opens in the same browser session (cookie auth, GET).
        report_url = browser.eval("document.getElementById('report-link').href")
        browser.goto(report_url)
        assert browser.eval("!!document.getElementById('ranked')")
        assert "NCT" in browser.eval("document.getElementById('ranked').textContent")
    except Exception:
        browser.screenshot(tmp_path / "failure.png")
        raise
    finally:
        browser.close()
        server.stop()
