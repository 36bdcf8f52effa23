"""Authentication and board isolation: every route but the public few needs a board's key."""

from __future__ import annotations

import re

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.services import boards
from tests.api.conftest import ApiEnv, bearer, login, make_settings
from tests.support.profiles import example_json

# Public on purpose: probes, the API description, and the login page itself.
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/redoc"),
    ("GET", "/docs/assets/{name}"),  # public library code, no patient data
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
}
# Server-rendered pages send a browser without a key to the login page instead of a 401.
PAGES = {("GET", "/")}
DUMMY = {"profile_id": "p_" + "0" * 24, "job_id": "0" * 32, "nct_id": "NCT00000001",
         "criterion_key": "0" * 16}  # fmt: skip


def _routes(env: ApiEnv) -> list[tuple[str, str]]:
    found = []
    for ctx in iter_route_contexts(env.app.routes):
        for method in sorted(ctx.methods or ()):
            if method != "HEAD":
                found.append((method, ctx.path))
    return found


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: DUMMY[m.group(1)], path)


def _call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    body = example_json("TB-nobody") if method in {"POST", "PUT"} else None
    return client.request(method, _url(path), content=body, headers=headers).status_code


def test_every_route_without_a_key_is_refused(api_env: ApiEnv) -> None:
    """Each API route answers 401 without a key, and each page redirects to the login page."""
    routes = _routes(api_env)
    assert len(routes) >= 15
    client = TestClient(api_env.app, follow_redirects=False)
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        res = client.request(method, _url(path), content=example_json("TB-nobody"))
        if (method, path) in PAGES:
            assert res.status_code == 303, path
            assert res.headers["location"] == "/login", path
        else:
            assert res.status_code == 401, (method, path, res.status_code)
            assert res.headers["www-authenticate"] == "Bearer"


def test_wrong_keys_are_401(api_env: ApiEnv) -> None:
    """Malformed, unknown and wrongly-signed keys are refused on every API route."""
    forged = api_env.key_a.token[:-4] + "AAAA"
    for token in ("nonsense", "tm_000000000000_" + "x" * 43, forged, "x" * 5000):
        for headers in (bearer(token), {"X-API-Key": token}):
            for method, path in _routes(api_env):
                if (method, path) in PUBLIC or (method, path) in PAGES:
                    continue
                assert _call(api_env.client, method, path, headers) == 401, (token, path)


def test_both_header_forms_are_accepted(api_env: ApiEnv) -> None:
    """A key works as `Authorization: Bearer` and as `X-API-Key`."""
    for headers in (api_env.a, {"X-API-Key": api_env.key_a.token}):
        assert api_env.client.get("/v1/jobs/" + "0" * 32, headers=headers).status_code == 404


def test_another_boards_ids_answer_404_like_missing_ones(api_env: ApiEnv) -> None:
    """Board B gets the same 404 body for board A's profile and job as for never-seen ids."""
    sub = api_env.create("TB-iso-a")
    mine, never = sub["profile_id"], "p_" + "f" * 24
    before = api_env.client.get(f"/v1/profiles/{mine}", headers=api_env.a).json()
    urls = [
        ("GET", "/v1/profiles/{p}"),
        ("GET", "/v1/profiles/{p}/matches"),
        ("GET", "/v1/profiles/{p}/changes"),
        ("GET", "/v1/profiles/{p}/report"),
        ("DELETE", "/v1/profiles/{p}"),
        ("PUT", "/v1/profiles/{p}"),
        ("GET", "/v1/jobs/{j}"),
    ]
    for method, template in urls:
        theirs = template.format(p=mine, j=sub["job_id"])
        missing = template.format(p=never, j="f" * 32)
        got = []
        for url in (theirs, missing):
            body = example_json("TB-iso-b") if method == "PUT" else None
            res = api_env.client.request(method, url, content=body, headers=api_env.b)
            assert res.status_code == 404, (method, url, res.text)
            got.append(res.text.replace(sub["job_id"], "J").replace("f" * 32, "J"))
        assert got[0].replace(mine, "P") == got[1].replace(never, "P"), got
    # Board B's PUT and DELETE attempts changed nothing.
    assert api_env.client.get(f"/v1/profiles/{mine}", headers=api_env.a).json() == before


def test_revoked_key_is_refused_at_once(api_env: ApiEnv) -> None:
    """The request right after a revocation is a 401, with no cache delay."""
    issued = boards.create_key(api_env.store, "board-a")
    headers = bearer(issued.token)
    assert api_env.client.get("/metrics", headers=headers).status_code == 200
    boards.revoke_key(api_env.store, issued.key_id)
    assert api_env.client.get("/metrics", headers=headers).status_code == 401
    assert issued.key_id not in {k.key_id for k in boards.list_keys(api_env.store)}


def test_keys_are_stored_only_as_digests(api_env: ApiEnv) -> None:
    """No Redis key or value holds a plaintext API key; the listing shows ids, never secrets."""
    token = api_env.key_a.token
    secret = token.split("_", 2)[2]  # tm_<hex key id>_<secret>; the secret itself may hold "_"
    assert len(secret) >= 40
    for key in api_env.store.r.scan_iter("*"):
        assert secret not in key
        kind = api_env.store.r.type(key)
        if kind == "string":
            assert secret not in (api_env.store.r.get(key) or "")
        elif kind == "hash":
            assert secret not in repr(api_env.store.r.hgetall(key))
    listed = boards.list_keys(api_env.store, "board-a")
    assert api_env.key_a.key_id in {k.key_id for k in listed}
    assert all(k.board_id == "board-a" for k in listed)
    assert secret not in repr(listed)


def test_cookie_alone_cannot_write_without_the_csrf_header(api_env: ApiEnv) -> None:
    """A cookie-authenticated POST needs the X-TM-CSRF header; reads work with the cookie alone."""
    client = TestClient(api_env.app)
    assert login(client, api_env.key_a.token).status_code == 200  # followed to the page
    body = example_json("TB-cookie")
    assert client.post("/v1/profiles", content=body).status_code == 401
    res = client.post("/v1/profiles", content=body, headers={"X-TM-CSRF": "1"})
    assert res.status_code == 202
    assert client.get(f"/v1/profiles/{res.json()['profile_id']}").status_code == 200


def test_metrics_need_a_key_and_export_api_counters(api_env: ApiEnv) -> None:
    """/metrics serves Prometheus text with the submission and HTTP counters of this process."""
    pid = api_env.create("TB-metrics")["profile_id"]
    api_env.client.get(f"/v1/profiles/{pid}", headers=api_env.a)
    res = api_env.client.get("/metrics", headers=api_env.a)
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/plain")
    assert 'trialmatch_submissions_total{outcome="accepted"}' in res.text
    assert 'route="/v1/profiles"' in res.text  # route templates, never raw ids
    assert 'route="/v1/profiles/{profile_id}"' in res.text
    assert "TB-metrics" not in res.text
    assert pid not in res.text


def test_healthz_is_public_and_reports_redis_and_broker(api_env: ApiEnv) -> None:
    """/healthz needs no key and answers 200 with both checks ok while Redis runs."""
    res = api_env.client.get("/healthz")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["status"] == "ok"
    assert body["checks"]["redis"]["ok"]
    assert body["checks"]["broker"]["ok"]


def test_redis_down_is_503_with_a_clear_message() -> None:
    """With Redis unreachable, /healthz and authenticated calls answer 503, not 500 or a hang."""
    from tests.support.procs import free_port

    settings = make_settings(f"redis://127.0.0.1:{free_port()}/0")
    with TestClient(create_app(settings)) as client:
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["checks"]["redis"]["ok"] is False
        res = client.get("/v1/profiles/TB-x", headers=bearer("tm_000000000000_" + "x" * 43))
        assert res.status_code == 503
        assert "storage unavailable" in res.json()["detail"]
