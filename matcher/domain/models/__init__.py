"""One model per direction of data: profile in, stored profile, trial as parsed, match out."""

from matcher.domain.models.match import CriterionResult, MatchRun, NearestSite, TrialMatch
from matcher.domain.models.profile import ProfileIn, StoredProfile
from matcher.domain.models.trial import AgeBound, Site, Trial

__all__ = [
    "AgeBound",
    "CriterionResult",
    "MatchRun",
    "NearestSite",
    "ProfileIn",
    "Site",
    "StoredProfile",
    "Trial",
    "TrialMatch",
]
