"""When time alone may change a verdict: age bounds and washouts schedule the next re-match."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from matcher.models import AgeBound, ProfileIn, Trial
from matcher.models.profile import parse_profile
from matcher.recheck import next_recheck

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "synovial-pulmonary.json"


def _profile(**changes: object) -> ProfileIn:
    body = json.loads(EXAMPLE.read_text())
    body.update(changes)
    return parse_profile(json.dumps(body))


# Constructed trials (not registry data): only the age bounds matter here.
def _trial(min_m: float | None = None, max_m: float | None = None) -> Trial:
    return Trial(
        nct_id="NCT00000001",
        version="v",
        minimum_age=AgeBound(text=f"{min_m} Months", months=min_m) if min_m is not None else None,
        maximum_age=AgeBound(text=f"{max_m} Months", months=max_m) if max_m is not None else None,
    )


def test_minimum_age_reached_is_the_recheck_date() -> None:
    """A child 3 months under a trial's minimum age is re-checked on the day the age is reached."""
    p = _profile(assessed_on="2026-11-10", age_months=141, prior_therapies=[])
    when = next_recheck(p, [_trial(min_m=144)], date(2026, 11, 26))
    assert when == date(2027, 2, 10)
    assert p.age_months_on(when) == 144
    assert p.age_months_on(date(2027, 2, 9)) == 143


def test_maximum_age_edges_are_rechecked() -> None:
    """An upper bound brings a re-check on the day the age first exceeds it."""
    p = _profile(assessed_on="2026-11-10", age_months=250, prior_therapies=[])
    when = next_recheck(p, [_trial(max_m=252)], date(2026, 11, 26))
    assert when == date(2027, 2, 10)
    assert p.age_months_on(when) == 253
    older = _profile(assessed_on="2026-11-10", age_months=255, prior_therapies=[])
    # Past 21y0m already: the next edge is the "< 22 years" reading, 265 months.
    assert older.age_months_on(next_recheck(older, [_trial(max_m=252)], date(2026, 11, 26))) == 265


def test_washout_end_is_a_recheck_date() -> None:
    """A therapy that ended 10 days ago brings a re-check when the 14-day washout ends."""
    p = _profile(prior_therapies=[{"agent": "pazopanib", "ended_on": "2026-11-16"}])
    assert next_recheck(p, [], date(2026, 11, 26)) == date(2026, 11, 30)


def test_nothing_time_dependent_means_no_recheck() -> None:
    """No age bounds ahead and no recent therapy: no scheduled re-check."""
    p = _profile(prior_therapies=[{"agent": "x", "ended_on": "2020-01-01"}])
    assert next_recheck(p, [_trial()], date(2026, 11, 26)) is None
