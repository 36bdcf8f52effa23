"""The printable report: every section present, untrusted text escaped, changes since last time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from matcher.domain.models.match import CriterionResult, RankInfo
from tests.api.conftest import ApiEnv, push_change, sample_run, store_run

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> Age ≥ 12 months & < 22 years'


def test_report_renders_every_section_and_escapes_registry_text(api_env: ApiEnv) -> None:
    """Summary, ranked trials, checklist marks, nearest site and changes all render, escaped."""
    pid = api_env.create("TB-report")["profile_id"]
    store_run(api_env, sample_run(pid, criterion_text=HOSTILE))
    push_change(api_env, pid, datetime.now(UTC) - timedelta(hours=1), "new_trial",
                "NCT01000001", "<b>opened</b> at CHOP")  # fmt: skip
    res = api_env.client.get(f"/v1/profiles/{pid}/report", headers=api_env.a)
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/html")
    assert "script-src" not in res.headers["content-security-policy"]
    html = res.text
    # summary (pseudonymous: no coordinates)
    assert 'id="summary"' in html
    assert "synovial sarcoma" in html
    assert "14 y 3 m" in html
    assert "39.9489" not in html
    assert "-75.1932" not in html
    assert "800 km" in html  # the travel limit instead
    # ranked trials in order, with verdicts
    ranked = html.index('id="ranked"')
    assert html.index("NCT01000001", ranked) < html.index("NCT01000002", ranked)
    assert html.index("NCT01000002", ranked) < html.index("NCT01000003", ranked)
    assert "Possibly eligible" in html
    assert "Not eligible" in html
    # checklist marks
    checklist = html[html.index('id="checklists"') :]
    assert 'title="met">✓</td>' in checklist
    assert 'title="to verify">?</td>' in checklist
    excluded = html[html.index('id="excluded"') :]
    assert '<span class="sym">✗</span> age 14 y is below 18 years' in excluded
    assert "Adequate cardiac function" in checklist
    # nearest site with distance
    assert "Children&#39;s Hospital of Philadelphia" in html
    assert "1 km" in html
    assert "2,500 km" in html
    # changes since the last report
    changes = html[html.index('id="changes"') : ranked]
    assert "new trial" in changes
    assert "NCT01000001" in changes
    assert "&lt;b&gt;opened&lt;/b&gt;" in changes
    # escaping of untrusted text
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&amp; &lt; 22 years" in html
    assert "@media print" in html


def test_report_views_change_nothing_and_review_is_an_explicit_action(api_env: ApiEnv) -> None:
    """Two GETs list the same changes and write nothing; after POST .../reviewed only changes
    logged after that action are listed, with the meeting's date."""
    pid = api_env.create("TB-report-2")["profile_id"]
    store_run(api_env, sample_run(pid))
    push_change(api_env, pid, datetime.now(UTC) - timedelta(days=1), "new_trial",
                "NCT01000001", "old news")  # fmt: skip
    url = f"/v1/profiles/{pid}/report"
    marker = f"{api_env.store.keys.prefix}report:{pid}:last"
    before = api_env.data_keys()
    first = api_env.client.get(url, headers=api_env.a).text
    second = api_env.client.get(url, headers=api_env.a).text
    assert "old news" in first
    assert "old news" in second
    assert "Not yet marked reviewed" in second
    assert api_env.data_keys() == before  # a view wrote no key
    assert not api_env.store.r.exists(marker)
    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    res = api_env.client.post(
        f"/v1/profiles/{pid}/reviewed", json={"meeting_date": day}, headers=api_env.a
    )
    assert res.status_code == 200, res.text
    assert res.json()["meeting_date"] == day
    third = api_env.client.get(url, headers=api_env.a).text
    assert "old news" not in third
    assert "No changes since the last review" in third
    assert f"at the meeting of {day}" in third
    push_change(api_env, pid, datetime.now(UTC), "new_trial", "NCT01000002", "fresh news")
    fourth = api_env.client.get(url, headers=api_env.a).text
    fifth = api_env.client.get(url, headers=api_env.a).text
    assert "fresh news" in fourth
    assert "fresh news" in fifth
    assert "old news" not in fourth
    assert api_env.store.r.ttl(marker) > 0  # expires with the profile


def test_review_refuses_a_future_meeting_and_other_boards(api_env: ApiEnv) -> None:
    """A meeting date in the future is a 422 naming meeting_date; another board's profile 404s."""
    pid = api_env.create("TB-report-3b")["profile_id"]
    future = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    res = api_env.client.post(
        f"/v1/profiles/{pid}/reviewed", json={"meeting_date": future}, headers=api_env.a
    )
    assert res.status_code == 422
    assert res.json()["detail"][0]["field"] == "meeting_date"
    res = api_env.client.post(f"/v1/profiles/{pid}/reviewed", json={}, headers=api_env.b)
    assert res.status_code == 404
    assert not api_env.store.r.exists(f"{api_env.store.keys.prefix}report:{pid}:last")


def test_report_before_matching_says_so(api_env: ApiEnv) -> None:
    """A report of a profile not yet matched renders the summary and says matching is pending."""
    pid = api_env.create("TB-report-3")["profile_id"]
    res = api_env.client.get(f"/v1/profiles/{pid}/report", headers=api_env.a)
    assert res.status_code == 200
    assert "still being matched" in res.text
    assert 'id="summary"' in res.text


def test_report_shows_not_applicable_criteria_and_run_warnings(api_env: ApiEnv) -> None:
    """A not_applicable criterion renders as "does not apply" (not as to verify) and a run
    warning (unrecognised diagnosis) is printed in the warnings section."""
    pid = api_env.create("TB-report-na")["profile_id"]
    run = sample_run(pid)
    first = run.results[0]
    na = CriterionResult(
        kind="pregnancy", text="Females who are pregnant or breast-feeding",
        verdict="not_applicable", reason="pregnancy/lactation rule: applies to female patients",
        section="exclusion", rule_id="pregnancy/other_sex", guard=None,
    )  # fmt: skip
    patched = first.model_copy(update={"criteria": [*first.criteria, na]})
    warning = "diagnosis 'synovial sarcoam' is not in the vocabulary"
    store_run(
        api_env,
        run.model_copy(update={"results": [patched, *run.results[1:]], "warnings": [warning]}),
    )
    html = api_env.client.get(f"/v1/profiles/{pid}/report", headers=api_env.a).text
    checklist = html[html.index('id="checklists"') :]
    assert 'title="does not apply">–</td>' in checklist
    assert "pregnancy/lactation rule: applies to female patients" in checklist
    assert "1 –)" in checklist
    warnings = html[html.index('id="warnings"') : html.index('id="ranked"')]
    assert "synovial sarcoam" in warnings


def test_report_shows_the_runs_warnings(api_env: ApiEnv) -> None:
    """A run judged on an old assessment shows its warning in the report; a clean run shows no
    warnings section."""
    pid = api_env.create("TB-report-4")["profile_id"]
    warning = "assessed_on is 200 days before the evaluation date (more than 90): update it"
    store_run(api_env, sample_run(pid).model_copy(update={"warnings": [warning]}))
    html = api_env.client.get(f"/v1/profiles/{pid}/report", headers=api_env.a).text
    assert 'id="warnings"' in html
    assert warning in html
    clean = api_env.create("TB-report-5")["profile_id"]
    store_run(api_env, sample_run(clean))
    html = api_env.client.get(f"/v1/profiles/{clean}/report", headers=api_env.a).text
    assert 'id="warnings"' not in html


def test_report_shows_why_each_trial_ranks_where_it_does(api_env: ApiEnv) -> None:
    """A ranked trial with rank parts shows "Why this rank" with its parts in the report, and
    the score with two decimals (constructed run)."""
    pid = api_env.create("TB-report-why")["profile_id"]
    run = sample_run(pid)
    why = ["verdict: eligible", "criteria read in full", "written for synovial sarcoma",
           "0 open question(s)", "open to enrolment"]  # fmt: skip
    rank = RankInfo(criteria_in_record=True, targeted_fit=why[2], is_open=True, why=why)
    first = run.results[0].model_copy(update={"rank": rank, "score": 2.9123})
    store_run(api_env, run.model_copy(update={"results": [first, *run.results[1:]]}))
    html = api_env.client.get(f"/v1/profiles/{pid}/report", headers=api_env.a).text
    ranked = html[html.index('id="ranked"') :]
    assert (
        "Why this rank: criteria read in full; written for synovial sarcoma; 0 open question(s); "
        "open to enrolment" in ranked
    )
    assert "2.91" in ranked


def test_an_old_view_marker_is_not_a_review(api_env: ApiEnv) -> None:
    """A marker left by the earlier version (a bare time, moved by each view) hides nothing:
    the report lists every change and says the profile is not yet reviewed."""
    pid = api_env.create("TB-report-legacy")["profile_id"]
    store_run(api_env, sample_run(pid))
    push_change(api_env, pid, datetime.now(UTC) - timedelta(days=2), "new_trial",
                "NCT01000001", "older news")  # fmt: skip
    marker = f"{api_env.store.keys.prefix}report:{pid}:last"
    api_env.store.r.set(marker, (datetime.now(UTC) - timedelta(days=1)).isoformat())
    html = api_env.client.get(f"/v1/profiles/{pid}/report", headers=api_env.a).text
    assert "older news" in html
    assert "Not yet marked reviewed" in html
