"""The extended profile (issue 9) end to end: API submission, a real Celery worker over a private
redis-server, the stored matches and facts to collect.

The profile is the constructed example profile (no real patient) with every issue-9 field given:
height, cardiac and organ panel, serology, other malignancy, tablets, corticosteroids, the
radiation field, and its systemic therapy in numbered lines with best responses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import board_client
from tests.support.profiles import example_body
from tests.support.stack import Stack

pytestmark = pytest.mark.integration
BOARD = "board-extended"
EXTENDED: dict[str, Any] = {
    "height_cm": 160, "lvef_percent": 62, "shortening_fraction_percent": 34, "qtc_ms": 420,
    "pulse_ox_percent": 98, "hiv": "negative", "hbv": "negative", "hcv": "negative",
    "other_malignancy": False, "swallows_tablets": True, "on_corticosteroids": False,
    "recurrence_in_radiation_field": False,
}  # fmt: skip
LINES = [
    {"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2025-09-01", "line": 1,
     "best_response": "partial_response"},
    {"agent": "doxorubicin", "category": "chemotherapy", "ended_on": "2025-09-01", "line": 1,
     "best_response": "partial_response"},
    {"agent": "pazopanib", "category": "targeted", "ended_on": "2026-09-01", "line": 2,
     "best_response": "progressive_disease"},
    {"category": "radiation", "site": "left thigh", "ended_on": "2025-07-15"},
    {"category": "surgery", "site": "left thigh", "ended_on": "2025-05-02"},
]  # fmt: skip
MORE_LABS = {"creatinine_clearance_mL_min": 110, "ast_x_uln": 0.9, "wbc_per_uL": 5200,
             "albumin_g_dL": 4.1, "inr": 1.0, "urine_protein_creatinine_ratio": 0.1}  # fmt: skip


def _extended(reference: str) -> dict[str, Any]:
    body = example_body(reference, prior_therapies=LINES, **EXTENDED)
    body["labs"] = {**body["labs"], **MORE_LABS}
    return body


def _given(body: dict[str, Any]) -> set[str]:
    """The profile fields a body sets, as facts.json names them ("labs.inr", "tumor.x")."""
    fields = {k for k, v in body.items() if v is not None and not isinstance(v, dict)}
    for nested in ("labs", "tumor"):
        fields |= {f"{nested}.{k}" for k, v in (body.get(nested) or {}).items() if v is not None}
    return fields - {"prior_therapies"}  # never complete, so it answers no history question


@pytest.fixture(scope="module")
def live(stack: Stack) -> Iterator[tuple[TestClient, dict[str, str], Stack]]:
    with board_client(stack, BOARD) as live:
        yield live


def _submit(live: tuple[TestClient, dict[str, str], Stack], body: dict[str, Any]) -> str:
    client, headers, st = live
    res = client.post("/v1/profiles", content=json.dumps(body), headers=headers)
    assert res.status_code == 202, res.text
    job = st.wait_job(res.json()["job_id"], timeout=120)
    assert job["status"] == "done", job
    return str(res.json()["profile_id"])


def _reasons(matches: dict[str, Any]) -> list[str]:
    return [c["reason"] for m in matches["results"] for c in m["criteria"]]


def test_the_worker_reads_the_extended_fields_and_stops_asking_for_them(
    live: tuple[TestClient, dict[str, str], Stack],
) -> None:
    """The stored matches cite the radiation field, the numbered lines, the best response and
    the other new fields; the facts to collect ask for none of the fields the profile gave,
    while the same profile without them is asked for some of them."""
    client, headers, st = live
    body = _extended("TB-ext-1")
    pid = _submit(live, body)
    matches = client.get(f"/v1/profiles/{pid}/matches", headers=headers).json()
    reasons = _reasons(matches)
    for cited in (
        "the profile says the recurrence lies outside previous radiation fields",
        "profile numbers 2 line(s) of systemic therapy",
        "best response to pazopanib (line 2): progressive disease",
        "swallows tablets",
        "not on corticosteroids",
        "no other malignancy",
        "HIV negative",
        "BSA 1.52 m²",
        "LVEF 62 vs >= 50",
    ):
        assert any(cited in r for r in reasons), cited
    assert st.store.read_matches(pid) is not None  # stored by the worker, read back by the API
    facts = client.get(f"/v1/profiles/{pid}/facts", headers=headers).json()["facts"]
    assert facts == matches["facts_to_collect"]
    assert facts, "the profile still leaves open questions"
    given = _given(body)
    asked = {f["field"] for f in matches["facts_to_collect"] if f["field"] is not None}
    assert not asked & given, asked & given

    bare = _submit(live, example_body("TB-ext-2"))
    bare_matches = client.get(f"/v1/profiles/{bare}/matches", headers=headers).json()
    bare_asked = {f["field"] for f in bare_matches["facts_to_collect"] if f["field"] is not None}
    assert bare_asked & given, "without the new fields the board is asked for some of them"
    assert not any("previous radiation field" in r for r in _reasons(bare_matches))
