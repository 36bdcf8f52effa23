"""One model per direction of data: profile in, stored profile, trial as parsed, match out."""

from matcher.models.match import CriterionResult, MatchRun, NearestSite, TrialMatch
from matcher.models.profile import ProfileIn, StoredProfile
from matcher.models.trial import AgeBound, Site, Trial

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
