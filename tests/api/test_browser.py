"""The coordinators' page in a real headless Chromium (scripts/ensure_chromium.sh installs it)."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from api.app import create_app
from matcher.services import boards
from tests.api.browser import Browser, LiveServer, dump_dom
from tests.api.conftest import ApiEnv
from tests.support.stack import Stack
from tests.support.tooling import require

ENGINE_LANDED = importlib.util.find_spec("matcher.domain.eligibility.engine") is not None
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


@pytest.mark.skipif(
    not ENGINE_LANDED, reason="matcher.domain.eligibility.engine has not landed yet"
)
def test_submit_through_the_page_and_see_matches(stack: Stack, tmp_path: Path) -> None:
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


def _on_trial(nct: str, body: str) -> str:
    """A JS expression running `body` with `li` bound to the trial's list item."""
    return (
        f"(() => {{ const li = document.querySelector(\"#matches > li[data-nct='{nct}']\");"
        f" {body} }})()"
    )


@pytest.mark.skipif(
    not ENGINE_LANDED, reason="matcher.domain.eligibility.engine has not landed yet"
)
def test_workspace_round_trip_answer_moves_verdict_and_facts(
    stack: Stack,
    tmp_path: Path,
) -> None:
    """Log in, submit, answer every open question of a possibly eligible trial in place (the
    last one from the keyboard), and see its verdict become eligible, its NCT id leave the facts
    to collect and the move appear under "new since the last review"; marking the profile
    reviewed empties that list; "why this rank" follows the answers (0 open questions); a
    refused submission reads in plain language. Screenshots of
    each step are kept in the printed folder."""
    from tests.api.browser import submit_through_the_page

    shots = tmp_path / "screenshots"
    shots.mkdir()
    print(f"\nworkspace screenshots: {shots}")
    app = create_app(stack.settings, publish=stack.publish)
    token = boards.create_key(stack.store, "board-web-loop").token
    server = LiveServer(app)
    browser = Browser(tmp_path / "chromium")
    try:
        browser.send("Emulation.setDeviceMetricsOverride", width=1280, height=1000,
                     deviceScaleFactor=1, mobile=False)  # fmt: skip
        submit_through_the_page(browser, server.url, token, "TB-browser-loop")
        browser.wait("document.querySelectorAll('#profiles tbody tr').length === 1")
        browser.screenshot(shots / "1-matched.png")
        nct = browser.eval(
            "(() => { const c = Array.from(document.querySelectorAll("
            "'#matches > li[data-verdict=possibly_eligible]'))"
            ".filter((li) => +li.dataset.open > 0);"
            " c.sort((a, b) => a.dataset.open - b.dataset.open); return c[0].dataset.nct; })()"
        )
        opened = int(browser.eval(_on_trial(nct, "return +li.dataset.open;")))
        why = browser.eval(_on_trial(nct, "return li.querySelector('.why').textContent;"))
        assert why.startswith("Why this rank: ")
        assert f"{opened} open question(s)" in why
        in_facts = (
            "Array.from(document.querySelectorAll('#facts li[data-trials]'))"
            f".some((f) => f.dataset.trials.split(' ').includes('{nct}'))"
        )
        assert browser.eval(in_facts)
        for i in range(opened):
            previous_job = browser.eval("document.getElementById('job-id').textContent")
            browser.eval(_on_trial(nct, "li.querySelector('details').open = true; return true;"))
            browser.wait(_on_trial(nct, "return !!li.querySelector('.answer-form');"))
            form = f"#matches > li[data-nct='{nct}'] .answer-form"
            browser.eval(f"document.querySelector(\"{form} select\").value = 'met'")
            browser.type_into(f"{form} input[name=note]", "checked by coordinator")
            if i == 0:
                browser.screenshot(shots / "2-answering.png")
            if i == opened - 1:
                browser.press_enter(f"{form} input[name=note]")  # keyboard submission
            else:
                browser.click(f"{form} button")
            browser.wait(
                f"document.getElementById('job-id').textContent !== {previous_job!r}"
                " && document.getElementById('job-status').textContent === 'done'",
                90,
            )
            browser.wait(_on_trial(nct, f"return li && +li.dataset.open === {opened - i - 1};"), 30)
        assert browser.eval(_on_trial(nct, "return li.dataset.verdict;")) == "eligible"
        why = browser.eval(_on_trial(nct, "return li.querySelector('.why').textContent;"))
        assert "0 open question(s)" in why  # the rank follows the answers
        assert not browser.eval(in_facts)
        changes = browser.eval("document.getElementById('changes').textContent")
        assert "verdict changed" in changes
        assert nct in changes
        browser.screenshot(shots / "3-answered.png")
        browser.click("#mark-reviewed")
        browser.wait("document.getElementById('review-status').textContent.startsWith('Marked')")
        browser.wait("document.getElementById('changes').textContent.includes('Nothing new')")
        row = browser.eval("document.querySelector('#profiles tbody tr').textContent")
        assert "nothing new" in row
        assert "matched " in row
        eligible = re.search(r"[:,] (\d+) eligible", row)  # not "possibly" / "not eligible"
        assert eligible is not None
        assert int(eligible.group(1)) >= 1  # the answered trial counts among the eligible
        assert "meeting of" in row
        browser.screenshot(shots / "4-reviewed.png")
        # A refused submission: a plain-language message naming the field, no pattern, no
        # previous job id next to it.
        browser.eval(
            "(() => { const t = document.getElementById('profile'); const p = JSON.parse(t.value);"
            " p.reference = 'TB-browser-bad'; p.diagnosis_code = 'not a code!';"
            " t.value = JSON.stringify(p, null, 2); })()"
        )
        browser.click("#submit")
        errors = browser.wait("document.getElementById('errors').textContent")
        assert "diagnosis code: is not in the expected format" in errors
        assert "^" not in errors
        assert browser.eval("document.getElementById('job-id').textContent") == "—"
        browser.screenshot(shots / "5-refused.png")
        assert sorted(p.name for p in shots.iterdir()) == [
            "1-matched.png", "2-answering.png", "3-answered.png", "4-reviewed.png",
            "5-refused.png",
        ]  # fmt: skip
    except Exception:
        browser.screenshot(shots / "failure.png")
        raise
    finally:
        browser.close()
        server.stop()
