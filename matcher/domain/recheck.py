"""When could the mere passage of time change a profile's verdicts? (pure; no I/O)

Ages are judged at month precision, so an age criterion — structured bound or a number in the
criteria text ("2 to 17 years for synovial sarcoma") — can only flip on a month anniversary of
`assessed_on`; washouts run out a fixed number of days after a therapy ended. The scheduler
re-checks a profile on the earliest such date, evaluating in-process first and re-matching only
if something visible changed (see matcher/services/trial_sync.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from matcher.domain.models import ProfileIn

# Washout periods that criteria commonly state (days); an end date + one of these is a candidate.
_WASHOUT_DAYS = (7, 14, 21, 28, 30, 42, 56, 84, 90, 120, 180, 365)


def next_recheck(profile: ProfileIn, as_of: date) -> date:
    """The earliest date after `as_of` at which an age or washout criterion may flip."""
    candidates = [next_month_anniversary(profile.assessed_on, as_of)]
    for therapy in profile.prior_therapies:
        if therapy.ended_on is not None:
            later = [d for d in _WASHOUT_DAYS if therapy.ended_on + timedelta(days=d) > as_of]
            if later:
                candidates.append(therapy.ended_on + timedelta(days=later[0]))
    return min(candidates)


def next_month_anniversary(anchor: date, as_of: date) -> date:
    """First date after `as_of` on which `ProfileIn.age_months_on` steps up by one month."""
    months = (as_of.year - anchor.year) * 12 + (as_of.month - anchor.month)
    while True:
        year = anchor.year + (anchor.month - 1 + months) // 12
        month = (anchor.month - 1 + months) % 12 + 1
        when = _clip(year, month, anchor.day)
        if when > as_of:
            return when
        months += 1


def _clip(year: int, month: int, day: int) -> date:
    """The anniversary in a month too short for it falls on the 1st of the next month (that is
    when `age_months_on`, which compares day numbers, counts the month as complete)."""
    first_next = date(year + month // 12, month % 12 + 1, 1)
    last_day = (first_next - timedelta(days=1)).day
    return date(year, month, day) if day <= last_day else first_next
