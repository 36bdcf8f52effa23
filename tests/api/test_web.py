"""The coordinators' page without a browser: login, cookie flags, the prefilled form, logout."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from matcher.services import boards
from tests.api.conftest import FORM, SAME_SITE, ApiEnv, form_token, login


def test_login_sets_a_strict_httponly_session_cookie(api_env: ApiEnv) -> None:
    """A valid key posted from the site's own form sets an HttpOnly SameSite=Strict session
    cookie that holds a server-side session id (with a TTL in Redis), not the key."""
    client = TestClient(api_env.app, follow_redirects=False)
    res = login(client, api_env.key_a.token)
    assert res.status_code == 303
    assert res.headers["location"] == "/"
    cookie = next(c for c in res.headers.get_list("set-cookie") if c.startswith("tm_session="))
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    assert "path=/" in cookie.lower()
    session_id = client.cookies["tm_session"]
    assert api_env.key_a.token not in " ".join(res.headers.get_list("set-cookie"))
    assert session_id != api_env.key_a.token
    digest = hashlib.sha256(session_id.encode()).hexdigest()
    key = api_env.store.keys.session(digest)
    assert api_env.store.r.hget(key, "board_id") == "board-a"
    assert 0 < api_env.store.r.ttl(key) <= 12 * 3600
    home = client.get("/")
    assert home.status_code == 200
    assert "board-a" in home.text
    assert "nonce-" in home.headers["content-security-policy"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null", "Referer": "https://evil.example/page"},
        {"Referer": "https://evil.example/page"},
        {},  # neither: a browser always sends one of them on a form post
    ],
    ids=["foreign-origin", "null-origin-foreign-referer", "foreign-referer", "none"],
)
def test_cross_site_login_post_is_refused(api_env: ApiEnv, headers: dict[str, str]) -> None:
    """Login CSRF: a post to /login from another site is refused (403) and opens no session,
    even with a valid key and a valid form token."""
    client = TestClient(api_env.app, follow_redirects=False)
    token = form_token(client.get("/login").text)
    before = set(api_env.store.r.scan_iter("tm:auth:session:*"))
    res = client.post(
        "/login",
        content=urlencode({"key": api_env.key_b.token, "form_token": token}),
        headers={**FORM, **headers},
    )
    assert res.status_code == 403
    assert "tm_session" not in res.headers.get("set-cookie", "")
    assert set(api_env.store.r.scan_iter("tm:auth:session:*")) == before


def test_same_site_referer_without_origin_is_accepted(api_env: ApiEnv) -> None:
    """A browser that sends only a same-site Referer (no Origin) can still sign in."""
    client = TestClient(api_env.app, follow_redirects=False)
    token = form_token(client.get("/login").text)
    res = client.post(
        "/login",
        content=urlencode({"key": api_env.key_b.token, "form_token": token}),
        headers={**FORM, "Referer": "http://testserver/login"},
    )
    assert res.status_code == 303


def test_login_form_token_is_bound_to_its_browser_and_dropped_after_use(api_env: ApiEnv) -> None:
    """A same-site post needs the token of *this* browser's form: a missing or foreign token is
    refused (403); after a successful sign-in the form cookie is gone, so a replay is refused,
    and the login page stores nothing in Redis."""
    attacker = TestClient(api_env.app, follow_redirects=False)
    keys = api_env.data_keys()
    foreign = form_token(attacker.get("/login").text)
    assert api_env.data_keys() == keys  # an anonymous GET /login writes nothing
    victim = TestClient(api_env.app, follow_redirects=False)
    own = form_token(victim.get("/login").text)

    def post(token: str) -> int:
        body = urlencode({"key": api_env.key_a.token, "form_token": token})
        return victim.post("/login", content=body, headers={**FORM, **SAME_SITE}).status_code

    assert post("") == 403
    assert post(foreign) == 403  # issued to another browser (its nonce cookie differs)
    own = form_token(victim.get("/login").text)  # the refusals re-rendered the form
    assert post(own) == 303
    assert "tm_login" not in victim.cookies
    assert post(own) == 403  # the form cookie went with the successful sign-in


def test_logout_ends_the_session_server_side(api_env: ApiEnv) -> None:
    """After /logout the old session id no longer authenticates anywhere, even if replayed."""
    client = TestClient(api_env.app, follow_redirects=False)
    login(client, api_env.key_a.token)
    session_id = client.cookies["tm_session"]
    replay = TestClient(api_env.app, follow_redirects=False, cookies={"tm_session": session_id})
    assert replay.get("/").status_code == 200
    res = client.post("/logout", headers=SAME_SITE)
    assert res.status_code == 303
    assert res.headers["location"] == "/login"
    assert "tm_session=" in res.headers["set-cookie"]
    assert replay.get("/").status_code == 303  # back to the login page
    assert replay.get("/v1/profiles/anything").status_code == 401


def test_revoking_the_key_ends_its_sessions(api_env: ApiEnv) -> None:
    """A session lives only as long as the API key it was opened with."""
    issued = boards.create_key(api_env.store, "board-a", label="short-lived")
    client = TestClient(api_env.app, follow_redirects=False)
    login(client, issued.token)
    assert client.get("/").status_code == 200
    boards.revoke_key(api_env.store, issued.key_id)
    assert client.get("/").status_code == 303


def test_the_api_key_itself_is_not_a_session(api_env: ApiEnv) -> None:
    """A cookie holding the API key (the old scheme) authenticates nothing."""
    for name in ("tm_session", "tm_key"):
        client = TestClient(
            api_env.app, follow_redirects=False, cookies={name: api_env.key_a.token}
        )
        assert client.get("/").status_code == 303
        assert client.get("/v1/profiles/anything").status_code == 401


def test_page_is_prefilled_with_a_valid_example(api_env: ApiEnv) -> None:
    """The textarea holds an example profile that the API accepts as is."""
    client = TestClient(api_env.app)
    html = login(client, api_env.key_b.token).text
    start = html.index(">", html.index('<textarea id="profile"')) + 1
    raw = html[start : html.index("</textarea>")].replace("&#34;", '"').replace("&#39;", "'")
    body = json.loads(raw)
    assert body["reference"]  # the example shows the board's reference, not an id
    body["reference"] = "TB-web-example"
    res = client.post("/v1/profiles", json=body, headers={"X-TM-CSRF": "1"})
    assert res.status_code == 202, res.text


def test_bad_key_at_login_is_refused(api_env: ApiEnv) -> None:
    """A wrong key at /login answers 401 with the form again and opens no session."""
    client = TestClient(api_env.app, follow_redirects=False)
    res = login(client, "tm_nope")
    assert res.status_code == 401
    assert "not valid" in res.text
    assert "tm_session" not in res.headers.get("set-cookie", "")
