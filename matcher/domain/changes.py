"""Compare a profile's previous match run with the new one (pure; no I/O).

Only differences a board acts on are reported: a trial that newly fits, a trial that closed or
reopened, a verdict that moved (citing the criterion that flipped), changed criteria text, and a
nearer or farther site. The first run of a profile has nothing to compare with and yields none.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from matcher.domain.models import MatchRun, TrialMatch
from matcher.domain.models.change import ChangeEntry

OPEN_STATUSES = frozenset(
    {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"}
)
_SITE_DELTA_KM = 25.0  # smaller moves of the nearest site are geocoding noise, not news


def diff_runs(previous: MatchRun | None, new: MatchRun, at: datetime) -> list[ChangeEntry]:
    if previous is None:
        return []
    return diff_matches(previous.results, new.results, at)


def diff_matches(
    previous: Iterable[TrialMatch], new: Iterable[TrialMatch], at: datetime
) -> list[ChangeEntry]:
    """The same comparison over any set of trial results (the scheduler's pre-check uses it on
    just the trials that changed, so it and the stored change log apply one rule)."""
    before = {m.nct_id: m for m in previous}
    after = {m.nct_id: m for m in new}
    entries: list[ChangeEntry] = []
    for nct_id, now in after.items():
        old = before.get(nct_id)
        if old is None:
            if now.verdict != "ineligible":
                entries.append(
                    ChangeEntry(
                        at=at,
                        kind="new_trial",
                        nct_id=nct_id,
                        new=now.verdict,
                        detail=f"new trial, {_label(now.verdict)}: {now.title}",
                    )
                )
            continue
        entries += _trial_changes(old, now, at)
    for nct_id, old in before.items():
        if nct_id not in after and old.verdict != "ineligible":
            entries.append(
                ChangeEntry(
                    at=at,
                    kind="trial_removed",
                    nct_id=nct_id,
                    old=old.verdict,
                    detail=f"no longer listed: {old.title}",
                )
            )
    return entries


def _trial_changes(old: TrialMatch, now: TrialMatch, at: datetime) -> list[ChangeEntry]:
    """What a board would see change for one trial between two evaluations."""
    if old.verdict == now.verdict == "ineligible":
        return []  # closed to this patient before and after: nothing to act on
    found: list[ChangeEntry] = []
    was_open = old.overall_status in OPEN_STATUSES
    is_open = now.overall_status in OPEN_STATUSES
    if was_open != is_open:
        found.append(
            ChangeEntry(
                at=at,
                kind="trial_closed" if was_open else "trial_reopened",
                nct_id=now.nct_id,
                old=old.overall_status,
                new=now.overall_status,
                detail=f"status {old.overall_status} -> {now.overall_status}",
            )
        )
    if old.verdict != now.verdict:
        found.append(
            ChangeEntry(
                at=at,
                kind="verdict_changed",
                nct_id=now.nct_id,
                old=old.verdict,
                new=now.verdict,
                detail=f"{_label(old.verdict)} -> {_label(now.verdict)}: {_flipped(old, now)}",
            )
        )
    if old.trial_version != now.trial_version and _criteria_texts(old) != _criteria_texts(now):
        found.append(
            ChangeEntry(
                at=at,
                kind="criteria_changed",
                nct_id=now.nct_id,
                old=old.trial_version,
                new=now.trial_version,
                detail="eligibility criteria text changed in the registry",
            )
        )
    site_change = _site_change(old, now)
    if site_change:
        found.append(
            ChangeEntry(at=at, kind="nearest_site_changed", nct_id=now.nct_id, detail=site_change)
        )
    return found


def _label(verdict: str) -> str:
    return verdict.replace("_", " ")


def _criteria_texts(m: TrialMatch) -> set[str]:
    return {c.text for c in m.criteria if c.section != "trial"}


def _flipped(old: TrialMatch, now: TrialMatch) -> str:
    """The criteria whose verdict moved, by kind and text; trial-level checks included."""
    before = {(c.kind, c.text): c.verdict for c in old.criteria}
    moved = [c for c in now.criteria if before.get((c.kind, c.text), c.verdict) != c.verdict]
    if not moved:
        return "criteria were re-read (see the checklist)"
    return "; ".join(f"[{c.kind}] {c.reason}" for c in moved[:3])


def _site_change(old: TrialMatch, now: TrialMatch) -> str | None:
    a, b = old.nearest_site, now.nearest_site
    if a is None:
        return None if b is None else f"open site now at {b.distance_km:.0f} km ({b.city})"
    if b is None:
        return f"no open site with a location any more (was {a.distance_km:.0f} km)"
    moved = (a.facility, a.city) != (b.facility, b.city)
    if moved and abs(a.distance_km - b.distance_km) >= _SITE_DELTA_KM:
        place = b.city or b.facility
        return f"nearest open site {a.distance_km:.0f} km -> {b.distance_km:.0f} km ({place})"
    return None
