"""When time alone may change a verdict: month anniversaries (age) and washout ends."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from matcher.domain.models import ProfileIn
from matcher.domain.recheck import next_month_anniversary, next_recheck
from tests.support.profiles import example_profile


def _profile(**changes: object) -> ProfileIn:
    return example_profile(dated_today=False, **changes)


def test_next_month_anniversary_is_the_recheck_date() -> None:
    """Without recent therapy, the profile is re-checked when its computed age next steps up."""
    p = _profile(assessed_on="2026-09-15", age_months=263, prior_therapies=[])
    when = next_recheck(p, date(2026, 11, 26))
    assert when == date(2026, 12, 15)
    assert p.age_months_on(when) == p.age_months_on(date(2026, 11, 26)) + 1


def test_washout_end_before_the_anniversary_wins() -> None:
    """A therapy that ended 10 days ago brings a re-check when the 14-day washout ends."""
    therapy = {"agent": "pazopanib", "ended_on": "2026-11-16"}
    p = _profile(assessed_on="2026-11-20", prior_therapies=[therapy])
    assert next_recheck(p, date(2026, 11, 26)) == date(2026, 11, 30)


@given(
    anchor=st.dates(min_value=date(2000, 1, 1), max_value=date.today()),
    offset=st.integers(min_value=0, max_value=3000),
)
def test_anniversary_is_exactly_when_the_age_steps(anchor: date, offset: int) -> None:
    """For any assessment date, the anniversary is the first later day the month count rises."""
    as_of = anchor + timedelta(days=offset)
    when = next_month_anniversary(anchor, as_of)
    months = _profile(assessed_on=anchor.isoformat(), age_months=0, prior_therapies=[])
    assert when > as_of
    assert months.age_months_on(when) == months.age_months_on(as_of) + 1
    assert months.age_months_on(when - timedelta(days=1)) == months.age_months_on(as_of)
