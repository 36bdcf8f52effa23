"""Filters over a match run, shared by the API (`?verdict=&phase=&max_distance_km=`) and the CLI.

Filter values are validated, never silently compared with nothing: a phase must be one of the
registry's values (short forms such as `2` or `phase 2` are normalised to `PHASE2`). A distance
limit drops only trials known to be too far: a trial whose distance is unknown (no site with
coordinates, or no location in the profile) is kept and counted, because unknown is never taken
as "too far" — the same rule the engine applies to the distance criterion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from matcher.domain.models import TrialMatch

# The registry's Phase enum (docs/ctgov-api/ctg-oas-v2.0.5.yaml, components.schemas.Phase).
PHASES = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA")
PHASE_HELP = "one of " + ", ".join(PHASES) + " (also 1, 2, 3, 4, 'phase 2', 'early phase 1')"
_SHORT = {"1": "PHASE1", "2": "PHASE2", "3": "PHASE3", "4": "PHASE4", "EARLY1": "EARLY_PHASE1"}


def normalize_phase(value: str) -> str:
    """`2`, `phase 2`, `Phase2`, `PHASE2` -> `PHASE2`; anything else raises ValueError."""
    key = re.sub(r"[\s_/-]+", "", value).upper()
    if key in {"NA", "NOTAPPLICABLE"}:
        return "NA"
    key = key.replace("PHASE", "")
    if key in _SHORT:
        return _SHORT[key]
    raise ValueError(f"phase must be {PHASE_HELP}")


@dataclass(frozen=True)
class Filtered:
    """The kept matches, best first, and what the caller should tell the reader about them."""

    results: list[TrialMatch]
    # With a distance limit: how many kept trials have no known distance (None without a limit).
    distance_unknown: int | None


def filter_matches(
    results: Sequence[TrialMatch],
    *,
    verdicts: Iterable[str] | None = None,
    phases: Iterable[str] | None = None,
    max_distance_km: float | None = None,
) -> Filtered:
    """Keep trials with any of the verdicts, any of the phases, and not known to be too far."""
    wanted_verdicts = set(verdicts or ())
    wanted_phases = {normalize_phase(p) for p in phases or ()}
    kept: list[TrialMatch] = []
    unknown = 0
    for m in results:
        if wanted_verdicts and m.verdict not in wanted_verdicts:
            continue
        if wanted_phases and not wanted_phases & {p.upper() for p in m.phases}:
            continue
        if max_distance_km is not None:
            if m.nearest_site is None:
                unknown += 1
            elif m.nearest_site.distance_km > max_distance_km:
                continue
        kept.append(m)
    return Filtered(kept, unknown if max_distance_km is not None else None)


def distance_note(filtered: Filtered) -> str | None:
    """The sentence a reader needs when a distance limit kept trials of unknown distance."""
    if not filtered.distance_unknown:
        return None
    return (
        f"{filtered.distance_unknown} of the {len(filtered.results)} trials shown have no known "
        "distance (no site with coordinates, or no location in the profile); they are kept, not "
        "dropped - check their sites"
    )
