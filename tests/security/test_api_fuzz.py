"""Fuzz of the HTTP API driven by its own OpenAPI description (hypothesis, no extra package).

Every operation the app publishes is called with generated path and query parameters and bodies
(valid profiles, profiles with one field replaced by any JSON value, random bytes), always with
a valid API key so requests get past authentication (401/404 scoping is tested in tests/api).
The app must never answer 5xx, and a 4xx must leave Redis unchanged and enqueue nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from api.app import create_app
from matcher.adapters.store import Store
from matcher.domain.models.profile import ProfileIn
from matcher.services import boards
from matcher.settings import Settings
from tests.support.procs import SNAPSHOT, RedisServer
from tests.support.profiles import example_body

pytestmark = pytest.mark.integration

OWN = "@own"  # stands for the id the server assigned to the fuzzing board's own profile
OWN_REF = "FUZZ-own"


@dataclass
class FuzzEnv:
    store: Store
    client: TestClient
    headers: dict[str, str]
    operations: list[tuple[str, str, list[dict[str, Any]], bool]]  # method, path, params, body?
    own: str = ""

    def create_own(self) -> None:
        """(Re)create the board's own profile; remember its server-assigned id."""
        body = json.dumps(example_body(OWN_REF))
        created = self.client.post("/v1/profiles", content=body, headers=self.headers)
        if created.status_code == 409:
            # a generated call gave another of the board's profiles this reference: that one is
            # now the board's "own" profile (the 409 names it)
            self.own = created.json()["profile_id"]
            return
        assert created.status_code == 202, created.text
        self.own = created.json()["profile_id"]

    def queue_length(self) -> int:
        return int(self.store.r.llen(f"{self.store.keys.broker_prefix()}trialmatch"))

    def state(self) -> tuple[frozenset[str], int]:
        broker = self.store.keys.broker_prefix()
        keys = frozenset(k for k in self.store.r.scan_iter("*") if not k.startswith(broker))
        return keys, self.queue_length()


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzEnv]:
    server = RedisServer(tmp_path_factory.mktemp("fuzz") / "redis")
    try:
        settings_ = Settings(redis_url=server.url, ctgov_snapshot=SNAPSHOT, any_status=True)  # type: ignore[arg-type]
        store = Store.from_settings(settings_)
        key = boards.create_key(store, "board-fuzz", label="fuzz")
        app = create_app(settings_)
        operations = []
        for path, ops in app.openapi()["paths"].items():
            for method, op in ops.items():
                operations.append(
                    (method.upper(), path, op.get("parameters", []), "requestBody" in op)
                )
        with TestClient(app, raise_server_exceptions=False) as client:
            env = FuzzEnv(store, client, {"Authorization": f"Bearer {key.token}"}, operations)
            env.create_own()
            yield env
    finally:
        server.stop()


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
PATH_VALUES = (
    st.just(OWN)
    | st.sampled_from([OWN, "FUZZ-2"])
    | TEXT
    | st.sampled_from(
        [OWN, "..", "%2e%2e", "NCT00000000", "NCT12345678", "x" * 300, "a b", "\x00", "null", "0"]
    )
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    ref = draw(st.sampled_from([OWN_REF, "FUZZ-new-1", "FUZZ-2"]))
    kind = draw(st.sampled_from(["valid", "valid", "mutated", "mutated", "bytes", "json"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "json":
        return json.dumps(draw(JSON_VALUES)).encode()
    body = example_body(ref)
    if kind == "mutated":
        body[draw(st.sampled_from(sorted(ProfileIn.model_fields)))] = draw(JSON_VALUES)
    return json.dumps(body).encode()


@st.composite
def requests(
    draw: st.DrawFn, operations: list[tuple[str, str, list[dict[str, Any]], bool]], own: str
) -> tuple[str, str, dict[str, str], bytes | None]:
    method, path, params, has_body = draw(st.sampled_from(operations))
    query: dict[str, str] = {}
    for param in params:
        value = draw(PATH_VALUES)
        value = own if value == OWN else value
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", quote(value, safe="") or "%20")
        elif param["in"] == "query" and draw(st.booleans()):
            query[param["name"]] = value
    body = draw(bodies()) if has_body else None
    return method, path, query, body


@given(data=st.data())
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_never_5xx_and_4xx_changes_nothing(fuzz_env: FuzzEnv, data: st.DataObject) -> None:
    """Generated calls to every documented operation never get 5xx; a 4xx writes and queues
    nothing; an accepted submission queues exactly one task."""
    if not fuzz_env.store.profile_exists(fuzz_env.own):  # a generated DELETE may have erased it
        fuzz_env.create_own()
    method, path, query, body = data.draw(requests(fuzz_env.operations, fuzz_env.own))
    before = fuzz_env.state()
    headers = dict(fuzz_env.headers)
    if body is not None:
        headers["Content-Type"] = "application/json"
    response = fuzz_env.client.request(method, path, params=query, content=body, headers=headers)
    event(f"{method} {response.status_code}")  # see --hypothesis-show-statistics
    where = f"{method} {path} {query} -> {response.status_code}: {response.text[:300]}"
    assert response.status_code < 500, where
    if 400 <= response.status_code < 500:
        assert fuzz_env.state() == before, where
    if method in {"POST", "PUT"} and response.status_code == 202:
        assert fuzz_env.queue_length() == before[1] + 1, where
