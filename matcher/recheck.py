"""When could the mere passage of time change a profile's verdicts? (pure; no I/O)

Age moves across trial bounds, and washout periods after a therapy run out. The scheduled job
re-matches a profile on the earliest such date instead of re-matching everyone every night.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta

from matcher.models import ProfileIn, Trial

# Washout periods that criteria commonly state (days); an end date + one of these is a candidate.
_WASHOUT_DAYS = (7, 14, 21, 28, 30, 42, 56, 84, 90, 120, 180, 365)
_YEAR_MONTHS = 12


def next_recheck(profile: ProfileIn, trials: Iterable[Trial], as_of: date) -> date | None:
    """The earliest date after `as_of` at which an age bound or a washout may flip a verdict."""
    age_now = profile.age_months_on(as_of)
    candidates: list[date] = []
    for trial in trials:
        steps = []
        if trial.minimum_age is not None:  # eligible from the day the bound is reached
            steps.append(math.ceil(trial.minimum_age.months - age_now))
        if trial.maximum_age is not None:  # ineligible from the day the bound is exceeded;
            # "up to 21 Years" may be read as <= 21y0m or as < 22y: both edges are worth a look.
            for bound in (trial.maximum_age.months, trial.maximum_age.months + _YEAR_MONTHS):
                steps.append(math.floor(bound - age_now) + 1)
        for months_ahead in steps:
            if months_ahead > 0:
                candidates.append(_add_months(profile, as_of, age_now, months_ahead))
    for therapy in profile.prior_therapies:
        if therapy.ended_on is not None:
            for days in _WASHOUT_DAYS:
                when = therapy.ended_on + timedelta(days=days)
                if when > as_of:
                    candidates.append(when)
                    break  # later washouts are found on later rechecks
    return min(candidates, default=None)


def _add_months(profile: ProfileIn, as_of: date, age_now: float, months: int) -> date:
    """First date on which the profile's age (as the engine computes it) reaches age_now+months."""
    target = age_now + months
    anchor = profile.assessed_on
    # Month anniversaries of assessed_on are the days the computed age steps up by one month.
    step = max(int(target - profile.age_months_at_assessment), 0)
    year = anchor.year + (anchor.month - 1 + step) // 12
    month = (anchor.month - 1 + step) % 12 + 1
    day = min(anchor.day, _days_in_month(year, month))
    when = date(year, month, day)
    return max(when, as_of + timedelta(days=1))


def _days_in_month(year: int, month: int) -> int:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day
