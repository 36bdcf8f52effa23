"""How a search becomes request parameters: sanitised terms, validated enums, no age filter."""

from __future__ import annotations

from datetime import date

import pytest

from matcher.adapters.ctgov.query import FIELDS, SearchQuery, sanitize_term

HOSTILE = 'x" OR AREA[Phase]PHASE1 ) AND ('


def test_terms_are_quoted_and_or_joined() -> None:
    """query.cond is an OR of double-quoted phrases, de-duplicated case-insensitively."""
    q = SearchQuery(cond_terms=("Rhabdomyosarcoma", "synovial sarcoma", "rhabdomyosarcoma"))
    assert q.to_params(1000)["query.cond"] == '"Rhabdomyosarcoma" OR "synovial sarcoma"'


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (HOSTILE, "x OR AREA Phase PHASE1 AND"),
        ("Ewing's sarcoma", "Ewing's sarcoma"),
        ("PEComa/EPN", "PEComa/EPN"),
        ("small-round-cell tumour", "small-round-cell tumour"),
        (
            '"quoted"  (brackets) [area] {x} :: ~fuzzy^2 \\ back_slash',
            "quoted brackets area x fuzzy 2 back slash",
        ),
        ("AREA", ""),
        ("  ()[]  ", ""),
    ],
)
def test_sanitize_term_strips_essie_syntax(raw: str, clean: str) -> None:
    """Only letters, digits, space, hyphen, apostrophe and slash survive sanitising."""
    assert sanitize_term(raw) == clean


def test_hostile_text_cannot_leave_its_quotes() -> None:
    """User text appears in the request only inside one quoted phrase; no other param carries it."""
    params = SearchQuery(cond_terms=(HOSTILE,), statuses=("RECRUITING",)).to_params(100)
    assert params["query.cond"] == '"x OR AREA Phase PHASE1 AND"'
    assert params["query.cond"].count('"') == 2
    for name, value in params.items():
        if name != "query.cond":
            assert "PHASE1" not in value
            assert "x OR" not in value


def test_status_filter_is_validated_and_pipe_joined() -> None:
    """filter.overallStatus takes only Status enum values, pipe-joined; unknown ones are refused."""
    q = SearchQuery(cond_terms=("sarcoma",), statuses=("RECRUITING", "NOT_YET_RECRUITING"))
    assert q.to_params(10)["filter.overallStatus"] == "NOT_YET_RECRUITING|RECRUITING"
    with pytest.raises(ValueError, match="unknown overallStatus"):
        SearchQuery(cond_terms=("sarcoma",), statuses=("RECRUITING) OR (x",))


def test_updated_since_builds_range_from_the_date_only() -> None:
    """The update watermark becomes AREA[LastUpdatePostDate]RANGE[yyyy-mm-dd,MAX]."""
    q = SearchQuery(cond_terms=("sarcoma",), updated_since=date(2026, 1, 5))
    assert q.to_params(10)["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-01-05,MAX]"
    with pytest.raises(TypeError):
        SearchQuery(cond_terms=("sarcoma",), updated_since="2026-01-05 OR x")  # type: ignore[arg-type]


def test_no_server_side_age_filter_and_sparse_fields() -> None:
    """No age RANGE filter is sent (it drops trials without an age bound); fields= is sparse."""
    params = SearchQuery(cond_terms=("sarcoma",), statuses=("RECRUITING",)).to_params(1000)
    assert "MinimumAge" not in params.get("filter.advanced", "")
    assert "filter.advanced" not in params
    assert params["fields"].split("|") == list(FIELDS)
    assert params["pageSize"] == "1000"


def test_empty_or_oversized_queries_are_refused() -> None:
    """A query with no usable term, or a page size outside 1..1000, is refused up front."""
    with pytest.raises(ValueError, match="at least one"):
        SearchQuery(cond_terms=('"()"',)).to_params(10)
    with pytest.raises(ValueError, match="page_size"):
        SearchQuery(cond_terms=("sarcoma",)).to_params(5000)


def test_cache_key_is_stable_and_discriminating() -> None:
    """cache_key() is a short hash that depends on the request, not on term order noise."""
    a = SearchQuery(cond_terms=("sarcoma",), statuses=("RECRUITING", "NOT_YET_RECRUITING"))
    b = SearchQuery(cond_terms=("sarcoma",), statuses=("NOT_YET_RECRUITING", "RECRUITING"))
    c = SearchQuery(cond_terms=("osteosarcoma",))
    assert a.cache_key() == b.cache_key() != c.cache_key()
    assert len(a.cache_key()) == 20
