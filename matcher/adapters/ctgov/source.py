"""Where trials come from: the live API or a snapshot folder, behind one small interface."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from matcher.adapters.ctgov.client import USER_AGENT, CtgovClient
from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.adapters.ctgov.listing import ListingEntry
from matcher.adapters.ctgov.pace import FleetPacer, LocalPacer, Pacer, PaceSlots
from matcher.adapters.ctgov.query import SearchQuery
from matcher.adapters.ctgov.snapshot import SnapshotSource
from matcher.domain.models.trial import Trial


class TrialSource(Protocol):
    """What the matching task needs from ClinicalTrials.gov, live or offline."""

    def data_version(self) -> str | None: ...

    def search(self, query: SearchQuery) -> list[Trial]: ...

    def corpus(self, query: CorpusQuery) -> list[Trial]: ...

    def listing(self, query: CorpusQuery) -> list[ListingEntry]: ...

    def fetch(self, nct_ids: list[str]) -> list[Trial]: ...

    def get_study(self, nct_id: str) -> Trial: ...

    def close(self) -> None: ...


class SourceSettings(Protocol):
    """The slice of `matcher.settings.Settings` this module reads (kept structural so that the
    ClinicalTrials.gov layer does not import the deployment settings module)."""

    @property
    def ctgov_base_url(self) -> str: ...
    @property
    def ctgov_snapshot(self) -> Path | None: ...
    @property
    def ctgov_connect_timeout_s(self) -> float: ...
    @property
    def ctgov_read_timeout_s(self) -> float: ...
    @property
    def ctgov_max_attempts(self) -> int: ...
    @property
    def ctgov_retry_total_s(self) -> float: ...
    @property
    def ctgov_request_deadline_s(self) -> float: ...
    @property
    def ctgov_min_interval_s(self) -> float: ...
    @property
    def ctgov_page_size(self) -> int: ...


def make_source(settings: SourceSettings, slots: PaceSlots | None = None) -> TrialSource:
    """The snapshot when TRIALMATCH_CTGOV_SNAPSHOT is set, else the live client.

    With the store's pace slots the pace is fleet-wide (all processes, all hosts); without them
    (the CLI) it is per process, which is only safe for a single process.
    """
    if settings.ctgov_snapshot is not None:
        return SnapshotSource(settings.ctgov_snapshot)
    return live_client(settings, slots)


def live_client(settings: SourceSettings, slots: PaceSlots | None = None) -> CtgovClient:
    """The live API client with every timeout, retry bound and deadline from the settings."""
    pacer: Pacer
    if slots is not None:
        pacer = FleetPacer(slots, settings.ctgov_min_interval_s)
    else:
        pacer = LocalPacer(settings.ctgov_min_interval_s)
    return CtgovClient(
        base_url=settings.ctgov_base_url,
        connect_timeout_s=settings.ctgov_connect_timeout_s,
        read_timeout_s=settings.ctgov_read_timeout_s,
        max_attempts=settings.ctgov_max_attempts,
        retry_total_s=settings.ctgov_retry_total_s,
        request_deadline_s=settings.ctgov_request_deadline_s,
        page_size=settings.ctgov_page_size,
        user_agent=USER_AGENT,
        pacer=pacer,
    )
