"""The coordinators' page without a browser: login, cookie flags, the prefilled form, logout."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.api.conftest import ApiEnv


def test_login_sets_a_strict_httponly_cookie(api_env: ApiEnv) -> None:
    """A valid key posted to /login sets an HttpOnly SameSite=Strict cookie and opens the page."""
    client = TestClient(api_env.app, follow_redirects=False)
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="key"' in page.text
    res = client.post(
        "/login",
        content=f"key={api_env.key_a.token}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert res.status_code == 303
    assert res.headers["location"] == "/"
    cookie = res.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/" in cookie
    home = client.get("/")
    assert home.status_code == 200
    assert "board-a" in home.text
    assert "nonce-" in home.headers["content-security-policy"]


def test_page_is_prefilled_with_a_valid_example(api_env: ApiEnv) -> None:
    """The textarea holds an example profile that the API accepts as is."""
    client = TestClient(api_env.app, cookies={"tm_key": api_env.key_b.token})
    html = client.get("/").text
    start = html.index(">", html.index('<textarea id="profile"')) + 1
    raw = html[start : html.index("</textarea>")].replace("&#34;", '"').replace("&#39;", "'")
    body = json.loads(raw)
    body["profile_id"] = "TB-web-example"
    res = client.post("/v1/profiles", json=body, headers={"X-TM-CSRF": "1"})
    assert res.status_code == 202, res.text


def test_bad_key_at_login_is_refused(api_env: ApiEnv) -> None:
    """A wrong key at /login answers 401 with the form again and sets no cookie."""
    client = TestClient(api_env.app, follow_redirects=False)
    res = client.post(
        "/login",
        content="key=tm_nope",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert res.status_code == 401
    assert "not valid" in res.text
    assert "set-cookie" not in res.headers


def test_logout_clears_the_cookie(api_env: ApiEnv) -> None:
    """/logout expires the cookie and sends the browser to the login page."""
    client = TestClient(api_env.app, follow_redirects=False, cookies={"tm_key": "x"})
    res = client.post("/logout")
    assert res.status_code == 303
    assert res.headers["location"] == "/login"
    assert (
        'tm_key=""' in res.headers["set-cookie"] or "max-age=0" in res.headers["set-cookie"].lower()
    )
