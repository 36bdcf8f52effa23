"""Paging: the count the API announces must be what arrives; a stale page token restarts once.

Pages are constructed from real records of the bundled snapshot (studies unchanged; the page
envelopes, counts and tokens are constructed).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from matcher.adapters.ctgov.paging import collect_pages
from matcher.errors import UpstreamRejected, UpstreamUnavailable
from tests.support.procs import SNAPSHOT

A, B, C = (
    json.loads((SNAPSHOT / "records" / f"{n}.json").read_text())
    for n in ("NCT02637687", "NCT04851119", "NCT05642455")
)
COUNTED = {"query.term": "x", "countTotal": "true"}


def test_fewer_studies_than_counted_is_refused_as_retryable() -> None:
    """A short corpus (the data moved while paging) is not a result: UpstreamUnavailable."""
    pages = iter([{"studies": [A, B], "totalCount": 3, "nextPageToken": "2"}, {"studies": []}])
    with pytest.raises(UpstreamUnavailable, match="received 2 studies, the API counted 3"):
        collect_pages(lambda p: next(pages), COUNTED)


def test_count_matches_across_pages_and_duplicates_are_merged() -> None:
    """Three studies over two pages, one repeated, equal the announced three."""
    pages = iter([
        {"studies": [A, B], "totalCount": 3, "nextPageToken": "2"},
        {"studies": [B, C]},
    ])  # fmt: skip
    found = collect_pages(lambda p: next(pages), COUNTED)
    assert [s["protocolSection"]["identificationModule"]["nctId"] for s in found] == [
        "NCT02637687", "NCT04851119", "NCT05642455"]  # fmt: skip


def test_stale_page_token_restarts_from_the_first_page_once() -> None:
    """A 400 on page 2 (the daily refresh) pages again from page 1; the second run succeeds."""
    calls: list[dict[str, str]] = []
    script: list[Any] = [
        {"studies": [A], "totalCount": 2, "nextPageToken": "1"},
        UpstreamRejected(400, "invalid pageToken", "/studies"),
        {"studies": [A], "totalCount": 2, "nextPageToken": "1"},
        {"studies": [B]},
    ]

    def fetch(params: dict[str, str]) -> Any:
        calls.append(params)
        step = script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    assert len(collect_pages(fetch, COUNTED)) == 2
    assert ["pageToken" in c for c in calls] == [False, True, False, True]
