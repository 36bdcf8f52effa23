"""Facts to collect for one patient: the open questions of all candidate trials, merged.

A candidate trial carries a handful of unknown criteria; across a profile's candidates most are
the same few facts asked again (pregnancy test, organ function, HIV/hepatitis, height for body
surface area). Each unknown criterion is mapped to the facts it needs (data/facts.json); each
fact lists the trials it would settle, most-unblocking first. A criterion naming no known fact
stays a line of its own, so nothing the board must check is dropped.

A fact the profile already gives (its `field` is set) is not asked for again: a criterion still
open although the profile gives every fact it names (a dose, a time window, an exception) stays a
line of its own instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matcher.domain.models.match import FactToCollect, TrialMatch
from matcher.domain.models.profile import ProfileIn

_CANDIDATE = frozenset({"possibly_eligible", "eligible"})


@dataclass(frozen=True)
class _Fact:
    id: str
    label: str
    field: str | None
    cue: re.Pattern[str]


@cache
def catalogue() -> tuple[_Fact, ...]:
    raw = json.loads((Path(__file__).parent / "data" / "facts.json").read_text())
    return tuple(
        _Fact(f["id"], f["label"], f["field"], re.compile("|".join(f["cues"]), re.IGNORECASE))
        for f in raw["facts"]
    )


def facts_of(text: str) -> list[_Fact]:
    """The catalogued facts one criterion's text asks about (possibly several)."""
    return [fact for fact in catalogue() if fact.cue.search(text)]


def given_fields(profile: ProfileIn) -> frozenset[str]:
    """The catalogue's fields (top level or "labs.x"/"tumor.x") that the profile sets. Not
    `prior_therapies`: the list never says it is complete, so listing a chemotherapy does not
    answer whether there was a transplant."""
    dumped = profile.model_dump(exclude_none=True, exclude_defaults=True)
    given = set()
    for fact in catalogue():
        if fact.field is None or fact.field == "prior_therapies":
            continue
        head, _, rest = fact.field.partition(".")
        value = dumped.get(head)
        if rest:
            value = value.get(rest) if isinstance(value, dict) else None
        if value not in (None, [], {}):
            given.add(fact.field)
    return frozenset(given)


def facts_to_collect(
    matches: Iterable[TrialMatch], profile: ProfileIn | None = None
) -> list[FactToCollect]:
    """Distinct facts over every candidate trial's unknown criteria, most trials settled first;
    with `profile`, none the profile already gives."""
    given = given_fields(profile) if profile is not None else frozenset()
    trials: dict[str, list[str]] = {}
    known: dict[str, _Fact] = {}
    loose: dict[str, str] = {}
    for match in matches:
        if match.verdict not in _CANDIDATE:
            continue
        for crit in match.criteria:
            if crit.verdict != "unknown":
                continue
            named = facts_of(crit.text) or facts_of(crit.reason)
            found = [fact for fact in named if fact.field is None or fact.field not in given]
            if not found:
                key = f"criterion:{crit.text[:160]}"
                loose[key] = crit.text[:160]
                _add(trials, key, match.nct_id)
            for fact in found:
                known[fact.id] = fact
                _add(trials, fact.id, match.nct_id)
    out = [
        FactToCollect(
            fact=key,
            label=known[key].label if key in known else loose[key],
            field=known[key].field if key in known else None,
            trials=ncts,
        )
        for key, ncts in trials.items()
    ]
    # most-unblocking first; catalogued facts before one-off criteria; then by name
    out.sort(key=lambda f: (-len(f.trials), f.fact.startswith("criterion:"), f.label))
    return out


def _add(trials: dict[str, list[str]], key: str, nct_id: str) -> None:
    listed = trials.setdefault(key, [])
    if nct_id not in listed:
        listed.append(nct_id)
