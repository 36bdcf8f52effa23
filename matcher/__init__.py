"""trialmatch's domain: models, ClinicalTrials.gov client and parsing, eligibility, Redis store.

Nothing in this package imports Celery; `workers/` is the only edge that does.
"""

__version__ = "0.1.0"
