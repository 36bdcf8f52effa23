"""The report shows expanded access as such and how fresh each trial's status is."""

from __future__ import annotations

from tests.api.conftest import ApiEnv, sample_run, store_run


def test_report_names_expanded_access_and_the_status_confirmation_date(api_env: ApiEnv) -> None:
    """An AVAILABLE trial reads "expanded access"; every status carries its confirmation date."""
    pid = api_env.create("TB-status")["profile_id"]
    run = sample_run(pid)
    first = run.results[0].model_copy(
        update={"overall_status": "AVAILABLE", "status_confirmed": "2026-11-26T09:00:00"}
    )
    store_run(api_env, run.model_copy(update={"results": [first, *run.results[1:]]}))
    res = api_env.client.get(f"/v1/profiles/{pid}/report", headers=api_env.a)
    assert res.status_code == 200
    ranked = res.text[res.text.index('id="ranked"') :]
    row = ranked[ranked.index("NCT01000001") : ranked.index("NCT01000002")]
    assert "expanded access" in row
    assert "confirmed 2026-11-26" in row
    assert "available" not in row.lower().replace("expanded access", "")
