"""Facts to collect for one patient: the open questions of all candidate trials, merged.

A candidate trial carries a handful of unknown criteria; across a profile's candidates most are
the same few facts asked again (pregnancy test, organ function, HIV/hepatitis, height for body
surface area). Each unknown criterion is mapped to the facts it needs (data/facts.json); each
fact lists the trials it would settle, most-unblocking first. A criterion naming no known fact
stays a line of its own, so nothing the board must check is dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matcher.domain.models.match import FactToCollect, TrialMatch

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


def facts_to_collect(matches: Iterable[TrialMatch]) -> list[FactToCollect]:
    """Distinct facts over every candidate trial's unknown criteria, most trials settled first."""
    trials: dict[str, list[str]] = {}
    known: dict[str, _Fact] = {}
    loose: dict[str, str] = {}
    for match in matches:
        if match.verdict not in _CANDIDATE:
            continue
        for crit in match.criteria:
            if crit.verdict != "unknown":
                continue
            found = facts_of(crit.text) or facts_of(crit.reason)
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
