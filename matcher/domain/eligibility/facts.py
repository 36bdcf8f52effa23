"""Digest a ProfileIn once per evaluation date into the Facts every judge reads."""

from __future__ import annotations

from datetime import date

from matcher.domain.eligibility import drugs, vocabulary
from matcher.domain.eligibility.base import Facts, Therapy
from matcher.domain.eligibility.text import norm
from matcher.domain.models.profile import ProfileIn

_LAB_FIELDS = {
    "anc": "anc_per_uL", "platelets": "platelets_per_uL", "hemoglobin": "hemoglobin_g_dL",
    "creatinine": "creatinine_mg_dL", "clearance": "creatinine_clearance_mL_min",
    "bilirubin": "bilirubin_x_uln", "alt": "alt_x_uln", "ast": "ast_x_uln",
    "wbc": "wbc_per_uL", "albumin": "albumin_g_dL", "inr": "inr",
    "upcr": "urine_protein_creatinine_ratio",
}  # fmt: skip


def build_facts(profile: ProfileIn, as_of: date) -> Facts:
    concept, ids = vocabulary.patient_concepts(profile.diagnosis)
    therapies = []
    for t in profile.prior_therapies:
        agent = norm(t.agent) if t.agent else None
        classes = drugs.classes_of_agent(t.agent) if t.agent else frozenset()
        category = t.category.value if t.category else None
        if category is None and classes:
            category = drugs.category_of_class(sorted(classes)[0])
        response = t.best_response.value if t.best_response else None
        therapies.append(Therapy(agent, classes, category, t.site, t.ended_on, t.line, response))
    labs: dict[str, float] = {}
    if profile.labs is not None:
        for key, field in _LAB_FIELDS.items():
            value = getattr(profile.labs, field)
            if value is not None:
                labs[key] = float(value)
    cns = profile.cns_metastases
    if cns is None and "cns" in {s.value for s in profile.recurrence_sites}:
        cns = True
    tumor = profile.tumor
    return Facts(
        as_of=as_of,
        age_months=profile.age_months_on(as_of),
        sex=profile.sex.value,
        concept=concept,
        concept_ids=ids,
        diagnosis=profile.diagnosis,
        status=profile.disease_status.value,
        relapse_number=profile.relapse_number,
        recurrence_sites=frozenset(s.value for s in profile.recurrence_sites),
        measurable=tumor.measurable if tumor else None,
        biomarkers=tuple(norm(b) for b in profile.biomarkers),
        therapies=tuple(therapies),
        perf_scale=profile.performance.scale.value if profile.performance else None,
        perf_score=profile.performance.score if profile.performance else None,
        labs=labs,
        cns_metastases=cns,
        pregnant=profile.pregnant,
        lactating=profile.lactating,
        weight_kg=profile.weight_kg,
        grade=tumor.grade if tumor else None,
        size_cm=tumor.size_cm if tumor else None,
        height_cm=profile.height_cm,
        bsa_m2=profile.bsa_m2,
        lvef_percent=profile.lvef_percent,
        shortening_fraction_percent=profile.shortening_fraction_percent,
        qtc_ms=profile.qtc_ms,
        pulse_ox_percent=profile.pulse_ox_percent,
        hiv=profile.hiv.value if profile.hiv else None,
        hbv=profile.hbv.value if profile.hbv else None,
        hcv=profile.hcv.value if profile.hcv else None,
        other_malignancy=profile.other_malignancy,
        swallows_tablets=profile.swallows_tablets,
        on_corticosteroids=profile.on_corticosteroids,
        recurrence_in_radiation_field=profile.recurrence_in_radiation_field,
    )
