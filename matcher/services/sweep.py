"""Building one data version's corpus from the previous one: the daily sweep (no Redis here).

A full build asks for every corpus record (a few pages at pageSize=1000). The sweep instead lists
the corpus with three fields (id, status, last update), compares that with the previous index and
fetches by `filter.ids` only what is new, changed, or gone from the listing. A trial that left
the query (it closed, or was edited out) is fetched once to learn its new status and kept, marked
unlisted, for `DEPARTED_KEEP_DAYS`, so that boards are told "closed" rather than seeing it vanish;
a status change that did not move the update date is seen the same day, because status is listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.adapters.ctgov.listing import ListingEntry
from matcher.domain.models import Trial

DEPARTED_KEEP_DAYS = 30


class SweepSource(Protocol):
    def corpus(self, query: CorpusQuery) -> list[Trial]: ...

    def listing(self, query: CorpusQuery) -> list[ListingEntry]: ...

    def fetch(self, nct_ids: list[str]) -> list[Trial]: ...


@dataclass(frozen=True)
class Entry:
    """One corpus trial: content version, status, when the registry last confirmed it."""

    version: str
    status: str | None
    updated: str | None  # LastUpdatePostDate, display only
    confirmed: str  # the data version (dataTimestamp) whose listing or record showed `status`
    listed: bool = True  # False: left the query; kept so the closure reaches every board
    departed_on: str | None = None  # ISO date the trial left the query


@dataclass
class CorpusRecord:
    """What is stored per data version: the index, where it came from and what changed."""

    query: str
    data_version: str
    entries: dict[str, Entry]
    previous: str | None = None  # the data version this one was swept from (None: full build)
    changed: list[str] = field(default_factory=list)  # ids added, edited, re-statused or dropped

    def to_json(self) -> str:
        body = {
            "query": self.query,
            "data_version": self.data_version,
            "previous": self.previous,
            "changed": sorted(self.changed),
            "entries": {n: e.__dict__ for n, e in sorted(self.entries.items())},
        }
        return json.dumps(body, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CorpusRecord:
        raw = json.loads(text)
        return cls(
            query=raw["query"],
            data_version=raw["data_version"],
            entries={n: Entry(**e) for n, e in raw["entries"].items()},
            previous=raw.get("previous"),
            changed=list(raw.get("changed", [])),
        )


@dataclass
class Built:
    record: CorpusRecord
    fetched: list[Trial]  # bodies that must be stored (new content versions)


def _entry(trial: Trial, version: str, listed: bool = True, departed: str | None = None) -> Entry:
    updated = trial.last_update_posted.isoformat() if trial.last_update_posted else None
    return Entry(trial.version, trial.overall_status, updated, version, listed, departed)


def full_build(
    source: SweepSource,
    query: CorpusQuery,
    data_version: str,
    today: date,
    must_resolve: set[str] = frozenset(),  # type: ignore[assignment]
) -> Built:
    """Every corpus record; plus the fate of `must_resolve` (trials profiles were matched on)."""
    trials = source.corpus(query)
    entries = {t.nct_id: _entry(t, data_version) for t in trials}
    missing = sorted(must_resolve - entries.keys())
    departed = source.fetch(missing) if missing else []
    for trial in departed:
        entries[trial.nct_id] = _entry(trial, data_version, False, today.isoformat())
    record = CorpusRecord(query.key(), data_version, entries, None, sorted(entries))
    return Built(record, trials + departed)


def sweep(
    source: SweepSource,
    query: CorpusQuery,
    previous: CorpusRecord,
    data_version: str,
    today: date,
    must_resolve: set[str] = frozenset(),  # type: ignore[assignment]
) -> Built:
    """The next version's corpus from the previous one, fetching only what moved."""
    listing = {e.nct_id: e for e in source.listing(query)}
    old = previous.entries
    entries: dict[str, Entry] = {}
    to_fetch: set[str] = set()
    for nct, seen in listing.items():
        before = old.get(nct)
        if (
            before is None
            or not before.listed
            or (before.status, before.updated)
            != (
                seen.status,
                seen.last_update,
            )
        ):
            to_fetch.add(nct)
        else:
            entries[nct] = replace(before, confirmed=data_version)  # confirmed again tonight
    for nct, before in old.items():
        if nct in listing:
            continue
        if before.listed:
            to_fetch.add(nct)  # just left the query: learn why (closed? edited out?)
        elif before.departed_on and (today - date.fromisoformat(before.departed_on)).days < (
            DEPARTED_KEEP_DAYS
        ):
            entries[nct] = before
    to_fetch |= must_resolve - listing.keys() - entries.keys()
    fetched = source.fetch(sorted(to_fetch)) if to_fetch else []
    for trial in fetched:
        listed = trial.nct_id in listing
        prior = old.get(trial.nct_id)
        departed = None
        if not listed:
            departed = prior.departed_on if prior and prior.departed_on else today.isoformat()
        entries[trial.nct_id] = _entry(trial, data_version, listed, departed)
    changed = {
        n
        for n in old.keys() | entries.keys()
        if n not in old
        or n not in entries
        or (old[n].version, old[n].status) != (entries[n].version, entries[n].status)
    }
    record = CorpusRecord(
        query.key(), data_version, entries, previous.data_version, sorted(changed)
    )
    return Built(record, fetched)
