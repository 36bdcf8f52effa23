"""Reading of a rule about the recurrence and prior radiation fields ("in-field recurrence",
"lesions in a previously irradiated field are not measurable unless progression ...", "radiotherapy
to the site of the sarcoma") from the board's own `recurrence_in_radiation_field`.

Called by judge_procedures.judge_radiation when the profile gives the field (absent: that judge's
own reading from the radiation sites stands). Cue words: the `radiation_field_*` lists of
data/cues.json.
"""

from __future__ import annotations

from matcher.domain.eligibility import cues
from matcher.domain.eligibility.base import MET, NOT_MET, UNKNOWN, Facts, Judgement, Therapy

# radiation that ended this recently may have been given for the current recurrence itself
_RECENT_RADIATION_DAYS = 90


def prep_field(norm: str) -> tuple[bool, bool]:
    """(the rule is about lesions in or outside a prior radiation field, it accepts an in-field
    lesion after progression there)."""
    rule = bool(cues.search("radiation_field_rule", norm))
    return rule, rule and bool(cues.search("radiation_field_allowance", norm))


def judge_in_field(in_field: bool, excludes: bool, allowance: bool) -> Judgement:
    """`excludes`: an exclusion, or an inclusion saying "no radiation to". Outside every field:
    met (neither an in-field exclusion nor a requirement of a non-irradiated lesion can fail).
    Inside: not_met only for an excluding rule that allows no progression exception; a rule
    requiring a lesion outside the fields may still be met by another lesion, and one accepting
    an in-field lesion after progression is the board's to confirm."""
    if not in_field:
        why = "the profile says the recurrence lies outside previous radiation fields"
        return Judgement(MET, why, handled=True, rule="in_field")
    said = "the profile says the recurrence lies in a previous radiation field"
    if excludes and not allowance:
        return Judgement(NOT_MET, f"{said}, which this rule excludes", rule="in_field")
    if allowance:
        why = f"{said}; the rule accepts such a lesion only after progression there"
        verify = "documented progression of the lesion inside the prior radiation field"
    else:
        why = f"{said}; the rule asks for a lesion outside it"
        verify = "a target lesion outside previous radiation fields"
    return Judgement(UNKNOWN, why, verify, rule="in_field")


# where a recurrence site lies, for the sites that have one place (regional nodes, bone, marrow
# or "other distant" may lie anywhere, an irradiated area included)
RECURRENCE_AREAS = {"pulmonary": "lung", "cns": "brain"}


def outside_every_field(facts: Facts, rads: list[Therapy]) -> list[str]:
    """The recurrence sites with a place that no listed radiation reached (every listed
    radiation's site known); [] when there is none or no radiation is listed."""
    fields = [cues.sites_named(t.site.lower()) if t.site else frozenset() for t in rads]
    if not rads or not all(fields):
        return []
    return sorted(
        site
        for site in facts.recurrence_sites
        if site in RECURRENCE_AREAS and not any(RECURRENCE_AREAS[site] in f for f in fields)
    )


def recurrence_after_radiation(facts: Facts) -> Judgement | None:
    """Met when a rule accepts an in-field lesion once it progressed after radiation and the
    patient's disease has recurred or progressed since the last listed radiation (or none is
    listed, or the recurrence lies outside every field); None when radiation ended recently
    (it may have treated this recurrence) or the disease status says no progression."""
    if facts.status not in {"recurrent", "progressive", "refractory"}:
        return None
    rads = [t for t in facts.therapies if t.category == "radiation"]
    outside = outside_every_field(facts, rads)
    if outside:
        # "recurrence in the lungs and brain, radiation to the brain": the lung disease is no
        # irradiated lesion, whenever the radiation was given
        where = ", ".join(sorted(t.site or "" for t in rads))
        return Judgement(
            MET,
            f"recurrence ({', '.join(outside)}) lies outside the listed radiation ({where})",
            handled=True,
            rule="field_allowance",
        )
    if any(t.ended_on is None or (facts.as_of - t.ended_on).days < _RECENT_RADIATION_DAYS
           for t in rads):  # fmt: skip
        return None
    why = (
        "a lesion in a prior radiation field counts once it has progressed after radiation; "
        f"the disease is {facts.status} after "
        + ("the last listed radiation" if rads else "treatment (no radiation listed)")
    )
    return Judgement(MET, why, handled=True, rule="field_allowance")
