"""The population corpus query: built from the term data only, statuses, size limits."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import httpx
import pytest

from matcher.adapters.ctgov.corpus_query import CorpusQuery, ids_params, load_terms, terms_from

OPEN = ["RECRUITING", "NOT_YET_RECRUITING", "AVAILABLE"]


def raw_terms() -> dict[str, Any]:
    text = resources.files("matcher.adapters.ctgov").joinpath("data/corpus_terms.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def test_statuses_include_expanded_access_and_invitation() -> None:
    """The status filter adds AVAILABLE and ENROLLING_BY_INVITATION to the open statuses."""
    params = CorpusQuery.for_deployment(["RECRUITING"], any_status=False).params()
    assert set(params["filter.overallStatus"].split("|")) == {
        "RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"}  # fmt: skip


def test_any_status_sends_no_status_filter() -> None:
    """With any_status the live query asks for every status."""
    params = CorpusQuery.for_deployment(OPEN, any_status=True).params()
    assert "filter.overallStatus" not in params
    assert params["countTotal"] == "true"
    assert params["pageSize"] == "1000"


def test_expression_has_every_branch_and_the_young_limit() -> None:
    """Sarcoma family unrestricted; generic, alteration, drug and criteria branches age-limited."""
    q = CorpusQuery.for_deployment(OPEN, any_status=False)
    branches = q.branches()
    assert branches["sarcoma family"].startswith('AREA[ConditionSearch]("sarcoma" OR')
    assert "AREA[StdAge]" not in branches["sarcoma family"]
    for name in ("generic condition, young", "alteration in criteria, young",
                 "targeted drug, young", "sarcoma named in criteria, young"):  # fmt: skip
        assert "AREA[StdAge]CHILD OR AREA[MinimumAge]MISSING" in branches[name]
        assert "AREA[MinimumAge]RANGE[MIN, 17 years]" in branches[name]
    assert '"fibromatosis"' in q.expression()
    assert '"larotrectinib"' in q.expression()
    assert '"NTRK"' in branches["alteration in criteria, young"]


def test_request_line_stays_under_8_kilobytes() -> None:
    """The whole first-page URL fits common 8 kB request-line limits (nginx default)."""
    for any_status in (True, False):
        params = CorpusQuery.for_deployment(OPEN, any_status).params()
        url = httpx.URL("https://clinicaltrials.gov/api/v2/studies", params=params)
        assert len(str(url)) < 8000


def test_key_changes_with_statuses_not_with_order() -> None:
    """The corpus key names the query: other statuses, other corpus."""
    a = CorpusQuery.for_deployment(["RECRUITING", "NOT_YET_RECRUITING"], False).key()
    b = CorpusQuery.for_deployment(["NOT_YET_RECRUITING", "RECRUITING"], False).key()
    c = CorpusQuery.for_deployment(["RECRUITING"], True).key()
    assert a == b != c


@pytest.mark.parametrize(
    ("key", "bad"),
    [("sarcoma_family", 'x" OR AREA[Phase]PHASE1'), ("drugs", "OR"), ("alterations", "(ALK")],
)
def test_term_file_refuses_syntax_in_terms(key: str, bad: str) -> None:
    """A term carrying quotes, brackets or a bare operator is refused when the data loads."""
    raw = raw_terms()
    raw[key] = [*raw[key], bad]
    with pytest.raises(ValueError, match=key):
        terms_from(raw)


def test_term_file_refuses_unknown_status_and_bad_age() -> None:
    """A misspelt status or an unreadable age limit in the data file is refused."""
    raw = raw_terms()
    raw["extra_statuses"] = ["AVAILABLE", "AVIALABLE"]
    with pytest.raises(ValueError, match="AVIALABLE"):
        terms_from(raw)
    raw = raw_terms()
    raw["young"]["max_minimum_age"] = "17 years] OR (x"
    with pytest.raises(ValueError, match="max_minimum_age"):
        terms_from(raw)


def test_shipped_term_file_loads() -> None:
    """The bundled term lists pass their own checks and are non-trivial."""
    terms = load_terms()
    assert len(terms.sarcoma_family) > 40
    assert "AVAILABLE" in terms.extra_statuses


def test_ids_batch_is_bounded_and_checked() -> None:
    """filter.ids takes 1..200 NCT ids, nothing else."""
    assert ids_params(["NCT02637687"])["filter.ids"] == "NCT02637687"
    with pytest.raises(ValueError, match="ids per batch"):
        ids_params([])
    with pytest.raises(ValueError, match="NCT ids only"):
        ids_params(["NCT1 OR x"])
    with pytest.raises(ValueError, match="ids per batch"):
        ids_params([f"NCT{i:08d}" for i in range(1, 202)])
