"""The CT.gov stub speaks the search syntax trialmatch uses and refuses what the API refuses.

Served over loopback from real records of the bundled snapshot; the matching rules themselves are
the stub's simplification (tests/support/essie.py), which these tests pin.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.ctgov_stub import CtgovStub
from tests.support.procs import SNAPSHOT


@pytest.fixture(scope="module")
def stub() -> Iterator[CtgovStub]:
    s = CtgovStub(SNAPSHOT / "records")
    try:
        yield s
    finally:
        s.close()


def get(stub: CtgovStub, **params: str) -> httpx.Response:
    return httpx.get(f"{stub.url}/studies", params=params, timeout=10)


def ids(stub: CtgovStub, **params: str) -> set[str]:
    response = get(stub, pageSize="1000", fields="NCTId", **params)
    assert response.status_code == 200, response.text
    return {
        s["protocolSection"]["identificationModule"]["nctId"] for s in response.json()["studies"]
    }


def test_phrases_or_and_not_and_parentheses(stub: CtgovStub) -> None:
    """OR widens, AND and NOT narrow, parentheses group, a phrase needs adjacent words."""
    rms = ids(stub, **{"query.cond": '"rhabdomyosarcoma"'})
    ewing = ids(stub, **{"query.cond": '"ewing sarcoma"'})
    either = ids(stub, **{"query.cond": '"rhabdomyosarcoma" OR "ewing sarcoma"'})
    assert rms
    assert ewing
    assert either == rms | ewing
    both = ids(stub, **{"query.cond": '("rhabdomyosarcoma" AND "ewing sarcoma")'})
    assert both == rms & ewing
    assert ids(stub, **{"query.cond": '"rhabdomyosarcoma" NOT "ewing sarcoma"'}) == rms - ewing


def test_area_range_and_missing(stub: CtgovStub) -> None:
    """AREA scopes a term to a field; RANGE compares ages; MISSING finds an absent field."""
    crit = ids(stub, **{"query.term": 'AREA[EligibilityCriteria]"infantile fibrosarcoma"'})
    assert "NCT02637687" in crit  # named only in its criteria
    assert "NCT02637687" not in ids(stub, **{"query.cond": '"infantile fibrosarcoma"'})
    missing = ids(stub, **{"query.term": "AREA[MinimumAge]MISSING"})
    young = ids(stub, **{"query.term": "AREA[MinimumAge]RANGE[MIN, 17 years]"})
    adult = ids(stub, **{"query.term": "AREA[MinimumAge]RANGE[18 years, MAX]"})
    assert "NCT04851119" in young
    assert "NCT04851119" not in missing
    assert "NCT03138161" in adult
    assert "NCT03138161" not in young
    assert not (missing & young)
    assert not (young & adult)


def test_filter_ids_paging_and_count_total(stub: CtgovStub) -> None:
    """filter.ids selects; countTotal counts on the first page only; tokens page through."""
    body = get(stub, pageSize="20", countTotal="true", fields="NCTId").json()
    total, seen, token = body["totalCount"], len(body["studies"]), body["nextPageToken"]
    while token:
        page = get(stub, pageSize="20", countTotal="true", fields="NCTId", pageToken=token).json()
        assert "totalCount" not in page
        seen += len(page["studies"])
        token = page.get("nextPageToken")
    assert seen == total == 50
    assert ids(stub, **{"filter.ids": "NCT02637687|NCT04851119|NCT99999999"}) == {
        "NCT02637687", "NCT04851119"}  # fmt: skip


def test_fields_projection_is_sparse(stub: CtgovStub) -> None:
    """Only the requested pieces come back (the sweep's three-field listing)."""
    study: dict[str, Any] = get(
        stub, fields="NCTId|OverallStatus|LastUpdatePostDate", **{"filter.ids": "NCT02637687"}
    ).json()["studies"][0]
    assert study == {"protocolSection": {
        "identificationModule": {"nctId": "NCT02637687"},
        "statusModule": {"overallStatus": "RECRUITING"}}}  # fmt: skip


def test_page_token_dies_with_the_data_version(stub: CtgovStub) -> None:
    """A token issued before the daily refresh is refused with 400, as the API's."""
    token = get(stub, pageSize="5").json()["nextPageToken"]
    stub.data_version = "2026-11-27T09:00:00"
    try:
        assert get(stub, pageSize="5", pageToken=token).status_code == 400
    finally:
        stub.data_version = "2026-11-26T09:00:00"


@pytest.mark.parametrize(
    "params",
    [
        {"filter.phase": "PHASE1"},
        {"query.cond": '"sarcoma" OR'},
        {"query.cond": '("sarcoma"'},
        {"query.term": "AREA[NoSuchField]x"},
        {"query.term": "AREA[MinimumAge]RANGE[MIN]"},
        {"filter.overallStatus": "RECRUTING"},
        {"filter.ids": "NCT1 OR 1"},
        {"fields": "NCTId|StudyDesign"},
        {"countTotal": "yes"},
    ],
)
def test_unknown_parameters_and_malformed_expressions_get_400(
    stub: CtgovStub, params: dict[str, str]
) -> None:
    """What the API refuses, the stub refuses: 400 with a plain-text reason."""
    response = get(stub, **params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text
