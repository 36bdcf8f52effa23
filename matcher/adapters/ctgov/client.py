"""The live ClinicalTrials.gov API v2 client: paced, bounded retries, all-or-nothing searches.

Failure policy (the error *class* carries the decision, see matcher/errors.py):
- connect/read timeouts, connection errors/resets, 429, 502, 503, 504, and a response not complete
  within the per-request deadline (UpstreamTooSlow: a server trickling bytes defeats per-read
  timeouts, see matcher/adapters/ctgov/deadline.py) are retried in-process with
  stamina (jittered exponential backoff, bounded by attempts AND total time); `Retry-After` is
  honoured when it fits the remaining budget. Exhausted -> UpstreamUnavailable / RateLimited, which
  the Celery task retries later.
- any other status -> UpstreamRejected with the plain-text body (error bodies are text/plain per
  the spec; they are never JSON-parsed).
- a body we cannot read -> UpstreamSchemaError naming the field (and NCT id when known).
Logs carry method, path, status and attempt only; requests hold the corpus query (term data) or
NCT ids, never patient data.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import httpx
import stamina

from matcher import __version__
from matcher.adapters.ctgov.corpus_query import (
    LISTING_FIELDS,
    NCT_BATCH_MAX,
    CorpusQuery,
    ids_params,
)
from matcher.adapters.ctgov.deadline import deadline, passed, transport_with_deadlines
from matcher.adapters.ctgov.listing import ListingEntry, parse_listing_study
from matcher.adapters.ctgov.pace import NoPacer, Pacer
from matcher.adapters.ctgov.paging import collect_pages
from matcher.adapters.ctgov.parse import parse_study
from matcher.adapters.ctgov.query import FIELDS_PARAM, SearchQuery
from matcher.adapters.ctgov.retry_after import retry_after_seconds
from matcher.domain.models.trial import Trial
from matcher.errors import (
    FinalUpstreamError,
    RateLimited,
    RetryableUpstreamError,
    UpstreamRejected,
    UpstreamSchemaError,
    UpstreamTooSlow,
    UpstreamUnavailable,
)
from matcher.metrics import CTGOV_REQUESTS

log = logging.getLogger(__name__)


class _DropQueryString(logging.Filter):
    """httpx logs every request URL at INFO; ours carry a patient's condition terms in the query
    string, so the query is cut before the record is emitted (method, path, status remain)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) > 1:
            url = record.args[1]
            if isinstance(url, httpx.URL) and url.query:
                record.args = (record.args[0], url.copy_with(query=None), *record.args[2:])
        return True


if not any(isinstance(f, _DropQueryString) for f in logging.getLogger("httpx").filters):
    logging.getLogger("httpx").addFilter(_DropQueryString())

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
USER_AGENT = f"trialmatch/{__version__} (+https://github.com/trialmatch/trialmatch)"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# First backoff ~0.5-1.5 s, doubling; the cap keeps one wait well inside the total budget.
WAIT_INITIAL_S = 0.5
WAIT_MAX_S = 8.0
WAIT_JITTER_S = 1.0
_NCT = re.compile(r"^NCT\d{8}$")


class _Attempts:
    """Per-call retry state shared between the attempt body and stamina's backoff hook."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.hint: float | None = None  # Retry-After of the last response, seconds
        self.wait_next = 0.0  # a Retry-After wait to do (through our sleep) before the next try


class CtgovClient:
    """One instance per process (one httpx connection pool); use as a context manager."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 30.0,
        max_attempts: int = 4,
        retry_total_s: float = 30.0,
        request_deadline_s: float = 40.0,
        page_size: int = 1000,
        user_agent: str = USER_AGENT,
        transport: httpx.BaseTransport | None = None,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._base = httpx.URL(base_url.rstrip("/") + "/")
        self._max_attempts = max_attempts
        self._retry_total_s = retry_total_s
        self._request_deadline_s = request_deadline_s
        self._page_size = page_size
        self._pacer: Pacer = pacer or NoPacer()
        self._sleep = sleep
        self._clock = clock
        self._http = httpx.Client(
            base_url=self._base,
            timeout=httpx.Timeout(
                connect=connect_timeout_s, read=read_timeout_s, write=10.0, pool=10.0
            ),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            # Injected transports (tests) are used as given; the real one enforces the deadline.
            transport=transport if transport is not None else transport_with_deadlines(),
            follow_redirects=False,  # only get_study follows (NCT alias -> canonical record)
            # Runs before *every* request, each redirect hop included: nothing is ever sent to
            # another scheme, host or port than the configured API, even if a 301 points there.
            event_hooks={"request": [self._same_origin]},
        )

    def _same_origin(self, request: httpx.Request) -> None:
        base = self._base
        if (request.url.scheme, request.url.host, request.url.port) != (
            base.scheme,
            base.host,
            base.port,
        ):
            raise FinalUpstreamError(f"refused a request off the API origin: {request.url.host}")

    # --- public API -------------------------------------------------------------------------

    def data_version(self) -> str | None:
        """The registry's `dataTimestamp` (refreshed daily), or None if the API gives none."""
        body = self._json(self._request("/version", {}), None)
        if not isinstance(body, Mapping):
            raise UpstreamSchemaError(None, "version", "expected an object")
        stamp = body.get("dataTimestamp")
        if stamp is not None and not isinstance(stamp, str):
            raise UpstreamSchemaError(None, "dataTimestamp", "expected text")
        return stamp

    def search(self, query: SearchQuery) -> list[Trial]:
        """Every study of a per-diagnosis search (the pre-corpus design; kept for the benchmark
        and the sanitiser's tests), de-duplicated by NCT id; any failed page fails it all."""
        return [parse_study(s) for s in self.studies(query.to_params(self._page_size))]

    def corpus(self, query: CorpusQuery) -> list[Trial]:
        """Every trial of the population corpus, full records."""
        return [parse_study(s) for s in self.studies(query.params(page_size=self._page_size))]

    def listing(self, query: CorpusQuery) -> list[ListingEntry]:
        """The corpus as (id, status, last update) only: the nightly sweep's cheap pass."""
        params = query.params(fields=LISTING_FIELDS, page_size=self._page_size)
        return [parse_listing_study(s) for s in self.studies(params)]

    def fetch(self, nct_ids: list[str], batch: int = NCT_BATCH_MAX) -> list[Trial]:
        """Full records of these studies by `filter.ids`, in batches, whatever their status.

        An id the registry no longer has is simply absent from the answer.
        """
        ids = sorted(set(nct_ids))
        found: list[Trial] = []
        for start in range(0, len(ids), batch):
            found += [parse_study(s) for s in self.studies(ids_params(ids[start : start + batch]))]
        return found

    def count(self, params: dict[str, str]) -> int:
        """`totalCount` of a search (one request; `countTotal=true` must be in `params`)."""
        body = self._json(self._request("/studies", params), None)
        total = body.get("totalCount") if isinstance(body, Mapping) else None
        if not isinstance(total, int) or isinstance(total, bool):
            raise UpstreamSchemaError(None, "totalCount", "missing (countTotal=true was sent)")
        return total

    def studies(self, params: dict[str, str]) -> list[Mapping[str, Any]]:
        """The raw study objects of every page (see matcher/adapters/ctgov/paging.py)."""
        return collect_pages(lambda p: self._json(self._request("/studies", p), None), params)

    def get_study(self, nct_id: str) -> Trial:
        """One study; an alias id is redirected (301) and the canonical record returned."""
        if not _NCT.match(nct_id):
            raise ValueError(f"not an NCT id: {nct_id[:20]!r}")
        params = {"format": "json", "markupFormat": "markdown", "fields": FIELDS_PARAM}
        response = self._request(f"/studies/{nct_id}", params, follow_redirects=True)
        trial = parse_study(self._json(response, nct_id))
        if trial.nct_id != nct_id and not response.history and nct_id not in trial.aliases:
            raise UpstreamSchemaError(nct_id, "identificationModule.nctId", f"got {trial.nct_id}")
        return trial

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CtgovClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- transport, retries -----------------------------------------------------------------

    def _request(
        self, path: str, params: Mapping[str, str], *, follow_redirects: bool = False
    ) -> httpx.Response:
        state = _Attempts(self._clock() + self._retry_total_s)
        attempt_no = 0
        try:
            # stamina stops scheduling attempts once retry_total_s has passed; the last backoff
            # can overshoot it by at most wait_max, and an attempt in flight by its own timeouts.
            for attempt in stamina.retry_context(
                on=lambda exc: self._backoff(exc, state),
                attempts=self._max_attempts,
                timeout=self._retry_total_s,
                wait_initial=WAIT_INITIAL_S,
                wait_max=min(WAIT_MAX_S, self._retry_total_s),
                wait_jitter=WAIT_JITTER_S,
            ):
                with attempt:
                    attempt_no += 1
                    if state.wait_next > 0:
                        self._sleep(state.wait_next)
                        state.wait_next = 0.0
                    return self._once(path, params, follow_redirects, attempt_no, state)
        except RetryableUpstreamError:
            log.warning("ctgov GET %s gave up after %d attempt(s)", path, attempt_no)
            raise
        raise AssertionError("unreachable: stamina either returns or re-raises")

    def _backoff(self, exc: Exception, state: _Attempts) -> bool | float:
        """stamina hook: False = final; True = jittered exponential; 0.0 = we wait ourselves."""
        if not isinstance(exc, RetryableUpstreamError):
            return False
        hint, state.hint = state.hint, None
        if hint is None:
            return True
        if hint > state.deadline - self._clock():
            # Waiting less than asked would only earn another 429: hand over to the task retry.
            return False
        # Done via the injected sleep (testable, and the same clock as our budget), so stamina
        # is told to add no wait of its own.
        state.wait_next = hint
        return 0.0

    def _once(
        self,
        path: str,
        params: Mapping[str, str],
        follow_redirects: bool,
        attempt_no: int,
        state: _Attempts,
    ) -> httpx.Response:
        self._pacer.wait()
        try:
            # The whole exchange (redirect hops and body included) within the deadline.
            with deadline(self._request_deadline_s) as at:
                response = self._http.get(path, params=params, follow_redirects=follow_redirects)
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            CTGOV_REQUESTS.labels(outcome="transport_error").inc()
            log.info("ctgov GET %s -> %s (attempt %d)", path, type(exc).__name__, attempt_no)
            if isinstance(exc, httpx.TimeoutException) and passed(at):
                raise UpstreamTooSlow(
                    f"GET {path}: no complete response within the "
                    f"{self._request_deadline_s:g} s request deadline"
                ) from exc
            raise UpstreamUnavailable(f"GET {path}: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:  # a bad URL or protocol: a bug or setting, not weather
            CTGOV_REQUESTS.labels(outcome="transport_error").inc()
            raise FinalUpstreamError(f"GET {path}: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        log.info("ctgov GET %s -> %d (attempt %d)", path, status, attempt_no)
        if 200 <= status < 300:
            CTGOV_REQUESTS.labels(outcome="ok").inc()
            return response
        if status in RETRY_STATUSES:
            state.hint = retry_after_seconds(response)
            if status == 429:
                CTGOV_REQUESTS.labels(outcome="rate_limited").inc()
                raise RateLimited(f"GET {path}: 429", retry_after=state.hint)
            CTGOV_REQUESTS.labels(outcome="unavailable").inc()
            raise UpstreamUnavailable(f"GET {path}: {status}")
        CTGOV_REQUESTS.labels(outcome="rejected").inc()
        raise UpstreamRejected(status, response.text, path)

    @staticmethod
    def _json(response: httpx.Response, nct_id: str | None) -> Any:
        try:
            return response.json()
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise UpstreamSchemaError(nct_id, "body", "not valid JSON") from exc
