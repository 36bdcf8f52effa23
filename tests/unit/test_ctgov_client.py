"""The live client against recorded ClinicalTrials.gov responses replayed with respx (no network).

Response bodies come from tests/fixtures/ctgov (real recordings, see PROVENANCE.md). Anything
built here instead (error bodies, headers, alias ids, page sequences) is marked "constructed".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import stamina
from prometheus_client import REGISTRY

from matcher.adapters.ctgov.client import CtgovClient
from matcher.adapters.ctgov.query import FIELDS_PARAM, SearchQuery
from matcher.adapters.ctgov.retry_after import retry_after_seconds
from matcher.errors import (
    FinalUpstreamError,
    RateLimited,
    UpstreamRejected,
    UpstreamSchemaError,
    UpstreamUnavailable,
)

BASE = "https://clinicaltrials.gov/api/v2"
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "ctgov"
PHELAN_1 = FIX / "biomcp" / "search_phelan_limit5_20260811.json"
PHELAN_2 = FIX / "biomcp" / "search_phelan_next_20260811.json"
PHELAN_50 = FIX / "biomcp" / "search_phelan_limit50_20260811.json"
STUDY_02576665 = FIX / "biomcp" / "get_nct02576665_20260811.json"
QUERY = SearchQuery(cond_terms=("Phelan-McDermid Syndrome",))


def body(path: Path) -> Any:
    return json.loads(path.read_bytes())


def ok(path: Path) -> httpx.Response:
    return httpx.Response(
        200, content=path.read_bytes(), headers={"Content-Type": "application/json"}
    )


class FakeTime:
    """A monotonic clock that only moves when the client sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def _no_stamina_backoff() -> Iterator[None]:
    # stamina's own jittered waits become 0 (attempt limits kept: cap=True); the Retry-After wait
    # goes through the client's injected sleep, so it stays observable.
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def make_client(fake_time: FakeTime, **kw: Any) -> CtgovClient:
    kw.setdefault("max_attempts", 4)
    kw.setdefault("retry_total_s", 30.0)
    return CtgovClient(base_url=BASE, sleep=fake_time.sleep, clock=fake_time.clock, **kw)


def params_of(call: Any) -> dict[str, str]:
    return dict(call.request.url.params)


def test_search_follows_next_page_token_and_dedupes(
    api: respx.MockRouter, fake_time: FakeTime
) -> None:
    """Paging repeats the first page's params plus pageToken and merges pages without duplicates."""
    # Constructed sequence of real bodies: the recorded first and second pages, then the recorded
    # pageSize=50 response (no nextPageToken, repeats 3 studies of page 1) as a terminal page.
    route = api.get("/studies").mock(side_effect=[ok(PHELAN_1), ok(PHELAN_2), ok(PHELAN_50)])
    with make_client(fake_time, page_size=5) as client:
        trials = client.search(QUERY)

    assert route.call_count == 3
    first, second, third = (params_of(c) for c in route.calls)
    assert "pageToken" not in first
    assert second == {**first, "pageToken": body(PHELAN_1)["nextPageToken"]}
    assert third == {**first, "pageToken": body(PHELAN_2)["nextPageToken"]}
    ids = [t.nct_id for t in trials]
    assert len(ids) == len(set(ids)) == 10
    assert ids[:5] == [
        s["protocolSection"]["identificationModule"]["nctId"] for s in body(PHELAN_1)["studies"]
    ]


def test_search_sends_only_sanitised_quoted_terms(
    api: respx.MockRouter, fake_time: FakeTime
) -> None:
    """A hostile diagnosis reaches the API only as one quoted phrase with Essie syntax stripped."""
    route = api.get("/studies").mock(return_value=ok(PHELAN_50))
    hostile = SearchQuery(cond_terms=('x" OR AREA[Phase]PHASE1 ) AND (', "rhabdomyosarcoma"))
    with make_client(fake_time) as client:
        client.search(hostile)
    params = params_of(route.calls[0])
    assert params["query.cond"] == '"x OR AREA Phase PHASE1 AND" OR "rhabdomyosarcoma"'
    assert params["fields"] == FIELDS_PARAM
    assert set(params) == {"format", "markupFormat", "query.cond", "fields", "pageSize"}
    assert "[" not in params["query.cond"]
    assert "(" not in params["query.cond"]


def test_user_agent_and_explicit_timeouts(api: respx.MockRouter, fake_time: FakeTime) -> None:
    """Every request names trialmatch in User-Agent and asks for JSON."""
    route = api.get("/version").mock(return_value=httpx.Response(200, json={}))
    with make_client(fake_time) as client:
        client.data_version()
    assert route.calls[0].request.headers["User-Agent"].startswith("trialmatch/")


def test_data_version_reads_data_timestamp(api: respx.MockRouter, fake_time: FakeTime) -> None:
    """data_version() returns /version's dataTimestamp, and None when the API omits it."""
    # Body shape quoted from api-evangelist's recorded /version answer (docs/research/ctgov-api.md,
    # section 2).
    api.get("/version").mock(
        side_effect=[
            httpx.Response(
                200, json={"apiVersion": "2.0.5", "dataTimestamp": "2026-09-04T09:00:06"}
            ),
            httpx.Response(200, json={"apiVersion": "2.0.5"}),
        ]
    )
    with make_client(fake_time) as client:
        assert client.data_version() == "2026-09-04T09:00:06"
        assert client.data_version() is None


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_final_statuses_surface_plain_text_body_without_retry(
    api: respx.MockRouter, fake_time: FakeTime, status: int
) -> None:
    """400/403/404 (and other non-retryable statuses) raise UpstreamRejected with the body, once."""
    # Body text: the real 400 message quoted in Biomni PR #328; status and headers constructed.
    text = "`filter.phase` is unknown parameter"
    route = api.get("/studies").mock(
        return_value=httpx.Response(status, text=text, headers={"Content-Type": "text/plain"})
    )
    with make_client(fake_time) as client, pytest.raises(UpstreamRejected) as err:
        client.search(QUERY)
    assert err.value.status_code == status
    assert err.value.body == text
    assert route.call_count == 1
    assert fake_time.sleeps == []


def test_get_study_404_is_final(api: respx.MockRouter, fake_time: FakeTime) -> None:
    """An unknown NCT id is a final UpstreamRejected(404), not retried."""
    route = api.get("/studies/NCT00000001").mock(return_value=httpx.Response(404, text="Not found"))
    with make_client(fake_time) as client, pytest.raises(UpstreamRejected) as err:
        client.get_study("NCT00000001")
    assert err.value.status_code == 404
    assert route.call_count == 1


def test_429_retry_after_seconds_is_honoured(api: respx.MockRouter, fake_time: FakeTime) -> None:
    """A 429 with Retry-After: 2 makes the client wait at least 2 s, then retry once and succeed."""
    route = api.get("/studies").mock(
        side_effect=[
            httpx.Response(429, text="slow down", headers={"Retry-After": "2"}),
            ok(PHELAN_50),
        ]
    )  # constructed 429
    with make_client(fake_time) as client:
        trials = client.search(QUERY)
    assert route.call_count == 2
    assert len(trials) == 3
    assert fake_time.sleeps == [2.0]  # exactly the server's hint, through the injected sleep


def test_429_retry_after_http_date_is_measured_against_server_date() -> None:
    """Retry-After as an HTTP-date is converted to seconds relative to the response's Date."""
    # Constructed headers.
    response = httpx.Response(
        429,
        headers={
            "Date": "Wed, 26 Nov 2026 20:00:00 GMT",
            "Retry-After": "Wed, 26 Nov 2026 20:00:03 GMT",
        },
    )
    assert retry_after_seconds(response) == 3.0
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"})) is None


def test_retry_after_beyond_budget_hands_over_to_the_task(
    api: respx.MockRouter, fake_time: FakeTime
) -> None:
    """A Retry-After beyond the remaining budget raises RateLimited at once, with the hint."""
    route = api.get("/studies").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "120"})
    )  # constructed 429
    with make_client(fake_time, retry_total_s=30.0) as client, pytest.raises(RateLimited) as err:
        client.search(QUERY)
    assert err.value.retry_after == 120.0
    assert route.call_count == 1
    assert fake_time.sleeps == []


def test_persistent_503_is_bounded_then_unavailable(
    api: respx.MockRouter, fake_time: FakeTime
) -> None:
    """A 503 that never clears is tried max_attempts times, then raises UpstreamUnavailable."""
    route = api.get("/studies").mock(return_value=httpx.Response(503, text="busy"))  # constructed
    before = _stamina_retries()
    with make_client(fake_time, max_attempts=3) as client, pytest.raises(UpstreamUnavailable):
        client.search(QUERY)
    assert route.call_count == 3
    assert _stamina_retries() - before == 2  # stamina's own counter, not one of ours


def _stamina_retries() -> float:
    """Every sample of stamina's retry counter (labelled by callable, retry number, error)."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "stamina_retries"
        for sample in metric.samples
        if sample.name == "stamina_retries_total"
    )


@pytest.mark.parametrize(
    "error", [httpx.ReadTimeout, httpx.ConnectError, httpx.RemoteProtocolError]
)
def test_transport_errors_are_retried_then_raised(
    api: respx.MockRouter, fake_time: FakeTime, error: type[Exception]
) -> None:
    """Read timeouts, connect errors and resets are retried, then raise UpstreamUnavailable."""
    route = api.get("/studies").mock(side_effect=error("constructed failure"))
    with make_client(fake_time, max_attempts=3) as client, pytest.raises(UpstreamUnavailable):
        client.search(QUERY)
    assert route.call_count == 3


def test_transient_timeout_then_success(api: respx.MockRouter, fake_time: FakeTime) -> None:
    """One read timeout followed by a good answer returns the answer."""
    route = api.get("/studies").mock(side_effect=[httpx.ReadTimeout("constructed"), ok(PHELAN_50)])
    with make_client(fake_time) as client:
        assert len(client.search(QUERY)) == 3
    assert route.call_count == 2


def test_invalid_json_is_a_schema_error(api: respx.MockRouter, fake_time: FakeTime) -> None:
    """A 200 whose body is not JSON raises UpstreamSchemaError and is not retried."""
    route = api.get("/studies").mock(
        return_value=httpx.Response(200, text="<html>maintenance</html>")
    )
    with make_client(fake_time) as client, pytest.raises(UpstreamSchemaError) as err:
        client.search(QUERY)
    assert err.value.field == "body"
    assert route.call_count == 1


@pytest.mark.parametrize(
    "second",
    [
        httpx.Response(500, text="constructed: internal error"),
        httpx.Response(200, text="{not json"),
        httpx.Response(200, json={"studies": "constructed wrong type"}),
    ],
)
def test_page_two_failure_returns_nothing(
    api: respx.MockRouter, fake_time: FakeTime, second: httpx.Response
) -> None:
    """If any later page fails or is malformed, search raises and returns no partial list."""
    api.get("/studies").mock(side_effect=[ok(PHELAN_1), second])
    result: list[object] | None = None
    with (
        make_client(fake_time, page_size=5) as client,
        pytest.raises((UpstreamRejected, UpstreamSchemaError)),
    ):
        result = list(client.search(QUERY))
    assert result is None


def test_expired_page_token_restarts_paging_from_the_first_page(
    api: respx.MockRouter, fake_time: FakeTime
) -> None:
    """A 400 on page 2 (token outlived the daily refresh) restarts paging once from page 1."""
    # Constructed order around real pages: page 1, a 400 for its token, then page 1 and page 2.
    expired = httpx.Response(400, text="constructed: invalid pageToken")
    route = api.get("/studies").mock(
        side_effect=[ok(PHELAN_1), expired, ok(PHELAN_1), ok(PHELAN_50)]
    )
    with make_client(fake_time, page_size=5) as client:
        trials = client.search(QUERY)
    assert route.call_count == 4
    assert "pageToken" not in params_of(route.calls[2])
    expected = {s["protocolSection"]["identificationModule"]["nctId"]
                for page in (PHELAN_1, PHELAN_50) for s in body(page)["studies"]}  # fmt: skip
    assert {t.nct_id for t in trials} == expected


def test_page_token_rejected_twice_surfaces_the_400(
    api: respx.MockRouter, fake_time: FakeTime
) -> None:
    """A second rejection is final: the plain-text 400 surfaces and no partial list is returned."""
    expired = httpx.Response(400, text="constructed: invalid pageToken")
    route = api.get("/studies").mock(side_effect=[ok(PHELAN_1), expired, ok(PHELAN_1), expired])
    with make_client(fake_time, page_size=5) as client, pytest.raises(UpstreamRejected) as err:
        client.search(QUERY)
    assert err.value.status_code == 400
    assert "invalid pageToken" in err.value.body
    assert route.call_count == 4


def test_repeated_page_token_is_refused(api: respx.MockRouter, fake_time: FakeTime) -> None:
    """A page token the API already gave is a loop, reported as a schema error."""
    # Constructed: the recorded first page served twice.
    api.get("/studies").mock(side_effect=[ok(PHELAN_1), ok(PHELAN_1)])
    with make_client(fake_time) as client, pytest.raises(UpstreamSchemaError) as err:
        client.search(QUERY)
    assert err.value.field == "nextPageToken"


def test_get_study_follows_alias_redirect_to_canonical_id(
    api: respx.MockRouter, fake_time: FakeTime
) -> None:
    """A 301 for an alias id is followed and the study comes back under its canonical NCT id."""
    # Constructed redirect: NCT99999999 stands in for an NCTIdAlias of the recorded NCT02576665.
    alias = api.get("/studies/NCT99999999").mock(
        return_value=httpx.Response(301, headers={"Location": f"{BASE}/studies/NCT02576665"})
    )
    canonical = api.get("/studies/NCT02576665").mock(return_value=ok(STUDY_02576665))
    with make_client(fake_time) as client:
        trial = client.get_study("NCT99999999")
    assert trial.nct_id == "NCT02576665"
    assert alias.call_count == canonical.call_count == 1
    assert params_of(alias.calls[0])["fields"] == FIELDS_PARAM


def test_redirect_off_the_api_host_is_refused(fake_time: FakeTime) -> None:
    """A redirect to another host is not trusted."""
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{BASE}/studies/NCT99999999").mock(
            return_value=httpx.Response(
                301, headers={"Location": "https://example.org/NCT02576665"}
            )
        )  # constructed
        router.get("https://example.org/NCT02576665").mock(return_value=ok(STUDY_02576665))
        with (
            make_client(fake_time) as client,
            pytest.raises(FinalUpstreamError, match="off the API"),
        ):
            client.get_study("NCT99999999")


def test_get_study_rejects_non_nct_ids_before_any_request(
    api: respx.MockRouter, fake_time: FakeTime
) -> None:
    """An id that is not NCT + 8 digits never reaches the network."""
    route = api.get(url__regex=r".*").mock(return_value=httpx.Response(200, json={}))
    with make_client(fake_time) as client, pytest.raises(ValueError, match="not an NCT id"):
        client.get_study("../version")
    assert route.call_count == 0


def test_logs_carry_no_query_terms(
    api: respx.MockRouter, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    """No log line (ours or httpx's) contains the searched condition terms."""
    api.get("/studies").mock(return_value=ok(PHELAN_50))
    with caplog.at_level("DEBUG"), make_client(fake_time) as client:
        client.search(SearchQuery(cond_terms=("Rhabdomyosarcoma",)))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert any(r.name == "httpx" for r in caplog.records)  # httpx did log, with the query cut
    assert "/studies" in text
    assert "Rhabdomyosarcoma" not in text


def test_503_retry_after_is_honoured_too(api: respx.MockRouter, fake_time: FakeTime) -> None:
    """A 503 carrying Retry-After waits that long (through the injected sleep) before retrying."""
    route = api.get("/studies").mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": "3"}), ok(PHELAN_50)]
    )  # constructed 503
    with make_client(fake_time) as client:
        assert len(client.search(QUERY)) == 3
    assert route.call_count == 2
    assert fake_time.sleeps == [3.0]
