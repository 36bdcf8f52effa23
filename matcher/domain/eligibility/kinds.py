"""The criterion kinds the engine classifies into. Shared by the engine, the dev set and reports."""

from typing import Final

KINDS: Final = (
    "status",  # trial / site recruitment status
    "age",
    "sex",
    "diagnosis",  # histology / tumor type
    "disease_setting",  # relapsed/refractory vs newly diagnosed; relapse number
    "biomarker",  # required fusions / mutations
    "performance",  # Lansky / Karnofsky / ECOG
    "prior_therapy_required",
    "prior_therapy_excluded",
    "prior_lines",  # a cap on prior lines/regimens of systemic therapy
    "washout",  # time since last therapy
    "radiation",
    "transplant",
    "amputation",
    "measurable_disease",
    "cns_metastases",
    "metastatic_disease",  # distant metastases required, from the recurrence sites
    "disease_site",  # bone-only / extrapulmonary disease, pulmonary lesions (recurrence sites)
    "labs",  # organ function
    "weight",  # weight / body surface area
    "pregnancy",  # pregnancy / lactation
    "viral",  # HIV / hepatitis B / hepatitis C status
    "other_malignancy",  # another (second) malignancy
    "swallow",  # able to swallow tablets or capsules
    "cardiac",  # LVEF / shortening fraction, QTc, pulse oximetry
    "steroids",  # current corticosteroids
    "distance",  # nearest recruiting site vs max_distance_km
    "other",  # classified as none of the above: always "unknown"
)
