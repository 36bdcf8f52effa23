"""Paging through `/studies`: every page, de-duplicated, all-or-nothing, counted.

A page token is tied to the registry's data version and stops working at its daily refresh: a
400 on a *later* page restarts the whole paging once from the first page. With `countTotal=true`
the number of studies received must equal the first page's `totalCount`, or the result is refused
(retryable): paging that lost or repeated studies while the data moved is not a corpus.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from matcher.adapters.ctgov.parse import raw_page, study_id
from matcher.errors import UpstreamRejected, UpstreamSchemaError, UpstreamUnavailable

log = logging.getLogger(__name__)

# The corpus is a handful of 1000-study pages; hundreds means a loop.
MAX_PAGES = 200

Fetch = Callable[[dict[str, str]], Any]  # one GET /studies with these params -> parsed JSON


class _PageTokenRejected(Exception):
    """A later page's token was refused (400): the data version moved under the paging."""

    def __init__(self, rejected: UpstreamRejected) -> None:
        super().__init__(str(rejected))
        self.rejected = rejected


def collect_pages(fetch: Fetch, params: dict[str, str]) -> list[Mapping[str, Any]]:
    """The raw study objects of every page, de-duplicated by NCT id; any failed page fails all."""
    try:
        return _pages(fetch, params)
    except _PageTokenRejected:
        log.info("page token rejected mid-search; paging again from the first page")
    try:
        return _pages(fetch, params)
    except _PageTokenRejected as again:
        raise again.rejected from None


def _pages(fetch: Fetch, first: dict[str, str]) -> list[Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    token: str | None = None
    total: int | None = None
    seen_tokens: set[str] = set()
    for _ in range(MAX_PAGES):
        # Later pages must repeat the first page's parameters (spec), plus the token.
        params = first if token is None else {**first, "pageToken": token}
        try:
            body = fetch(params)
        except UpstreamRejected as exc:
            if token is not None and exc.status_code == 400:
                raise _PageTokenRejected(exc) from exc
            raise
        if token is None and first.get("countTotal") == "true" and isinstance(body, Mapping):
            total = body.get("totalCount") if isinstance(body.get("totalCount"), int) else None
        studies, token = raw_page(body)
        for study in studies:
            # A study can move between pages while we page; keep the first copy seen.
            found.setdefault(study_id(study), study)
        if token is None:
            if total is not None and total != len(found):
                raise UpstreamUnavailable(f"received {len(found)} studies, the API counted {total}")
            return list(found.values())
        if token in seen_tokens:
            raise UpstreamSchemaError(None, "nextPageToken", "the API repeated a page token")
        seen_tokens.add(token)
    raise UpstreamSchemaError(None, "nextPageToken", f"more than {MAX_PAGES} pages")
