"""The daily sweep: fetch only what moved, see closures and status changes the same day.

The source is an in-memory fake holding real records of the bundled snapshot; its edits (a new
status, a trial leaving the query) are constructed, as the registry would make them overnight.
"""

from __future__ import annotations

import json
from datetime import date

from matcher.adapters.ctgov.corpus_query import CorpusQuery
from matcher.adapters.ctgov.listing import ListingEntry
from matcher.adapters.ctgov.parse import parse_study
from matcher.domain.models import Trial
from matcher.services.sweep import DEPARTED_KEEP_DAYS, CorpusRecord, full_build, sweep
from tests.support.procs import SNAPSHOT

QUERY = CorpusQuery.for_deployment(["RECRUITING"], any_status=False)
TODAY = date(2026, 11, 26)
IDS = ("NCT02637687", "NCT04851119", "NCT05642455", "NCT04995003")


def real(nct: str, **status: str) -> Trial:
    study = json.loads((SNAPSHOT / "records" / f"{nct}.json").read_text())
    if status:
        study["protocolSection"]["statusModule"]["overallStatus"] = status["status"]
    return parse_study(study)


class FakeRegistry:
    """`listed` is what the corpus query returns; `records` every study the registry has."""

    def __init__(self, trials: list[Trial]) -> None:
        self.records = {t.nct_id: t for t in trials}
        self.listed = set(self.records)
        self.fetched: list[list[str]] = []
        self.listings = 0
        self.searches = 0

    def corpus(self, query: CorpusQuery) -> list[Trial]:
        self.searches += 1
        return [self.records[n] for n in sorted(self.listed)]

    def listing(self, query: CorpusQuery) -> list[ListingEntry]:
        self.listings += 1
        return [ListingEntry(n, self.records[n].overall_status, None) for n in sorted(self.listed)]

    def fetch(self, nct_ids: list[str]) -> list[Trial]:
        self.fetched.append(list(nct_ids))
        return [self.records[n] for n in nct_ids if n in self.records]


def first_night() -> tuple[FakeRegistry, CorpusRecord]:
    registry = FakeRegistry([real(n) for n in IDS])
    built = full_build(registry, QUERY, "v1", TODAY)
    return registry, built.record


def test_unchanged_registry_fetches_nothing_and_reconfirms_every_status() -> None:
    """Nothing moved: one listing, no fetch, every entry confirmed by the new version."""
    registry, record = first_night()
    built = sweep(registry, QUERY, record, "v2", TODAY)
    assert registry.listings == 1
    assert registry.fetched == []
    assert built.record.changed == []
    assert {e.confirmed for e in built.record.entries.values()} == {"v2"}
    assert built.record.previous == "v1"


def test_status_change_without_new_update_date_is_seen_the_same_night() -> None:
    """A status flip that left LastUpdatePostDate alone is listed, fetched and reported."""
    registry, record = first_night()
    registry.records["NCT04851119"] = real("NCT04851119", status="ACTIVE_NOT_RECRUITING")
    built = sweep(registry, QUERY, record, "v2", TODAY)
    assert registry.fetched == [["NCT04851119"]]
    assert built.record.changed == ["NCT04851119"]
    assert built.record.entries["NCT04851119"].status == "ACTIVE_NOT_RECRUITING"


def test_trial_leaving_the_query_is_fetched_and_kept_as_closed() -> None:
    """A trial that closes drops out of a status-filtered listing: fetched once by id, kept
    unlisted with its new status so every board hears "closed", then dropped after the grace."""
    registry, record = first_night()
    registry.records["NCT05642455"] = real("NCT05642455", status="SUSPENDED")
    registry.listed.discard("NCT05642455")
    night2 = sweep(registry, QUERY, record, "v2", TODAY)
    entry = night2.record.entries["NCT05642455"]
    assert (entry.status, entry.listed, entry.departed_on) == ("SUSPENDED", False, "2026-11-26")
    assert night2.record.changed == ["NCT05642455"]
    night3 = sweep(registry, QUERY, night2.record, "v3", TODAY)
    assert registry.fetched == [["NCT05642455"]]  # not fetched again while departed
    assert night3.record.changed == []
    assert "NCT05642455" in night3.record.entries
    later = date.fromordinal(TODAY.toordinal() + DEPARTED_KEEP_DAYS)
    night4 = sweep(registry, QUERY, night3.record, "v4", later)
    assert "NCT05642455" not in night4.record.entries
    assert night4.record.changed == ["NCT05642455"]


def test_new_trial_is_fetched_by_id() -> None:
    """A trial new to the listing is the only one fetched."""
    registry, record = first_night()
    registry.records["NCT03899792"] = real("NCT03899792")
    registry.listed.add("NCT03899792")
    built = sweep(registry, QUERY, record, "v2", TODAY)
    assert registry.fetched == [["NCT03899792"]]
    assert built.record.changed == ["NCT03899792"]


def test_full_build_resolves_what_profiles_were_matched_on() -> None:
    """Without an earlier corpus, trials profiles were matched on but no longer listed are
    fetched, so a closure before the first sync still reaches them (issue 11, finding 10)."""
    registry = FakeRegistry([real(n) for n in IDS])
    registry.records["NCT05642455"] = real("NCT05642455", status="SUSPENDED")
    registry.listed.discard("NCT05642455")
    built = full_build(registry, QUERY, "v2", TODAY, {"NCT05642455", "NCT02637687"})
    assert registry.fetched == [["NCT05642455"]]
    assert built.record.entries["NCT05642455"].status == "SUSPENDED"
    assert not built.record.entries["NCT05642455"].listed


def test_record_round_trips_through_json() -> None:
    """What is stored in Redis reads back identical."""
    _, record = first_night()
    again = CorpusRecord.from_json(record.to_json())
    assert again == record
